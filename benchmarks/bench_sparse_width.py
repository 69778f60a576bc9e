"""Benchmark ``EpBetaMixupResampler.fit_resample`` on wide sparse matrices.

A sparse input should cost what its non-zeros cost, not what its width
costs: no pass over every column index, no work array as long as a row.
The script times, side by side in one run (best of ``--repeats`` rounds,
each round calling every size once), ``fit_resample`` on CSR matrices of
256 rows and ``2**p`` columns for each ``p`` in ``--widths`` (default
``10 20``), all holding the same number of non-zeros (``--nnz``, default
5,000, uniform standard-normal values at random places drawn from
``np.random.default_rng(0)``), with a binary target of 200 and 56 rows
(``sampling_strategy='auto'``: 144 new rows). It reports each time and its
ratio to the narrowest matrix's; the goal is a ratio within 5x.

The matrices hold many columns with a single non-zero (two distinct values
with the implicit zeros), so ``BinaryFeatureWarning`` fires; it is silenced
here, its cost (building the message) is included.

BLAS threads are pinned to 1 (threadpoolctl), torch is not used.

Examples
--------
::

    python benchmarks/bench_sparse_width.py
    python benchmarks/bench_sparse_width.py --widths 10 16 20 --repeats 20
"""

from __future__ import annotations

import argparse
import platform
import sys
import warnings

import numpy as np
import scipy
import scipy.sparse as sp
from _common import best_times, cpu_line
from threadpoolctl import threadpool_limits

import skmixup
from skmixup import EpBetaMixupResampler

N_ROWS = 256
GOAL = 5.0


def make_data(n_columns: int, nnz: int):
    """CSR float64 of ``256 x n_columns`` with exactly ``nnz`` non-zeros, and y."""
    rng = np.random.default_rng(0)
    cells = rng.choice(N_ROWS * n_columns, size=nnz, replace=False)
    rows, columns = np.divmod(cells, n_columns)
    X = sp.csr_matrix((rng.standard_normal(nnz), (rows, columns)), shape=(N_ROWS, n_columns))
    y = np.r_[np.zeros(200, dtype=np.int64), np.ones(N_ROWS - 200, dtype=np.int64)]
    return X, y


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--nnz", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    print(
        f"skmixup {skmixup.__version__}, scipy {scipy.__version__}, numpy "
        f"{np.__version__}, Python {platform.python_version()}"
    )
    print(cpu_line())
    data = [make_data(2**p, args.nnz) for p in args.widths]

    def call(X, y):
        return lambda: EpBetaMixupResampler(random_state=0).fit_resample(X, y)

    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for X, y in data:  # warm up, and check the output stays sparse
            X_res, _ = call(X, y)()
            if not sp.issparse(X_res) or X_res.shape != (2 * 200, X.shape[1]):
                raise RuntimeError("unexpected output")
        times = best_times([call(X, y) for X, y in data], args.repeats)
    print(f"{'columns':>10}  {'nnz':>6}  {'fit_resample ms':>15}  {'ratio':>6}")
    for p, (X, _), t in zip(args.widths, data, times):
        print(f"{'2**' + str(p):>10}  {X.nnz:>6}  {t * 1e3:>15.2f}  {t / times[0]:>6.2f}")
    worst = max(times) / times[0]
    print(f"goal: every width within {GOAL:g}x of 2**{args.widths[0]}: worst {worst:.2f}x")
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
