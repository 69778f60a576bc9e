"""Who mixes with whom: random partners and optimal-transport k-block matching.

A pairing chooses, inside one group of rows (a class, a batch), the anchor
and the partner of every pair. ``OTBlockPairing`` implements k-mixup: two
random k-subsets of the group are matched by the permutation that minimises
the total squared Euclidean distance (an assignment problem), so partners
are near neighbours in the sense of optimal transport.

Distances are computed with one batched matrix product on the array's own
namespace and device (numpy, or torch on CPU or CUDA); only the ``k x k``
cost blocks cross to the host for scipy's ``linear_sum_assignment``. numpy's
small products run on one BLAS thread, so that a busy machine's thread pool
cannot multiply their cost.
"""

from __future__ import annotations

import math
import numbers
from contextlib import nullcontext

import numpy as np
import scipy.sparse as sp
from array_api_compat import array_namespace, device
from scipy.optimize import linear_sum_assignment
from scipy.special import betainc
from sklearn.base import BaseEstimator
from threadpoolctl import ThreadpoolController

from skmixup._engine import _gather
from skmixup._random import as_generator

__all__ = [
    "RandomPairing",
    "OTBlockPairing",
    "match_blocks",
    "mean_min_weight_squared",
    "perturbation_size",
    "fixed_perturbation_alpha",
]

# Blocks are gathered and costed in batches of about this many bytes.
_BATCH_BYTES = 8 << 20

_threadpools: ThreadpoolController | None = None


def _single_blas_thread():
    """Context in which numpy's BLAS uses one thread (small batched products)."""
    global _threadpools
    if _threadpools is None:
        _threadpools = ThreadpoolController()
    return _threadpools.limit(limits=1, user_api="blas")


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be an integer >= 1, got {type(k).__name__}.")
    if k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k}.")
    return int(k)


class RandomPairing(BaseEstimator):
    """Anchor uniform in the group, partner uniform among the *other* members.

    Excluding ``j = i`` avoids emitting exact copies; with a variance-preserving
    law the mixed rows still have exactly the group's empirical mean and
    covariance in expectation (``ALGORITHMS.md`` section 1).
    """

    needs_data = False

    def _validate(self) -> RandomPairing:
        return self

    def pair(self, X, members, n_pairs, rng):
        size = members.shape[0]
        anchor_pos = rng.integers(0, size, n_pairs)
        offset = rng.integers(1, size, n_pairs) if size > 1 else 0
        partner_pos = (anchor_pos + offset) % size
        return members[anchor_pos], members[partner_pos]

    def pair_batch(self, X, members, rng):
        """Every member anchors once; partners are a random permutation
        (classic mixup of a training batch)."""
        return members, members[rng.permutation(members.shape[0])]

    def pair_on_device(self, X, labels, generator):
        """Partner of each row of a torch batch: a uniformly random permutation
        (within each class when ``labels`` is given), drawn on the device."""
        import torch

        n_rows, where = X.shape[0], generator.device
        shuffled = torch.randperm(n_rows, generator=generator, device=where)
        if labels is None:
            return shuffled
        # Random order inside each class, classes in sorted order; the rows
        # in their own order sorted the same way get those as partners.
        grouped_shuffled = shuffled[torch.argsort(labels[shuffled], stable=True)]
        grouped = torch.argsort(labels, stable=True)
        partners = torch.empty_like(grouped)
        partners[grouped] = grouped_shuffled
        return partners

    def __repr__(self) -> str:
        return "RandomPairing()"


def _block_costs(xp, A, B):
    """Assignment costs between paired blocks, shape (n_blocks, k, k).

    The squared distance ``|a|^2 + |b|^2 - 2 a.b`` summed over any
    permutation adds every ``|a|^2`` and ``|b|^2`` exactly once, so the
    optimal permutation depends on ``-a.b`` alone: one batched matrix
    product, no norms. Both blocks are first shifted by the first row of
    the first block (in place: they are fresh gathers); any shift common to
    both blocks changes every permutation's total by the same constant, and
    this one removes an offset far from the origin (values near 1e4 in
    float32), which would otherwise lose the differences between rows to
    rounding. A row of the data costs no reduction pass, unlike the mean.
    """
    shift = xp.asarray(A[:, :1, :], copy=True)
    A -= shift
    B -= shift
    return -xp.matmul(A, xp.permute_dims(B, (0, 2, 1)))


def _to_host(array) -> np.ndarray:
    if isinstance(array, np.ndarray):
        return array
    return np.asarray(array.detach().cpu()) if hasattr(array, "detach") else np.asarray(array)


