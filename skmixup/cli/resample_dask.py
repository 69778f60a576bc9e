"""``skmixup resample --engine dask``: a Parquet data set in, a partitioned Parquet directory out.

Partitions stream through: each task reads one input partition, resamples
it (``skmixup.dask``) and writes one output file, so memory holds a few
partitions whatever the size of the data set. The output is written to a
temporary directory beside the target and renamed at the end; a failed run
removes it and leaves nothing behind.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from skmixup._tables.io import TableError


def run_resample_dask(args, make_resampler) -> int:
    """Run ``skmixup resample`` with the Dask engine; ``make_resampler(args, categorical)``."""
    import numpy as np

    from skmixup.dask import _plan

    workers = 1 if args.workers is None else args.workers
    if workers < 1:
        raise ValueError(f"--workers must be >= 1, got {workers}.")
    output = Path(args.output)
    _check_output(output)
    frame = _read_parquet(args.input)
    columns = list(frame.columns)
    categorical = _categorical(args.categorical, columns)
    if args.target is not None:
        if args.target not in columns:
            raise ValueError(f"--target: unknown column {args.target!r}; columns are {columns}")
        if categorical and args.target in categorical:
            raise ValueError(f"--target column {args.target!r} cannot also be categorical")
        X, y = frame.drop(columns=[args.target]), frame[args.target]
    else:
        # No target: the whole table is one group of rows, mixed together.
        X = frame
        y = frame[columns[0]].map_partitions(
            lambda s: s.__class__(np.zeros(len(s)), index=s.index, name="__none__"),
            meta=(None, "float64"),
        )
        args.target_type = "regression"
    resampler = make_resampler(args, categorical)
    say = _Say(args.quiet)
    say(f"counting the rows of {frame.npartitions} partitions of {args.input}")
    plan = _plan(resampler, X, y)
    n_new = int(plan.n_new.sum())
    say(f"{int(plan.rows.sum()):,} rows read; making {n_new:,} new rows with {args.method}")

    temporary = Path(
        tempfile.mkdtemp(dir=output.parent or ".", prefix=f".{output.name}.", suffix=".tmp")
    )
    try:
        os.chmod(temporary, 0o777 & ~_umask())
        writes = _write_tasks(plan, temporary, columns, args.target)
        _run(writes, workers, args.processes, _Bar(args.quiet, len(writes)))
        os.rename(temporary, output)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    say(f"wrote {int(plan.out_rows.sum()):,} rows in {len(writes)} files to {output}")
    return 0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_output(output: Path) -> None:
    if output.exists():
        raise TableError(f"{output}: already exists; remove it or choose another output directory")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise TableError(f"{output}: directory {parent} does not exist")
    if output.suffix.lower() == ".csv":
        raise TableError(f"{output}: --engine dask writes a directory of Parquet files, not CSV")


def _read_parquet(source: str):
    import dask.dataframe as dd

    path = Path(source)
    if not (path.is_dir() or path.is_file() or glob.glob(source)):
        raise TableError(f"{source}: no such file, directory or glob match")
    try:
        frame = dd.read_parquet(source)
    except (ValueError, OSError, TypeError) as error:
        raise TableError(f"{source}: cannot read as Parquet: {error}") from None
    if len(frame.columns) == 0:
        raise TableError(f"{source}: the table has no columns")
    return frame


def _categorical(option, columns):
    if not option:
        return None
    categorical = [name.strip() for name in option.split(",") if name.strip()]
    missing = [name for name in categorical if name not in columns]
    if missing:
        raise ValueError(f"--categorical: unknown column(s) {missing}; columns are {columns}")
    return categorical


def _write_tasks(plan, directory: Path, columns, target) -> list:
    from dask import delayed

    write = delayed(_write_partition, pure=True)
    keep = not plan.resampler.synthetic_only
    return [
        write(
            arguments,
            plan.y_meta,
            keep,
            str(directory / f"part.{index:05d}.parquet"),
            columns,
            target,
        )
        for index, arguments in enumerate(plan.partition_arguments())
    ]


_ROW_GROUP_ROWS = 65_536


def _write_partition(arguments, y_meta, keep: bool, path: str, columns, target) -> int:
    """Resample one partition and write its originals, then its new rows.

    Converted to Arrow and written one row group at a time, so that the
    conversion holds one row group, never a second copy of the partition;
    the new rows are written chunk by chunk as they are drawn.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from skmixup.dask import as_target, partition_new_row_chunks

    _, X_part, y_part = arguments[:3]

    def frame_of(X, y_values):
        frame = X.reset_index(drop=True)
        if target is not None:
            frame[target] = as_target(y_values, y_part, y_meta).to_numpy()
        return frame[columns]

    # The schema of the whole partition (types inferred from every value of
    # an object column), with the target in its place.
    fields = {field.name: field for field in pa.Schema.from_pandas(X_part, preserve_index=False)}
    if target is not None:
        y_frame = pd.DataFrame({target: as_target(_as_values(y_part)[:0], y_part, y_meta)})
        fields[target] = pa.Schema.from_pandas(y_frame, preserve_index=False).field(target)
    schema = pa.schema([fields[name] for name in columns])
    # Dictionary pages only where they can pay (not for floats), and row
    # groups of bounded size: the writer buffers one encoded row group.
    dictionary = [field.name for field in schema if not pa.types.is_floating(field.type)]

    def write(writer, X, y_values) -> int:
        for start in range(0, X.shape[0], _ROW_GROUP_ROWS):
            stop = start + _ROW_GROUP_ROWS
            piece = frame_of(X.iloc[start:stop], y_values[start:stop])
            writer.write_table(pa.Table.from_pandas(piece, schema=schema, preserve_index=False))
        return X.shape[0]

    rows = 0
    with pq.ParquetWriter(path, schema, use_dictionary=dictionary) as writer:
        if keep:
            rows += write(writer, X_part, _as_values(y_part))
        for X_new, y_new in partition_new_row_chunks(*arguments):
            rows += write(writer, X_new, y_new)
    return rows


