"""Peak memory and time of the Dask engine against the in-memory resampler.

The data set is a directory of ``--partitions`` Parquet files holding
``--rows`` rows in all (default ``2 * 10**7``) of ``--features`` standard
normal float32 columns (default 16) and an int8 target ``y`` whose minority
class holds 10% of the rows, drawn from ``np.random.default_rng(p)`` for
file ``p``. ``EpBetaMixupResampler(random_state=0)`` balances the classes
(``sampling_strategy='auto'``): ``0.8 * rows`` new rows, ``1.8 * rows``
written.

Each engine runs in a subprocess of its own, from reading the input to
writing the output, and the parent samples the resident memory (RSS) of that
subprocess and all its descendants every 20 ms with :mod:`psutil`:

memory
    ``pandas.read_parquet`` of the whole directory, ``fit_resample``,
    ``to_parquet`` of one file: what ``skmixup resample`` does in memory.
dask, N threads
    ``skmixup resample DIR OUT --engine dask --workers N``: one task per
    partition (read, resample, write), N at once on Dask's threaded
    scheduler in the process itself.
dask, N processes
    The same with ``--processes``: a local ``distributed`` cluster of N
    single-threaded worker processes, whose start-up is included.

Columns: seconds (wall clock of the subprocess, best of ``--repeats``),
throughput relative to the in-memory engine (its seconds / these), the
same less the seconds of the tiny run below (start-up: interpreter,
imports, cluster) and the throughput on those net seconds, peak RSS
of the process tree, and that peak less the peak of the same engine on a
tiny data set of the same shape (``--partitions`` files of 1,000 rows: the
interpreters, libraries and cluster, i.e. the constant), in units of one
input partition's bytes. Goals (issue 10): with 2 workers (threads, the
default), peak memory at
most 3 partitions plus the constant, throughput at least 0.7x in memory.

Examples
--------
Full size, and a quick run::

    python benchmarks/bench_dask.py
    python benchmarks/bench_dask.py --rows 2000000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import cpu_line, format_cells

HERE = Path(__file__).resolve()


def write_dataset(directory: Path, rows: int, features: int, partitions: int) -> int:
    """Write the Parquet files one at a time; return one partition's bytes."""
    import pandas as pd

    directory.mkdir(parents=True)
    sizes = np.full(partitions, rows // partitions)
    sizes[: rows % partitions] += 1
    for p, n in enumerate(sizes):
        rng = np.random.default_rng(p)
        frame = pd.DataFrame(
            rng.standard_normal((n, features), dtype=np.float32),
            columns=[f"x{i}" for i in range(features)],
        )
        frame["y"] = (rng.random(n) < 0.1).astype(np.int8)
        frame.to_parquet(directory / f"part.{p:05d}.parquet", index=False)
    return int(sizes.max()) * (4 * features + 1)


def child(engine: str, source: str, output: str, workers: int) -> None:
    """Run one engine end to end (in the subprocess the parent watches)."""
    if engine == "memory":
        import pandas as pd

        from skmixup import EpBetaMixupResampler

        frame = pd.read_parquet(source)
        X, y = frame.drop(columns="y"), frame["y"]
        del frame
        X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
        X_res["y"] = y_res.to_numpy()
        X_res.to_parquet(output, index=False)
    else:
        from skmixup.cli import main

        argv = ["resample", source, output, "--engine", "dask", "--workers", str(workers)]
        if engine == "processes":
            argv.append("--processes")
        code = main([*argv, "--target", "y", "--seed", "0", "--quiet"])
        if code:
            sys.exit(code)


def watch(engine: str, source: Path, output: Path, workers: int) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of the subprocess tree running ``engine``."""
    import psutil

    if output.exists():
        shutil.rmtree(output) if output.is_dir() else output.unlink()
    command = [sys.executable, str(HERE), "--child", engine, str(source), str(output)]
    start = time.perf_counter()
    process = subprocess.Popen([*command, "--workers", str(workers)])
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            tree = [watched, *watched.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            try:
                total += member.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, total)
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"{engine} failed with exit code {process.returncode}")
    return elapsed, peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=2e7)
    parser.add_argument("--features", type=int, default=16)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 20,000 rows in 4 files, 1 worker, no baseline run",
    )
    parser.add_argument("--dir", default=None, help="scratch directory (default: a temporary one)")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "SOURCE", "OUTPUT"))
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, workers=args.workers)
        return 0

    if args.quick:
        args.rows, args.partitions, args.workers = 20000, 4, 1
    rows = int(args.rows)
    scratch = Path(tempfile.mkdtemp(prefix="bench_dask_", dir=args.dir))
    try:
        part_bytes = write_dataset(scratch / "data", rows, args.features, args.partitions)
        if not args.quick:
            write_dataset(scratch / "tiny", 1000 * args.partitions, args.features, args.partitions)
        engines = [("memory", 1), ("dask", 1)]
        if args.workers > 1:
            engines += [("dask", args.workers), ("processes", args.workers)]
        results = {}
        for engine, workers in engines:
            output = scratch / ("out.parquet" if engine == "memory" else "out")
            fixed, constant = (
                (0.0, 0) if args.quick else watch(engine, scratch / "tiny", output, workers)
            )
            times, peaks = [], []
            for _ in range(args.repeats):
                elapsed, peak = watch(engine, scratch / "data", output, workers)
                times.append(elapsed)
                peaks.append(peak)
            results[(engine, workers)] = (min(times), max(peaks), constant, fixed)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"Dask engine vs in-memory resampler ({cpu_line()})")
    print(
        f"data: {rows:,} rows x {args.features} float32 + int8 target in {args.partitions} "
        f"Parquet files; one partition = {part_bytes / 2**20:.1f} MiB; EpBeta balancing, "
        f"{int(1.8 * rows):,} rows out"
    )
    columns = [
        ("engine", 18),
        ("seconds", 8),
        ("throughput vs memory", 20),
        ("net s", 6),
        ("net throughput", 14),
        ("peak RSS MiB", 12),
        ("constant MiB", 12),
        ("(peak - constant) / partition", 29),
    ]
    print(format_cells([name for name, _ in columns], columns, left=1))
    memory_time = results[("memory", 1)][0]
    memory_net = memory_time - results[("memory", 1)][3]
    summary = {}
    for (engine, workers), (seconds, peak, constant, fixed) in results.items():
        label = {
            "memory": "memory",
            "dask": f"dask, {workers} thread" + "s" * (workers > 1),
            "processes": f"dask, {workers} processes",
        }[engine]
        in_partitions = (peak - constant) / part_bytes
        summary[(engine, workers)] = (memory_time / seconds, in_partitions)
        cells = [
            label,
            f"{seconds:.2f}",
            f"{memory_time / seconds:.2f}x",
            f"{seconds - fixed:.2f}",
            f"{memory_net / max(seconds - fixed, 1e-9):.2f}x",
            f"{peak / 2**20:,.0f}",
            f"{constant / 2**20:,.0f}",
            f"{in_partitions:.1f}",
        ]
        print(format_cells(cells, columns, left=1))
    throughput, in_partitions = summary[("dask", args.workers)]
    print(
        f"goal ({args.workers} threads): peak <= 3 partitions + constant: "
        f"{'met' if in_partitions <= 3 else 'NOT met'} ({in_partitions:.1f}); "
        f"throughput >= 0.7x memory: {'met' if throughput >= 0.7 else 'NOT met'} "
        f"({throughput:.2f}x)"
    )
    print(json.dumps({f"{e}-{w}": list(v) for (e, w), v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
