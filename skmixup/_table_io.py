"""Reading and writing CSV / Parquet tables for the ``skmixup`` command."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class TableError(Exception):
    """A problem with the user's table or file, reported as one line."""


def table_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"{path}: unknown file type {suffix or '(none)'!r}; use .csv or .parquet")
    return FORMATS[suffix]


def read_table(path: str | os.PathLike):
    """Read a CSV or Parquet file into a DataFrame (format from the extension)."""
    import pandas as pd

    kind = table_format(path)
    if not Path(path).is_file():
        raise TableError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise TableError(f"{path}: cannot read as {kind}: {error}") from None
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise TableError(f"{path}: the table is empty")
    return frame


def write_table(frame, path: str | os.PathLike) -> None:
    """Write atomically: to a temporary file beside ``path``, then rename.

    A failure leaves no partial output behind.
    """
    kind = table_format(path)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise TableError(f"{path}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if kind == "csv":
            frame.to_csv(temporary, index=False)
        else:
            frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
