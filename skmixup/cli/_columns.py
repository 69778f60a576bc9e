"""Column options shared by the subcommands: ``--categorical``, ``--within``, ``--target``."""

from __future__ import annotations


def column_names(text: str | None, columns: list, option: str) -> list | None:
    """The comma-separated column names of ``option``, each checked against ``columns``."""
    if not text:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise ValueError(f"{option}: unknown column(s) {unknown}; columns are {columns}")
    return names


def check_target(target: str, columns: list, categorical: list | None) -> None:
    """Refuse a ``--target`` that is not a column, or that is also categorical."""
    if target not in columns:
        raise ValueError(f"--target: unknown column {target!r}; columns are {columns}")
    if categorical and target in categorical:
        raise ValueError(f"--target column {target!r} cannot also be categorical")
