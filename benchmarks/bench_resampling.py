"""Benchmark ``EpBetaMixupResampler.fit_resample`` against its floors and SMOTE.

The machine this runs on is shared and noisy, so absolute seconds mean
little; what the script reports are ratios of timings taken side by side in
one run, each the best of ``--repeats`` runs measured with
:func:`time.perf_counter`.

For each size ``n_rows`` (``--sizes``, default ``100000 1000000``) the data
are ``n_rows x 32`` standard normal float32 features drawn from
``np.random.default_rng(0)`` and a binary int64 target whose minority class
holds 10% of the rows. ``EpBetaMixupResampler(random_state=0)`` with the
default ``sampling_strategy='auto'`` balances the classes, so it makes
``n_new = 0.8 * n_rows`` new rows and returns ``n_out = n_rows + n_new``
rows, the originals first.

Columns of the table
--------------------
fit_resample s
    Best time of the whole public ``fit_resample`` call, validation included.
floor(out) s
    Best time of one ``np.take(X, idx, axis=0)`` gathering ``n_out`` random
    rows: the memory traffic any method that writes the output must pay.
ratio vs floor(out), ratio vs floor(new)
    ``fit_resample`` time divided by the floor for ``n_out`` rows and for
    ``n_new`` rows (the rows actually mixed).
SMOTE s, SMOTE/ours
    One run (no repeats, it is slow) of imbalanced-learn's
    ``SMOTE(random_state=0).fit_resample`` on the same data, which makes the
    same number of rows, and its ratio to ``fit_resample``. Sizes above
    ``--skip-smote-above`` are reported as "not run".
peak mem / output
    Peak extra memory of one ``fit_resample`` call, traced with
    :mod:`tracemalloc` (numpy reports its allocations to it) in a call of its
    own, as a multiple of ``X_res.nbytes + y_res.nbytes``.

Examples
--------
Full run, and a quick one on 10**5 rows only::

    python benchmarks/bench_resampling.py
    python benchmarks/bench_resampling.py --sizes 100000
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc

import imblearn
import numpy as np
import sklearn
from _common import best_times, cpu_line, format_cells
from imblearn.over_sampling import SMOTE

import skmixup
from skmixup import EpBetaMixupResampler

N_FEATURES = 32
MINORITY_FRACTION = 0.1
GOALS = (
    "goal: within 4x of the floor, >= 10x faster than SMOTE, "
    "peak memory a small multiple of the output"
)


def make_data(n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 standard normal features and a binary int64 target.

    Parameters
    ----------
    n_rows : int
        Number of rows.

    Returns
    -------
    X : ndarray of shape (n_rows, 32), dtype float32
    y : ndarray of shape (n_rows,), dtype int64
        Exactly ``int(0.1 * n_rows)`` rows, at random places, are of class 1.
    """
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_rows, N_FEATURES), dtype=np.float32)
    y = np.zeros(n_rows, dtype=np.int64)
    y[rng.permutation(n_rows)[: int(MINORITY_FRACTION * n_rows)]] = 1
    return X, y