def _solve_blocks(costs: np.ndarray) -> np.ndarray:
    """Optimal permutation of each ``k x k`` cost block (one small assignment each)."""
    perms = np.empty(costs.shape[:2], dtype=np.intp)
    for block, cost in enumerate(costs):
        perms[block] = linear_sum_assignment(cost)[1]
    return perms


def match_blocks(A, B) -> np.ndarray:
    """Optimal-transport matching of paired blocks of rows.

    For every block ``t`` returns the permutation ``sigma`` minimising
    ``sum_i ||A[t, i] - B[t, sigma(i)]||^2``.

    Parameters
    ----------
    A, B : array of shape (n_blocks, k, n_features)
        numpy arrays or array-API arrays (e.g. torch tensors on any device);
        the costs are computed there, only they cross to the host.

    Returns
    -------
    sigma : ndarray of shape (n_blocks, k), dtype intp
        ``A[t, i]`` is matched with ``B[t, sigma[t, i]]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.pairing import match_blocks
    >>> A = np.array([[[0.0], [10.0]]])
    >>> B = np.array([[[9.0], [1.0]]])
    >>> match_blocks(A, B).tolist()
    [[1, 0]]
    """
    xp = array_namespace(A, B)
    if A.ndim != 3 or B.ndim != 3 or A.shape != B.shape:
        raise ValueError(
            f"A and B must have the same shape (n_blocks, k, n_features); got {A.shape} "
            f"and {B.shape}."
        )
    with _single_blas_thread() if isinstance(A, np.ndarray) else nullcontext():
        costs = _block_costs(xp, xp.asarray(A, copy=True), xp.asarray(B, copy=True))
    return _solve_blocks(_to_host(costs).astype(np.float64, copy=False))


