"""Reading and writing CSV / Parquet tables for the ``skmixup`` command."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

# Rows per batch handed to the writers (a Parquet batch is a row group); the
# progress bar moves once per batch.
CSV_CHUNK_ROWS = 65_536
PARQUET_CHUNK_ROWS = 262_144
# The attribute of a frame from read_table naming the columns that were its index.
INDEX_ATTRIBUTE = "index_columns"


class TableError(Exception):
    """A problem with the user's table or file, reported as one line."""


def table_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TableError(f"{path}: unknown file type {suffix or '(none)'!r}; use .csv or .parquet")
    return FORMATS[suffix]


def check_paths(source: str | os.PathLike, destination: str | os.PathLike) -> None:
    """Refuse an output that cannot be written or would overwrite the input.

    Called before anything is read, so a refused command changes nothing.
    """
    destination = Path(destination)
    if destination.is_dir():
        raise TableError(
            f"{destination}: is a directory; give a file name ending in .csv or .parquet"
        )
    table_format(destination)
    source = Path(source)
    same = source.resolve() == destination.resolve()
    if not same and source.exists() and destination.exists():
        same = os.path.samefile(source, destination)  # hard links
    if same:
        raise TableError(
            f"{destination}: is the input file; write the output to another file "
            "(the input is read in full and would be overwritten)"
        )


def read_table(path: str | os.PathLike):
    """Read a CSV or Parquet file into a DataFrame (format from the extension).

    A named index (as pandas writes it to Parquet) becomes ordinary leading
    columns, listed in ``frame.attrs["index_columns"]`` so that
    :func:`write_table` can write them back as the index.
    """
    import pandas as pd

    if Path(path).is_dir():
        raise TableError(f"{path}: is a directory; give one .csv or .parquet file")
    kind = table_format(path)
    if not Path(path).is_file():
        raise TableError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise TableError(f"{path}: cannot read as {kind}: {error}") from None
    names = [name for name in frame.index.names if name is not None]
    if names:
        if any(name in frame.columns for name in names):
            raise TableError(f"{path}: index {names} has the name of a column")
        frame = frame.reset_index(level=names)
        if list(frame.index.names) != [None]:  # unnamed levels left: row labels only
            frame = frame.reset_index(drop=True)
        frame.attrs[INDEX_ATTRIBUTE] = names
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise TableError(f"{path}: the table is empty")
    return frame


def write_table(
    frame,
    path: str | os.PathLike,
    *,
    index_columns: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write atomically: to a temporary file beside ``path``, then rename.

    A failure leaves no partial output behind. The file gets the permissions
    of any new file (``0o666`` less the umask). ``index_columns`` are written
    as the index of a Parquet file (plain columns in a CSV file).
    ``progress(rows_written, n_rows)`` is called after each batch of rows.
    """
    kind = table_format(path)
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise TableError(f"{path}: directory {directory} does not exist")
    if path.is_dir():
        raise TableError(f"{path}: is a directory; give a file name ending in .csv or .parquet")
    temporary = _create_temporary(directory, path.name)
    try:
        if kind == "csv":
            _write_csv(frame, temporary, progress)
        else:
            _write_parquet(frame, temporary, list(index_columns), progress)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create_temporary(directory: Path, name: str) -> Path:
    # os.open applies the umask to 0o666, as for any new file (mkstemp would
    # force 0o600 on the output, which the rename keeps).
    while True:
        candidate = directory / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(handle)
        return candidate


def _batches(table, rows, progress):
    n_rows = table.num_rows
    for start in range(0, n_rows, rows):
        yield table.slice(start, rows)
        if progress is not None:
            progress(min(start + rows, n_rows), n_rows)
    if progress is not None and n_rows == 0:
        progress(0, 0)


def _write_csv(frame, path: Path, progress) -> None:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    try:
        table = _keep_floats_float(pa.Table.from_pandas(frame, preserve_index=False))
        writer = pa_csv.CSVWriter(
            str(path), table.schema, write_options=pa_csv.WriteOptions(quoting_style="needed")
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Columns Arrow cannot represent (Python objects of mixed types):
        # pandas' slower writer handles anything.
        frame.to_csv(path, index=False)
        if progress is not None:
            progress(frame.shape[0], frame.shape[0])
        return
    with writer:
        for batch in _batches(table, CSV_CHUNK_ROWS, progress):
            writer.write_table(batch)


def _keep_floats_float(table):
    """Write integral float columns as ``2.0``, not ``2``, so they read back as floats.

    Arrow writes floats in their shortest form, which drops the ``.0`` that
    tells a CSV reader the column is a float. A float column with no
    missing value and only integral values (a copied column, a constant)
    would come back as integers; a decimal with one digit keeps the point
    (exact: such values are integers of at most 2**53).
    """
    import numpy as np
    import pyarrow as pa

    for position, field in enumerate(table.schema):
        if not pa.types.is_floating(field.type):
            continue
        column = table.column(position)
        if column.null_count:
            continue
        values = column.to_numpy()
        if values.size and np.all(np.abs(values) <= 2.0**53) and np.all(values == np.trunc(values)):
            decimal = pa.decimal128(38, 1)
            table = table.set_column(position, field.with_type(decimal), column.cast(decimal))
    return table


def _write_parquet(frame, path: Path, index_columns: list, progress) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if index_columns:
        frame = frame.set_index(index_columns)
    table = pa.Table.from_pandas(frame, preserve_index=bool(index_columns))
    with pq.ParquetWriter(str(path), table.schema) as writer:
        for batch in _batches(table, PARQUET_CHUNK_ROWS, progress):
            writer.write_table(batch)