def peak_extra_memory(func) -> tuple[int, object]:
    """Return the peak memory traced during ``func()`` above what was live before.

    Returns
    -------
    peak : int
        Bytes, as reported by :mod:`tracemalloc`.
    result : object
        What ``func`` returned (its memory is part of the peak).
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - baseline, result


def bench_size(n_rows: int, repeats: int, run_smote: bool) -> dict:
    """Measure every column of the table for one size."""
    X, y = make_data(n_rows)

    def ours():
        return EpBetaMixupResampler(random_state=0).fit_resample(X, y)

    X_res, y_res = ours()
    n_out = X_res.shape[0]
    n_new = n_out - n_rows
    if X_res.dtype != np.float32 or not np.array_equal(X_res[:n_rows], X):
        raise RuntimeError("fit_resample did not return the float32 originals first")
    del X_res, y_res

    idx_rng = np.random.default_rng(1)
    idx_out = idx_rng.integers(0, n_rows, n_out)
    idx_new = idx_rng.integers(0, n_rows, n_new)

    t_ours = best_times([ours], repeats)[0]
    t_floor_out = best_times([lambda: np.take(X, idx_out, axis=0)], repeats)[0]
    t_floor_new = best_times([lambda: np.take(X, idx_new, axis=0)], repeats)[0]

    peak, (X_res, y_res) = peak_extra_memory(ours)
    output_bytes = X_res.nbytes + y_res.nbytes
    del X_res, y_res

    t_smote = None
    if run_smote:
        smote = SMOTE(random_state=0)
        gc.collect()
        start = time.perf_counter()
        X_sm, _ = smote.fit_resample(X, y)
        t_smote = time.perf_counter() - start
        if X_sm.shape[0] != n_out:
            raise RuntimeError(f"SMOTE made {X_sm.shape[0]} rows, expected {n_out}")
        del X_sm

    return {
        "n_rows": n_rows,
        "n_new": n_new,
        "ours": t_ours,
        "floor_out": t_floor_out,
        "floor_new": t_floor_new,
        "smote": t_smote,
        "peak_ratio": peak / output_bytes,
    }


COLUMNS = (
    ("n_rows", 9),
    ("n_new", 9),
    ("fit_resample s", 14),
    ("floor(out) s", 12),
    ("ratio vs floor(out)", 19),
    ("ratio vs floor(new)", 19),
    ("SMOTE s", 9),
    ("SMOTE/ours", 10),
    ("peak mem / output", 17),
)


def format_row(row: dict) -> str:
    """Format one measured size as a line of the table."""
    if row["smote"] is None:
        smote, smote_ratio = "not run", "not run"
    else:
        smote = f"{row['smote']:.2f}"
        smote_ratio = f"{row['smote'] / row['ours']:.0f}x"
    cells = (
        f"{row['n_rows']:,}",
        f"{row['n_new']:,}",
        f"{row['ours']:.4f}",
        f"{row['floor_out']:.4f}",
        f"{row['ours'] / row['floor_out']:.2f}x",
        f"{row['ours'] / row['floor_new']:.2f}x",
        smote,
        smote_ratio,
        f"{row['peak_ratio']:.2f}x",
    )
    return format_cells(cells, COLUMNS)


def print_header(args) -> None:
    """Print versions, CPUs and the settings of the run."""
    print("skmixup resampling benchmark")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"skmixup {skmixup.__version__}, imblearn {imblearn.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    print(cpu_line())
    print(
        f"data: n_rows x {N_FEATURES} float32 standard normal, binary int64 y with "
        f"{MINORITY_FRACTION:.0%} minority; EpBetaMixupResampler(random_state=0), "
        "sampling_strategy='auto'"
    )
    print(
        f"timings: best of {args.repeats} (perf_counter); SMOTE(random_state=0) once, "
        f"skipped above {args.skip_smote_above:,} rows; peak memory by tracemalloc "
        "in a separate call"
    )
    print()


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10**5, 10**6],
        help="numbers of input rows (default: 100000 1000000)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per timing, best kept (default: 3)"
    )
    parser.add_argument(
        "--skip-smote-above",
        type=int,
        default=10**6,
        metavar="N",
        help="do not run SMOTE on more than N rows (default: 1000000, SMOTE runs on all)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None) -> None:
    """Run the benchmark and print the table."""
    args = parse_args(argv)
    start = time.perf_counter()
    print_header(args)
    header = format_cells([name for name, _ in COLUMNS], COLUMNS)
    print(header)
    print("-" * len(header))
    sys.stdout.flush()
    for n_rows in args.sizes:
        row = bench_size(n_rows, args.repeats, run_smote=n_rows <= args.skip_smote_above)
        print(format_row(row))
        sys.stdout.flush()
    print()
    print(GOALS)
    print(f"total run time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