class OTBlockPairing(BaseEstimator):
    """k-mixup pairing: optimal-transport matching of random k-blocks.

    Each round shuffles the group twice, splits both shuffles into blocks of
    ``k`` rows (the last block may be shorter) and matches block ``t`` of the
    first shuffle with block ``t`` of the second by the assignment of least
    total squared distance. A row is never matched with itself (that pair
    would be an exact copy) unless a block of one row leaves no choice, so a
    group no larger than ``k`` is matched as one block with the optimal
    derangement of its rows. ``k = 1`` is classic random pairing.

    Parameters
    ----------
    k : int
        Block size, ``>= 1`` (stored as given, scikit-learn style, and
        checked when pairs are drawn, so a search may set ``pairing__k``).
    """

    needs_data = True

    def __init__(self, k: int = 16):
        self.k = k

    def _validate(self) -> OTBlockPairing:
        _check_k(self.k)
        return self

    def __repr__(self) -> str:
        return f"OTBlockPairing(k={self.k})"

    def pair_batch(self, X, members, rng):
        """Every member anchors once: one round of block matching."""
        if _check_k(self.k) == 1:
            return RandomPairing().pair_batch(X, members, rng)
        return self.pair(X, members, members.shape[0], rng)

    def pair_on_device(self, X, labels, generator):
        """Partner of each row of a torch batch, by one round of block matching
        (within each class when ``labels`` is given).

        Shuffles, gathers and costs stay on the batch's device; the ``k x k``
        cost blocks go to the host for the assignment and the matched
        positions come back.
        """
        import torch

        if _check_k(self.k) == 1:
            return RandomPairing().pair_on_device(X, labels, generator)
        n_rows, where = X.shape[0], generator.device
        flat = X.reshape(n_rows, -1)
        if labels is None:
            groups = [torch.arange(n_rows, device=where)]
        else:
            groups = [torch.nonzero(labels == label)[:, 0] for label in torch.unique(labels)]
        partners = torch.arange(n_rows, device=where)  # a lone row is its own partner
        for members in groups:
            size = members.shape[0]
            if size < 2:
                continue
            first = members[torch.randperm(size, generator=generator, device=where)]
            second = members[torch.randperm(size, generator=generator, device=where)]
            matched = torch.as_tensor(self._match_round(flat, first, second), device=where)
            partners[first] = second[matched]
        return partners

    def pair(self, X, members, n_pairs, rng):
        if _check_k(self.k) == 1:
            return RandomPairing().pair(X, members, n_pairs, rng)
        if sp.issparse(X):
            X = X.tocsr()  # once: every batch of blocks gathers rows
        size = members.shape[0]
        anchors, partners = [], []
        remaining = n_pairs
        while remaining > 0:
            take = min(size, remaining)
            first = members[rng.permutation(size)[:take]]
            second = members[rng.permutation(size)[:take]]
            matched = self._match_round(X, first, second)
            anchors.append(first)
            partners.append(second[matched])
            remaining -= take
        return np.concatenate(anchors), np.concatenate(partners)

    def _match_round(self, X, first, second) -> np.ndarray:
        """Positions in ``second`` matched to each position of ``first``.

        ``first`` and ``second`` index the rows of ``X``: numpy arrays, or
        tensors on the device of a torch ``X``.
        """
        n_rows, k = first.shape[0], min(self.k, first.shape[0])
        n_full = n_rows // k
        positions = np.empty(n_rows, dtype=np.intp)
        row_bytes = max(1, _row_width(X) * X.dtype.itemsize)
        blocks_per_batch = max(1, _BATCH_BYTES // (2 * k * row_bytes))
        on_host_blas = isinstance(X, np.ndarray) or sp.issparse(X)
        with _single_blas_thread() if on_host_blas else nullcontext():
            for start in range(0, n_full, blocks_per_batch):
                stop = min(start + blocks_per_batch, n_full)
                rows = slice(start * k, stop * k)
                perms = self._match(X, first[rows].reshape(-1, k), second[rows].reshape(-1, k))
                offsets = np.arange(start * k, stop * k, k)[:, None]
                positions[rows] = (perms + offsets).ravel()
            if n_full * k < n_rows:
                rest = slice(n_full * k, n_rows)
                perms = self._match(X, first[rest][None, :], second[rest][None, :])
                positions[rest] = perms[0] + n_full * k
        return positions

    def _match(self, X, first_blocks, second_blocks) -> np.ndarray:
        A, B = _gather_blocks(X, first_blocks, second_blocks)
        costs = _to_host(_block_costs(array_namespace(A), A, B)).astype(np.float64, copy=False)
        # A row matched with itself would be an exact copy. The penalty is
        # more than any difference between two assignments' totals, so a
        # self-match is avoided whenever a derangement exists.
        first_blocks, second_blocks = _to_host(first_blocks), _to_host(second_blocks)
        same = first_blocks[:, :, None] == second_blocks[:, None, :]
        if same.any():
            spread = np.ptp(costs, axis=(1, 2), keepdims=True)
            costs = costs + same * (1.0 + costs.shape[1] * spread)
        return _solve_blocks(costs)


def _row_width(X) -> int:
    return math.prod(X.shape[1:])


def _gather_blocks(X, first_blocks: np.ndarray, second_blocks: np.ndarray):
    """Rows of paired (n_blocks, k) index blocks, as two (n_blocks, k, n_features) arrays.

    Sparse rows are densified over the columns that hold a non-zero in
    these blocks only: the other columns are zero in both blocks and add
    nothing to any cost, and a wide sparse matrix would not fit densified.
    """
    n_blocks, k = first_blocks.shape
    if sp.issparse(X):  # CSR here (see OTBlockPairing.pair)
        rows = X[np.concatenate([first_blocks.ravel(), second_blocks.ravel()])]
        used = np.unique(rows.indices)
        dense = rows[:, used].toarray()
        return dense[: n_blocks * k].reshape(n_blocks, k, -1), dense[n_blocks * k :].reshape(
            n_blocks, k, -1
        )
    xp = array_namespace(X)
    # host indices for a device X move to its device
    first, second = (xp.asarray(b, device=device(X)) for b in (first_blocks, second_blocks))
    both = xp.concat([xp.reshape(first, (-1,)), xp.reshape(second, (-1,))])
    rows = xp.reshape(_gather(xp, X, both), (2, n_blocks, k, _row_width(X)))
    return rows[0, ...], rows[1, ...]


def mean_min_weight_squared(alpha: float) -> float:
    """``E[min(W, 1 - W)^2]`` for ``W ~ Beta(alpha, alpha)``, in closed form.

    By symmetry it is ``2 E[W^2; W < 1/2]``, which equals
    ``(alpha + 1) / (2 alpha + 1) * I_{1/2}(alpha + 2, alpha)`` with ``I`` the
    regularised incomplete Beta function.

    Examples
    --------
    >>> from skmixup.pairing import mean_min_weight_squared
    >>> round(mean_min_weight_squared(1.0), 6)  # uniform: 2 * integral_0^1/2 w^2 dw
    0.083333
    """
    alpha = float(alpha)
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha!r}.")
    return float((alpha + 1.0) / (2.0 * alpha + 1.0) * betainc(alpha + 2.0, alpha, 0.5))


