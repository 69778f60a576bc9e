"""Benchmark k-mixup's block matching and ``KMixupResampler`` against their references.

The machine this runs on is shared and noisy, so absolute seconds mean
little; what the script reports are ratios of timings taken side by side in
one run. Every timing is the best of ``--repeats`` runs measured with
:func:`time.perf_counter`, and the functions compared on one line are run
in turn inside each repeat, so they see the same load.

Part 1: matching a training batch
---------------------------------
For every batch size ``B``, number of features ``d`` and block size ``k``
the batch ``X`` is ``B x d`` float32 standard normal, and ``perm1``,
``perm2`` are two random permutations of its rows.

ours ms
    ``match_blocks(X[perm1].reshape(B // k, k, d), X[perm2].reshape(B // k, k, d))``,
    the gathers and reshapes included.
global LSA ms
    The reference: one :func:`scipy.optimize.linear_sum_assignment` over the
    ``B x B`` cost matrix of ``X[perm1]`` against ``X[perm2]`` (all squared
    distances by one matrix product, in float32 as ours) with
    ``1 + B * (max - min)`` added to every entry off the ``k x k`` diagonal
    blocks, so that any assignment leaving a block costs more than every
    assignment that does not. Gathers, building the matrix and the penalty
    are included.
global/ours
    Goal: at least 10x. At large ``d`` both sides are dominated by computing
    the costs, so this ratio says little there (about 2x at ``d = 3072``);
    the floor ratio below is the goal that matters at large ``d``.
floor ms
    What any block matching must pay: the two block gathers
    ``X[perm1].reshape(B // k, k, d)``, ``X[perm2].reshape(...)`` and one
    batched product ``np.matmul(A, B.transpose(0, 2, 1))``, on one BLAS
    thread as ours (the whole of Part 1 runs under one BLAS thread).
ours/floor
    Goal: at most 1.5x for ``k = 16`` at the largest ``d`` (3072; 512 with
    ``--quick``).
ours/random
    Ours against classic mixup's pairing of a batch: drawing one random
    permutation and gathering the partner rows ``X[perm]``.
cost equal
    "yes" when both matchings stay inside the blocks and their total
    squared distances, recomputed in float64, agree with
    ``np.isclose(..., rtol=1e-6)``; the script stops otherwise.

Part 2: the resampler
---------------------
``X`` is ``n_rows x 64`` float32 standard normal (``n_rows = 10**5``).
``KMixupResampler(k=16, random_state=0).fit_resample`` is timed against the
same call with ``k=1`` (random pairing, everything else equal), for

* a continuous target ``y = X[:, 0]`` with ``target_type="regression"``:
  the whole table is one group and ``n_rows`` new rows are made;
* a binary int64 target with 30% minority rows at random places and the
  default ``sampling_strategy='auto'``, which makes ``0.4 * n_rows`` new
  minority rows.

Goal: ``k=16`` takes no more than 5x the time of ``k=1``.

``--quick`` shrinks everything (``B`` in {256, 512}, ``d`` in {64, 512},
``n_rows = 10**4``) for a smoke test.

Examples
--------
::

    python benchmarks/bench_kmixup.py
    python benchmarks/bench_kmixup.py --quick --repeats 1
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import numpy as np
import scipy
from _common import best_times, cpu_line, format_cells
from scipy.optimize import linear_sum_assignment
from threadpoolctl import threadpool_limits

import skmixup
from skmixup import KMixupResampler
from skmixup.pairing import match_blocks

BATCH_SIZES = (512, 2048)
N_FEATURES = (64, 3072)
QUICK_BATCH_SIZES = (256, 512)
QUICK_N_FEATURES = (64, 512)
BLOCK_SIZES = (4, 16, 32)
RESAMPLER_ROWS = 10**5
QUICK_RESAMPLER_ROWS = 10**4
RESAMPLER_FEATURES = 64
RESAMPLER_K = 16
MINORITY_FRACTION = 0.3
MATCH_GOAL = 10.0
FLOOR_GOAL = 1.5
FLOOR_GOAL_K = 16
RESAMPLER_GOAL = 5.0


# -- Part 1 ------------------------------------------------------------------


def match_ours(X: np.ndarray, perm1: np.ndarray, perm2: np.ndarray, k: int) -> np.ndarray:
    """skmixup's block matching of ``X[perm1]`` against ``X[perm2]``: (B // k, k)."""
    n_rows, n_features = X.shape
    A = X[perm1].reshape(n_rows // k, k, n_features)
    B = X[perm2].reshape(n_rows // k, k, n_features)
    return match_blocks(A, B)


def match_global(X: np.ndarray, perm1: np.ndarray, perm2: np.ndarray, k: int) -> np.ndarray:
    """One assignment over the penalised ``B x B`` matrix: column of each row, (B,)."""
    A, B = X[perm1], X[perm2]
    sq_a = np.einsum("ij,ij->i", A, A)
    sq_b = np.einsum("ij,ij->i", B, B)
    costs = (sq_a[:, None] + sq_b[None, :] - 2.0 * (A @ B.T)).astype(np.float64)
    block = np.arange(X.shape[0]) // k
    off_block = block[:, None] != block[None, :]
    # Every entry is >= min, so an assignment using one off-block entry costs
    # more than B * max >= the cost of any assignment inside the blocks.
    penalty = 1.0 + X.shape[0] * (costs.max() - costs.min())
    costs += off_block * penalty
    return linear_sum_assignment(costs)[1]


def match_floor(X: np.ndarray, perm1: np.ndarray, perm2: np.ndarray, k: int) -> np.ndarray:
    """The two block gathers and the batched product: the floor of any block matching."""
    n_rows, n_features = X.shape
    A = X[perm1].reshape(n_rows // k, k, n_features)
    B = X[perm2].reshape(n_rows // k, k, n_features)
    return np.matmul(A, B.transpose(0, 2, 1))


def pair_random(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Classic mixup's pairing of a batch: a random permutation and its rows."""
    return X[rng.permutation(X.shape[0])]


def matched_cost(X64: np.ndarray, anchors: np.ndarray, partners: np.ndarray) -> float:
    """Total squared Euclidean distance of the pairs, in float64."""
    diff = X64[anchors] - X64[partners]
    return float(np.einsum("ij,ij->", diff, diff))


def check_costs(X, perm1, perm2, k, sigma, columns) -> tuple[float, float]:
    """Check both matchings and return their total costs (ours, global).

    Raises
    ------
    RuntimeError
        If a matching is not a permutation inside each block, or the totals
        differ by more than ``rtol=1e-6``.
    """
    n_rows = X.shape[0]
    n_blocks = n_rows // k
    X64 = X.astype(np.float64)
    if not np.array_equal(np.sort(sigma, axis=1), np.broadcast_to(np.arange(k), (n_blocks, k))):
        raise RuntimeError("match_blocks did not return a permutation of every block")
    partners_ours = perm2.reshape(n_blocks, k)[np.arange(n_blocks)[:, None], sigma].ravel()
    if not np.array_equal(np.sort(columns), np.arange(n_rows)):
        raise RuntimeError("the global assignment is not a permutation")
    if not np.array_equal(columns // k, np.arange(n_rows) // k):
        raise RuntimeError("the global assignment left the diagonal blocks")
    cost_ours = matched_cost(X64, perm1, partners_ours)
    cost_global = matched_cost(X64, perm1, perm2[columns])
    if not np.isclose(cost_ours, cost_global, rtol=1e-6):
        raise RuntimeError(
            f"matched costs differ: ours {cost_ours!r}, global LSA {cost_global!r} "
            f"(B={n_rows}, k={k})"
        )
    return cost_ours, cost_global


MATCH_COLUMNS = (
    ("B", 5),
    ("d", 5),
    ("k", 3),
    ("ours ms", 9),
    ("global LSA ms", 13),
    ("random ms", 9),
    ("floor ms", 8),
    ("global/ours", 11),
    ("ours/floor", 10),
    ("ours/random", 11),
    ("cost equal", 10),
)


def bench_matching(batch_sizes, n_features, repeats: int) -> tuple[list[float], list[float]]:
    """Print the table of Part 1; return the global/ours ratios and the
    ours/floor ratios for k = 16 at the largest ``d``."""
    header = format_cells([name for name, _ in MATCH_COLUMNS], MATCH_COLUMNS)
    print("Part 1: matching a training batch (float32 standard normal X of shape (B, d))")
    print(header)
    print("-" * len(header))
    sys.stdout.flush()
    ratios, floor_ratios = [], []
    for n_rows in batch_sizes:
        for d in n_features:
            data_rng = np.random.default_rng([n_rows, d])
            X = data_rng.standard_normal((n_rows, d), dtype=np.float32)
            for k in BLOCK_SIZES:
                perm1, perm2 = data_rng.permutation(n_rows), data_rng.permutation(n_rows)
                sigma = match_ours(X, perm1, perm2, k)
                columns = match_global(X, perm1, perm2, k)
                check_costs(X, perm1, perm2, k, sigma, columns)
                random_rng = np.random.default_rng(0)
                t_ours, t_global, t_random, t_floor = best_times(
                    [
                        lambda X=X, p1=perm1, p2=perm2, k=k: match_ours(X, p1, p2, k),
                        lambda X=X, p1=perm1, p2=perm2, k=k: match_global(X, p1, p2, k),
                        lambda X=X, rng=random_rng: pair_random(X, rng),
                        lambda X=X, p1=perm1, p2=perm2, k=k: match_floor(X, p1, p2, k),
                    ],
                    repeats,
                )
                ratios.append(t_global / t_ours)
                if d == max(n_features) and k == FLOOR_GOAL_K:
                    floor_ratios.append(t_ours / t_floor)
                cells = (
                    n_rows,
                    d,
                    k,
                    f"{t_ours * 1e3:.3f}",
                    f"{t_global * 1e3:.2f}",
                    f"{t_random * 1e3:.3f}",
                    f"{t_floor * 1e3:.3f}",
                    f"{t_global / t_ours:.1f}x",
                    f"{t_ours / t_floor:.2f}x",
                    f"{t_ours / t_random:.1f}x",
                    "yes",
                )
                print(format_cells(cells, MATCH_COLUMNS))
                sys.stdout.flush()
    print()
    return ratios, floor_ratios


# -- Part 2 ------------------------------------------------------------------


RESAMPLER_COLUMNS = (
    ("target", 35),
    ("new rows", 9),
    ("k=16 s", 8),
    ("k=1 s", 8),
    ("k=16 / k=1", 10),
)


def bench_resampler(n_rows: int, repeats: int) -> list[float]:
    """Print the table of Part 2 and return the k=16 / k=1 ratios."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_rows, RESAMPLER_FEATURES), dtype=np.float32)
    y_regression = X[:, 0].copy()
    y_classes = np.zeros(n_rows, dtype=np.int64)
    y_classes[rng.permutation(n_rows)[: int(MINORITY_FRACTION * n_rows)]] = 1
    cases = (
        ("continuous y = X[:, 0] (regression)", y_regression, {"target_type": "regression"}),
        (f"binary, {MINORITY_FRACTION:.0%} minority, 'auto'", y_classes, {}),
    )
    print(
        f"Part 2: KMixupResampler.fit_resample on {n_rows:,} x {RESAMPLER_FEATURES} float32 "
        f"standard normal X, k={RESAMPLER_K} vs k=1 (random pairing), random_state=0"
    )
    header = format_cells([name for name, _ in RESAMPLER_COLUMNS], RESAMPLER_COLUMNS, left=1)
    print(header)
    print("-" * len(header))
    sys.stdout.flush()
    ratios = []
    for label, y, params in cases:

        def run(k, y=y, params=params):
            return KMixupResampler(k=k, random_state=0, **params).fit_resample(X, y)

        X_k, _ = run(RESAMPLER_K)
        X_1, _ = run(1)
        if X_k.shape != X_1.shape or X_k.dtype != np.float32:
            raise RuntimeError(f"outputs differ: {X_k.shape} {X_k.dtype} vs {X_1.shape}")
        n_new = X_k.shape[0] - n_rows
        del X_k, X_1
        t_k, t_1 = best_times([lambda run=run: run(RESAMPLER_K), lambda run=run: run(1)], repeats)
        ratios.append(t_k / t_1)
        cells = (label, f"{n_new:,}", f"{t_k:.4f}", f"{t_1:.4f}", f"{t_k / t_1:.2f}x")
        print(format_cells(cells, RESAMPLER_COLUMNS, left=1))
        sys.stdout.flush()
    print()
    return ratios


# -- driver ------------------------------------------------------------------


def print_header(args) -> None:
    """Print versions, CPUs and the settings of the run."""
    print("skmixup k-mixup benchmark" + (" (--quick)" if args.quick else ""))
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"skmixup {skmixup.__version__}"
    )
    print(cpu_line())
    print(f"timings: best of {args.repeats} (perf_counter), compared functions run in turn")
    print()


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per timing, best kept (default: 3)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes for a smoke test (B in 256 512, d in 64 512, 10**4 rows)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None) -> None:
    """Run both parts and print the tables and the goals."""
    args = parse_args(argv)
    start = time.perf_counter()
    print_header(args)
    if args.quick:
        with threadpool_limits(limits=1, user_api="blas"):
            match_ratios, floor_ratios = bench_matching(
                QUICK_BATCH_SIZES, QUICK_N_FEATURES, args.repeats
            )
        resampler_ratios = bench_resampler(QUICK_RESAMPLER_ROWS, args.repeats)
    else:
        with threadpool_limits(limits=1, user_api="blas"):
            match_ratios, floor_ratios = bench_matching(BATCH_SIZES, N_FEATURES, args.repeats)
        resampler_ratios = bench_resampler(RESAMPLER_ROWS, args.repeats)
    met_match = min(match_ratios) >= MATCH_GOAL
    met_resampler = max(resampler_ratios) <= RESAMPLER_GOAL
    met_floor = max(floor_ratios) <= FLOOR_GOAL
    print(
        f"goal: block matching >= {MATCH_GOAL:.0f}x faster than one global LSA "
        f"(worst: {min(match_ratios):.1f}x, {'met' if met_match else 'NOT met'})"
    )
    print(
        f"goal: block matching within {FLOOR_GOAL}x of its floor (gathers + product), "
        f"k={FLOOR_GOAL_K} at the largest d (worst: {max(floor_ratios):.2f}x, "
        f"{'met' if met_floor else 'NOT met'})"
    )
    print(
        f"goal: KMixupResampler k={RESAMPLER_K} within {RESAMPLER_GOAL:.0f}x the time of k=1 "
        f"(worst: {max(resampler_ratios):.2f}x, {'met' if met_resampler else 'NOT met'})"
    )
    print(f"total run time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
