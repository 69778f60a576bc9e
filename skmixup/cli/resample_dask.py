"""``skmixup resample --engine dask``: a Parquet data set in, a partitioned Parquet directory out.

Partitions stream through: each task reads one input partition, resamples
it (``skmixup.dask``) and writes one output file, so memory holds a few
partitions whatever the size of the data set. The output is written to a
temporary directory beside the target and renamed at the end; a failed run
removes it and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from skmixup._tables.io import TableError
from skmixup.cli._columns import check_target, column_names


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that the run cleans up as on Ctrl-C."""


@contextlib.contextmanager
def _terminate_like_interrupt():
    """While the run lasts, SIGTERM raises :class:`Terminated` (as SIGINT raises
    ``KeyboardInterrupt``), so the temporary output is removed either way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_resample_dask(args, make_resampler) -> int:
    """Run ``skmixup resample`` with the Dask engine; ``make_resampler(args, categorical)``.

    Ctrl-C (SIGINT) and SIGTERM stop the run, remove the temporary output and
    exit with 130 and 143 after one line on stderr (no traceback).
    """
    try:
        with _terminate_like_interrupt():
            return _run(args, make_resampler)
    except KeyboardInterrupt:
        print("skmixup resample: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Terminated:
        print("skmixup resample: terminated; nothing was written", file=sys.stderr)
        return 143


def _run(args, make_resampler) -> int:
    import numpy as np

    from skmixup.dask import _plan

    workers = 1 if args.workers is None else args.workers
    if workers < 1:
        raise ValueError(f"--workers must be >= 1, got {workers}.")
    output = Path(args.output)
    _check_output(output)
    frame = _read_parquet(args.input)
    _check_not_inside(output, args.input)
    columns = list(frame.columns)
    categorical = column_names(args.categorical, columns, "--categorical")
    if args.target is not None:
        check_target(args.target, columns, categorical)
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
    warned = _OncePerRun(args.quiet)
    say(f"counting the rows of {frame.npartitions} partitions of {args.input}")
    with warned.collecting():
        plan = _plan(resampler, X, y, streaming=True)
    n_new = int(plan.n_new.sum())
    say(f"{int(plan.rows.sum()):,} rows read; making {n_new:,} new rows with {args.method}")

    temporary = None
    try:
        temporary = Path(
            tempfile.mkdtemp(dir=output.parent or ".", prefix=f".{output.name}.", suffix=".tmp")
        )
        os.chmod(temporary, 0o777 & ~_umask())
        writes = _write_tasks(plan, temporary, columns, args.target, capture=args.processes)
        with warned.collecting():
            _compute(writes, workers, args.processes, _Bar(args.quiet, len(writes)), warned)
        os.rename(temporary, output)
    except BaseException:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        raise
    say(f"wrote {int(plan.out_rows.sum()):,} rows in {len(writes)} files to {output}")
    return 0


class _OncePerRun:
    """The library's warnings, each printed once per run (not once per
    partition), in the command's words; nothing with ``--quiet``.

    Partitions word one warning with their own column lists and counts, so
    a warning is known by its category and its text without them.
    """

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.seen: set = set()

    def add(self, category: str, message: str) -> None:
        import re

        from skmixup.cli.resample import cli_words

        key = (category, re.sub(r"\[[^]]*\]|\d[\d,.]*", "#", message))
        if key in self.seen:
            return
        self.seen.add(key)
        if not self.quiet:
            text = cli_words(" ".join(message.split()))
            print(f"skmixup resample: warning: {text}", file=sys.stderr, flush=True)

    @contextlib.contextmanager
    def collecting(self):
        # Recorded globally: the threaded scheduler's workers warn into it too.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            finally:
                for warning in caught:
                    # The library's own advice (UserWarning and its subclasses);
                    # other libraries' deprecation notices are not for the user.
                    if issubclass(warning.category, UserWarning):
                        self.add(warning.category.__name__, str(warning.message))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_not_inside(output: Path, source: str) -> None:
    """Refuse an output inside the input: a later run would read its own output."""
    magic = next((i for i, char in enumerate(source) if char in "*?["), None)
    base = Path(source if magic is None else os.path.dirname(source[:magic]) or ".")
    if not base.is_dir():  # one file: its directory is not read
        return
    inside = output.resolve()
    if inside == base.resolve() or base.resolve() in inside.parents:
        raise TableError(
            f"{output}: inside the input {source}; a later run would read these files "
            "as input. Choose an output directory outside it"
        )


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
    _check_schemas(source)
    return frame


def _parquet_files(source: str) -> list[str]:
    """The data files Dask reads: hidden (``.``) and metadata (``_``) names left out."""
    path = Path(source)
    if path.is_file():
        return [source]
    if path.is_dir():
        names = glob.glob(os.path.join(source, "**", "*"), recursive=True)
        parts = [Path(name).relative_to(path).parts for name in names]
    else:
        names = glob.glob(source, recursive=True)
        parts = [(Path(name).name,) for name in names]
    return sorted(
        name
        for name, name_parts in zip(names, parts)
        if os.path.isfile(name) and not any(p.startswith(("_", ".")) for p in name_parts)
    )


def _check_schemas(source: str) -> None:
    """Refuse files whose columns or column types differ, naming the file and column.

    Dask reads every file with the first file's schema: a missing column
    fails later with a bare ``KeyError``, and a column stored as float in
    one file and as text in another gives output files of different
    schemas. Nothing is unified: a difference is reported, with the first
    file for reference. (Only file footers are read.)
    """
    import pyarrow.parquet as pq

    files = _parquet_files(source)
    if len(files) < 2:
        return
    reference = pq.read_schema(files[0]).remove_metadata()
    ref_types = {field.name: field.type for field in reference}
    for name in files[1:]:
        try:
            schema = pq.read_schema(name).remove_metadata()
        except (OSError, ValueError) as error:
            raise TableError(f"{name}: cannot read as Parquet: {error}") from None
        types = {field.name: field.type for field in schema}
        missing = [column for column in ref_types if column not in types]
        extra = [column for column in types if column not in ref_types]
        if missing or extra:
            parts = [f"lacks column(s) {missing}"] if missing else []
            parts += [f"has extra column(s) {extra}"] if extra else []
            raise TableError(
                f"{name}: {' and '.join(parts)} that {files[0]} "
                f"{'has' if missing else 'lacks'}; every file of the data set must "
                "have the same columns"
            )
        for column, kind in ref_types.items():
            if types[column] != kind:
                raise TableError(
                    f"{name}: column {column!r} is stored as {types[column]} but as "
                    f"{kind} in {files[0]}; cast it to one type in every file (no "
                    "conversion is guessed)"
                )


def _write_tasks(plan, directory: Path, columns, target, capture: bool = False) -> list:
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
            capture,
        )
        for index, arguments in enumerate(plan.partition_arguments())
    ]


_ROW_GROUP_ROWS = 65_536


def _write_partition(
    arguments, y_meta, keep: bool, path: str, columns, target, capture: bool = False
):
    """Resample one partition and write its originals, then its new rows.

    Converted to Arrow and written one row group at a time, so that the
    conversion holds one row group, never a second copy of the partition;
    the new rows are written chunk by chunk as they are drawn. Returns the
    rows written and, with ``capture`` (a worker process of its own, one
    task at a time), the warnings raised, as ``(category, message)`` pairs
    for the main process to print once.
    """
    if not capture:
        return _write_partition_rows(arguments, y_meta, keep, path, columns, target), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = _write_partition_rows(arguments, y_meta, keep, path, columns, target)
    caught = [w for w in caught if issubclass(w.category, UserWarning)]
    return rows, [(w.category.__name__, str(w.message)) for w in caught]


def _write_partition_rows(arguments, y_meta, keep: bool, path: str, columns, target) -> int:
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


def _compute(writes, workers: int, processes: bool, bar, warned) -> None:
    """Compute the write tasks, a few partitions at a time, updating the bar.

    Threads (Dask's threaded scheduler) by default: reading, mixing and
    writing run in numpy, pandas and Arrow, which release the GIL, and no
    cluster has to start. ``processes`` starts a local ``distributed``
    cluster of ``workers`` single-threaded processes instead. Arrow's default
    allocator keeps freed memory for reuse, which holds a partition's worth
    or more per process; the system allocator returns it.
    """
    if processes:
        _run_on_cluster(writes, workers, bar, warned)
        return
    import dask
    import pyarrow as pa
    from dask.callbacks import Callback

    write_keys = {task.key for task in writes}

    def finished(key, result, dsk, state, worker_id):
        if key in write_keys:
            bar.advance(result[0])

    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        with Callback(posttask=finished):
            dask.compute(*writes, scheduler="threads", num_workers=workers)
    finally:
        pa.set_memory_pool(previous)
    bar.close()


def _run_on_cluster(writes, workers: int, bar, warned) -> None:
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
            rows, caught = future.result()
            for category, message in caught:
                warned.add(category, message)
            bar.advance(rows)
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
    """Progress of the partitions written, on stderr.

    On a terminal, one line redrawn in place. Otherwise (a log, a pipe) one
    full line at each tenth of the partitions and at the end, so that a log
    reads line by line and an error starts on a line of its own.
    """

    def __init__(self, quiet: bool, total: int, width: int = 30, stream=None):
        self.quiet, self.total, self.width = quiet, total, width
        self.stream = sys.stderr if stream is None else stream
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = self.rows = 0
        self.shown = 0  # tenths of the work already reported as a line
        self.start = time.perf_counter()
        if self.live:
            self._draw()

    def advance(self, rows: int) -> None:
        self.done += 1
        self.rows += rows
        if self.live:
            self._draw()
            return
        tenth = 10 * self.done // max(self.total, 1)
        if tenth > self.shown:
            self.shown = tenth
            self._line()

    def _text(self) -> str:
        elapsed = time.perf_counter() - self.start
        return f"{self.done}/{self.total} partitions, {self.rows:,} rows written ({elapsed:.1f} s)"

    def _line(self) -> None:
        if not self.quiet:
            print(self._text(), file=self.stream, flush=True)

    def _draw(self) -> None:
        if self.quiet:
            return
        filled = self.width * self.done // max(self.total, 1)
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}]"
        print(f"\r{bar} {self._text()}", end="", file=self.stream, flush=True)

    def close(self) -> None:
        if not self.quiet and self.live:
            print(file=self.stream, flush=True)