def _as_values(y_part):
    return y_part.to_numpy()


def _run(writes, workers: int, processes: bool, bar) -> None:
    """Compute the write tasks, a few partitions at a time, updating the bar.

    Threads (Dask's threaded scheduler) by default: reading, mixing and
    writing run in numpy, pandas and Arrow, which release the GIL, and no
    cluster has to start. ``processes`` starts a local ``distributed``
    cluster of ``workers`` single-threaded processes instead. Arrow's default
    allocator keeps freed memory for reuse, which holds a partition's worth
    or more per process; the system allocator returns it.
    """
    if processes:
        _run_on_cluster(writes, workers, bar)
        return
    import dask
    import pyarrow as pa
    from dask.callbacks import Callback

    write_keys = {task.key for task in writes}

    def finished(key, result, dsk, state, worker_id):
        if key in write_keys:
            bar.advance(result)

    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        with Callback(posttask=finished):
            dask.compute(*writes, scheduler="threads", num_workers=workers)
    finally:
        pa.set_memory_pool(previous)
    bar.close()


def _run_on_cluster(writes, workers: int, bar) -> None:
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clashes with another cluster
            silence_logs=40,
            env={"ARROW_DEFAULT_MEMORY_POOL": "system"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        futures = client.compute(writes)
        for future in distributed.as_completed(futures):
            bar.advance(future.result())
    bar.close()


class _Say:
    """Stage lines on stderr, announced when the stage starts (silenced by --quiet)."""

    def __init__(self, quiet: bool):
        self.quiet, self.start = quiet, time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            print(f"{message} ({elapsed:.1f} s)", file=sys.stderr, flush=True)


class _Bar:
    """A one-line progress bar of partitions written, on stderr."""

    def __init__(self, quiet: bool, total: int, width: int = 30):
        self.quiet, self.total, self.width = quiet, total, width
        self.done = self.rows = 0
        self.start = time.perf_counter()
        self._draw()

    def advance(self, rows: int) -> None:
        self.done += 1
        self.rows += rows
        self._draw()

    def _draw(self) -> None:
        if self.quiet:
            return
        filled = self.width * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.start
        print(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
            f"partitions, {self.rows:,} rows ({elapsed:.1f} s)",
            end="",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        if not self.quiet:
            print(file=sys.stderr, flush=True)