def _matched_squared_distance(X, groups, k: int, rng) -> float:
    """Mean squared distance of pairs drawn by the k-block pairing (one round per group)."""
    pairing = OTBlockPairing(k)
    total, count = 0.0, 0
    for members in groups:
        if members.shape[0] < 2:
            continue
        anchors, partners = pairing.pair(X, members, members.shape[0], rng)
        diff = X[anchors] - X[partners]
        diff = diff.toarray() if sp.issparse(diff) else np.asarray(diff)
        total += float(np.sum(diff * diff))
        count += anchors.shape[0]
    if count == 0:
        raise ValueError("estimating the perturbation needs a group with at least 2 rows.")
    return total / count


def _sampled_groups(X, y, max_rows: int, rng):
    """Validated ``X`` (at most ``max_rows`` rows, sampled uniformly) and its groups."""
    from sklearn.utils.validation import check_array

    X = check_array(X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])
    if y is None:
        labels = np.zeros(X.shape[0], dtype=np.intp)
    else:
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}.")
        labels = np.unique(y, return_inverse=True)[1].ravel()
    if X.shape[0] > max_rows:
        keep = np.sort(rng.choice(X.shape[0], max_rows, replace=False))
        X, labels = X[keep], labels[keep]
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    return X, groups


def perturbation_size(
    X, k: int, alpha: float, *, y=None, max_rows: int = 4096, random_state=None
) -> float:
    """Root-mean-square perturbation ``xi`` of k-mixup with ``Beta(alpha, alpha)``.

    ``xi^2 = D_k * E[min(W, 1 - W)^2]`` where ``D_k`` is the mean squared
    distance of matched pairs (``ALGORITHMS.md`` section 3), estimated on at
    most ``max_rows`` rows of ``X`` (within each class when ``y`` is given).

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
    k : int
        Block size; ``k = 1`` is classic mixup.
    alpha : float
        Parameter of the symmetric Beta law.
    y : array-like of shape (n_samples,), default=None
        Class labels; pairs are then drawn within classes.
    max_rows : int, default=4096
        Rows sampled (uniformly) to estimate ``D_k``.
    random_state : int, RandomState instance, Generator or None, default=None

    Returns
    -------
    xi : float

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.pairing import perturbation_size
    >>> X = np.random.default_rng(0).normal(size=(2000, 2))
    >>> xi_1 = perturbation_size(X, 1, 1.0, random_state=0)
    >>> xi_16 = perturbation_size(X, 16, 1.0, random_state=0)
    >>> bool(xi_16 < xi_1)  # matched partners are closer
    True
    """
    k = _check_k(k)
    rng = as_generator(random_state)
    X, groups = _sampled_groups(X, y, max_rows, rng)
    distance = _matched_squared_distance(X, groups, k, rng)
    return float(np.sqrt(distance * mean_min_weight_squared(alpha)))


def fixed_perturbation_alpha(
    X,
    k: int,
    alpha: float,
    *,
    y=None,
    growth: float = 1.05,
    cap: float = 100.0,
    max_rows: int = 4096,
    random_state=None,
) -> tuple[float, bool]:
    """``alpha_k`` whose k-mixup perturbation matches classic mixup's at ``alpha``.

    Estimates ``D_1`` and ``D_k`` on the same rows, then multiplies ``alpha``
    by ``growth`` until ``xi(k, alpha_k) >= xi(1, alpha)`` or ``cap`` is
    reached, so the result overshoots the target by less than one step.

    Parameters
    ----------
    X, k, alpha, y, max_rows, random_state
        As in :func:`perturbation_size`.
    growth : float, default=1.05
        Factor of the geometric search, ``> 1``.
    cap : float, default=100.0
        Largest ``alpha_k`` tried.

    Returns
    -------
    alpha_k : float
    capped : bool
        True when the cap stopped the search before the target was reached
        (matched partners are so close that no symmetric Beta law makes the
        perturbation as large as classic mixup's).
    """
    k = _check_k(k)
    if not growth > 1:
        raise ValueError(f"growth must be > 1, got {growth!r}.")
    target_law = mean_min_weight_squared(alpha)
    if k == 1:
        return float(alpha), False
    rng = as_generator(random_state)
    X, groups = _sampled_groups(X, y, max_rows, rng)
    d_1 = _matched_squared_distance(X, groups, 1, rng)
    d_k = _matched_squared_distance(X, groups, k, rng)
    alpha_k = float(alpha)
    while d_k * mean_min_weight_squared(alpha_k) < d_1 * target_law:
        if alpha_k >= cap:
            return float(cap), True
        alpha_k = min(alpha_k * growth, cap)
    return alpha_k, False
