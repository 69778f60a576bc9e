"""Benchmark the mixup conflict check, :func:`skmixup.metrics.mixup_conflicts`.

Data: ``make_blobs(n_rows, 32 features, 10 centres)`` from scikit-learn,
float64, one class per centre. For classic mixup (``KMixupResampler(k=1)``)
and k-mixup (``k=16``), both with cross-class pairs, batches of 128 rows and
one epoch (``n_rows`` mixed points), the script reports:

check s
    Best wall-clock time of ``mixup_conflicts`` over ``--repeats`` runs
    (drawing the epoch, the reference scale, the per-class searches).
plain NN s
    Side by side, in the same rounds: the floor of an exact search, one
    ``NearestNeighbors(n_neighbors=1)`` index over all rows queried with the
    same number of points (random rows), which ignores classes.
threads
    Limit of scikit-learn's OpenMP and the BLAS thread pools
    (``threadpoolctl``) for both; "all" is no limit. On a machine shared with
    other busy processes one thread can be much faster: spinning OpenMP
    threads then wait for each other at every barrier.
check/plain
    Ratio of the two. The check searches, per class, only the mixed points
    whose pair does not involve that class (with 10 classes, at most 0.8 of
    the plain search's distance computations, plus the scale), and skips a
    class whose bounding ball is farther than the nearest row already found.
peak MB, peak/data
    Peak of the memory traced by :mod:`tracemalloc` (numpy arrays included)
    during one more call, and its ratio to the size of ``X``.

Goals (at ``10**5`` rows): the check under 10 s (each method at its best
thread limit), and its peak memory a small multiple (at most 4x) of the data.

Examples
--------
::

    python benchmarks/bench_conflicts.py
    python benchmarks/bench_conflicts.py --sizes 2000 --repeats 1
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc

import numpy as np
import sklearn
from _common import best_times, cpu_line, format_cells
from sklearn.datasets import make_blobs
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

import skmixup
from skmixup import KMixupResampler
from skmixup.metrics import mixup_conflicts

N_FEATURES = 32
N_CLASSES = 10
TIME_GOAL = 10.0
MEMORY_GOAL = 4.0
GOAL_ROWS = 10**5

COLUMNS = (
    ("rows", 7),
    ("method", 10),
    ("threads", 7),
    ("check s", 8),
    ("plain NN s", 10),
    ("check/plain", 11),
    ("peak MB", 8),
    ("peak/data", 9),
    ("min dist", 9),
    ("conflicts", 9),
)


def plain_search(X: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Nearest row of ``X`` to every query, classes ignored."""
    return NearestNeighbors(n_neighbors=1).fit(X).kneighbors(queries)[0]


def traced_peak(func):
    """Result of ``func`` and the peak traced memory (bytes) while it runs."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench(n_rows: int, repeats: int, threads: list) -> list[tuple[str, float, float]]:
    """Print one line per method and thread limit; return (method, seconds, peak / data)."""
    X, y = make_blobs(n_rows, N_FEATURES, centers=N_CLASSES, random_state=0)
    queries = X[np.random.default_rng(1).permutation(n_rows)]
    outcomes = []
    methods = [("mixup", KMixupResampler(k=1)), ("k-mixup 16", KMixupResampler(k=16))]
    for (name, mixer), limit in [(m, t) for m in methods for t in threads]:

        def check(mixer=mixer):
            return mixup_conflicts(X, y, mixer, advise=False, random_state=0)

        with threadpool_limits(limits=limit):
            t_check, t_plain = best_times([check, lambda: plain_search(X, queries)], repeats)
            result, peak = traced_peak(check)
        ratio = peak / X.nbytes
        cells = (
            n_rows,
            name,
            "all" if limit is None else limit,
            f"{t_check:.2f}",
            f"{t_plain:.2f}",
            f"{t_check / t_plain:.2f}",
            f"{peak / 2**20:.1f}",
            f"{ratio:.2f}",
            f"{result.min_distance:.3g}",
            f"{result.conflict_fraction:.2%}",
        )
        print(format_cells(cells, COLUMNS, left=2), flush=True)
        outcomes.append((name, t_check, ratio))
    return outcomes


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[GOAL_ROWS], help="numbers of rows (10**5)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing, best kept (3)")
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[0, 1],
        help="thread limits of the BLAS/OpenMP pools, 0 for no limit (default: 0 1)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or min(args.sizes) < 2 * N_CLASSES:
        parser.error(f"--repeats must be >= 1 and --sizes >= {2 * N_CLASSES}")
    start = time.perf_counter()
    print("skmixup mixup conflict check benchmark")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, skmixup {skmixup.__version__}"
    )
    print(cpu_line())
    print(
        f"data: make_blobs, {N_FEATURES} features, {N_CLASSES} classes, float64; "
        f"one epoch, batches of 128; timings: best of {args.repeats}"
    )
    print()
    header = format_cells([name for name, _ in COLUMNS], COLUMNS, left=2)
    print(header)
    print("-" * len(header))
    threads = [None if t == 0 else t for t in args.threads]
    results = {n: bench(n, args.repeats, threads) for n in args.sizes}
    print()
    largest = max(args.sizes)
    # Each method at its best thread limit; the goal holds when it holds for both.
    best = {}
    for name, seconds, _ in results[largest]:
        best[name] = min(seconds, best.get(name, float("inf")))
    worst_time = max(best.values())
    worst_memory = max(m for _, _, m in results[largest])
    note = "" if largest == GOAL_ROWS else f" (goal set at {GOAL_ROWS:,} rows)"
    print(
        f"goal: check under {TIME_GOAL:.0f} s at {largest:,} rows{note} "
        f"(worst: {worst_time:.1f} s, {'met' if worst_time < TIME_GOAL else 'NOT met'})"
    )
    print(
        f"goal: peak traced memory at most {MEMORY_GOAL:.0f}x the data at {largest:,} rows (worst: "
        f"{worst_memory:.2f}x, {'met' if worst_memory <= MEMORY_GOAL else 'NOT met'})"
    )
    print(f"total run time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
