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

# Host blocks are gathered and costed in batches of about this many bytes
# (the gathers stay in memory while their costs are computed) ...
_BATCH_BYTES = 8 << 20
# ... and shifted and multiplied a few blocks at a time in a buffer of about
# this size, which stays in the CPU's cache.
_CACHE_BYTES = 1 << 20
# Device batches are matched in one transfer of cost blocks each way unless
# the gathered blocks would exceed this size.
_DEVICE_BATCH_BYTES = 1 << 30
# CPU tensors of numpy's float dtypes are costed by the numpy path (tests
# turn this off to count the device path's transfers on CPU).
_HOST_COSTS_ON_CPU = True
_NUMPY_FLOATS = ("float32", "float64")

_threadpools: ThreadpoolController | None = None


def _single_blas_thread():
    """Context in which numpy's BLAS uses one thread (small batched products).

    Setting the limit inspects every loaded library (about 0.5 ms), so it is
    skipped when every BLAS already runs one thread.
    """
    global _threadpools
    if _threadpools is None:
        _threadpools = ThreadpoolController().select(user_api="blas")
    if all(library.num_threads == 1 for library in _threadpools.lib_controllers):
        return nullcontext()
    return _threadpools.limit(limits=1)


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

    In a training batch (:meth:`pair_batch`, :meth:`pair_on_device`) every
    row anchors once and the partners are a uniformly random cyclic order
    of the group's rows, each row paired with the next one: a permutation
    without fixed points in which each row's partner is uniform among the
    group's other rows (probability ``1 / (m - 1)`` in a group of ``m``). A
    group of one row is paired with itself.
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
        """Every member anchors once; its partner is the next member in a
        uniformly random cyclic order (never itself in a group of two or more)."""
        order = rng.permutation(members.shape[0])
        partner_pos = np.empty_like(order)
        partner_pos[order] = np.roll(order, -1)
        return members, members[partner_pos]

    def pair_on_device(self, X, labels, generator):
        """Partner of each row of a torch batch, drawn on the device.

        The next row in a uniformly random cyclic order of the batch (of
        each class when ``labels`` is given, classes then sorted): a fixed
        number of torch ops and nothing read back to the host.
        """
        import torch

        n_rows, where = X.shape[0], generator.device
        if labels is None:
            order = torch.randperm(n_rows, generator=generator, device=where)
            following = order.roll(-1)
        else:
            # Rows sorted by label + U(0, 1): classes in order, a random
            # order inside each; the last row of a class wraps to its first.
            dtype = torch.float32 if where.type == "mps" else torch.float64
            keys = torch.rand(n_rows, generator=generator, dtype=dtype, device=where)
            classes, order = torch.sort(keys.add_(labels))
            classes.floor_()
            first_of_class = order.index_select(0, torch.searchsorted(classes, classes))
            following = torch.where(classes.roll(-1) == classes, order.roll(-1), first_of_class)
        return torch.empty_like(order).scatter_(0, order, following)

    def __repr__(self) -> str:
        return "RandomPairing()"


def _host_block_costs(A: np.ndarray, B: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Assignment costs between paired numpy blocks, float64 of shape (n_blocks, k, k).

    ``A`` and ``B`` are blocks of rows, shape (n_blocks, k, n_features); or,
    with ``rows``, blocks of indices into ``rows``, shape (n_blocks, k),
    gathered here a few blocks at a time.

    The squared distance ``|a|^2 + |b|^2 - 2 a.b`` summed over any
    permutation adds every ``|a|^2`` and ``|b|^2`` exactly once, so the
    optimal permutation depends on ``-a.b`` alone: one batched matrix
    product, no norms. Both blocks are shifted by the first row of the first
    block: any shift common to both blocks changes every permutation's total
    by the same constant, and this one removes an offset far from the origin
    (values near 1e4 in float32), which would otherwise lose the differences
    between rows to rounding. Gather, shift and product run a few blocks at
    a time in a buffer that stays in the CPU's cache, so the rows are read
    once from memory and no block is copied whole.
    """
    source = A if rows is None else rows
    n_blocks, k = A.shape[:2]
    n_features = A.shape[2] if rows is None else _row_width(rows)
    dtype = np.result_type(source.dtype, np.float32)
    flat = None if rows is None else rows.reshape(rows.shape[0], n_features)
    sample = (A[0], B[0]) if flat is None else (flat[A[0]], flat[B[0]])
    products = np.empty((n_blocks, k, k), dtype=dtype)
    if flat is None and A.dtype == B.dtype == dtype and not _needs_shift(*sample):
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: rescaled below
            np.matmul(A, B.transpose(0, 2, 1), out=products)
        return _finite_costs(products, A, B)
    shift = np.asarray(sample[0][0], dtype=dtype).reshape(1, n_features)
    step = max(1, _CACHE_BYTES // max(1, 2 * k * n_features * dtype.itemsize))
    buffers = np.empty((2, min(step, n_blocks), k, n_features), dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: rescaled below
        for start in range(0, n_blocks, step):
            stop = min(start + step, n_blocks)
            _block_products(A, B, flat, shift, buffers, products, start, stop)
    if flat is not None:
        return _finite_costs(products, lambda: flat[A], lambda: flat[B])
    return _finite_costs(products, A, B)


def _needs_shift(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a sample of rows (four of each block) lies far from the
    origin for its spread: ``|x - a[0]| < |a[0]| / 4`` for every sampled ``x``.

    Rounding in a float32 product ``a.b`` is about ``eps |a| |b|``, against
    differences between costs of about ``|a - a'| |b|``: without the shift
    the relative error is ``eps |a| / |a - a'|``, below ``4 eps`` (1e-6 in
    float32) whenever this is False, and the shift (a pass over both blocks)
    is skipped.
    """
    n_features = math.prod(a.shape[1:])
    if n_features == 0:
        return False
    centre = a[0].reshape(n_features)
    # four rows of each block: small temporaries (no fresh pages to fault in)
    sample = np.concatenate([a[:4], b[:4]]).reshape(-1, n_features) - centre
    spread = np.max(np.einsum("ij,ij->i", sample, sample, dtype=np.float64))
    return bool(16.0 * spread < np.einsum("i,i->", centre, centre, dtype=np.float64))


def _finite_costs(products, A, B) -> np.ndarray:
    """``-products`` in float64, recomputed rescaled where they overflowed
    (``A`` and ``B`` may be callables making the blocks, called only then)."""
    costs = np.negative(products, dtype=np.float64)
    if np.isfinite(costs).all():
        return costs
    A, B = (block() if callable(block) else block for block in (A, B))
    return _scaled_costs(A.astype(np.float64), B.astype(np.float64))


def _block_products(A, B, flat, shift, buffers, products, start, stop) -> None:
    """Products of blocks ``start:stop``, shifted in the cache-sized buffers."""
    a, b = buffers[0, : stop - start], buffers[1, : stop - start]
    for blocks, buffer in ((A, a), (B, b)):
        if flat is None:
            np.subtract(blocks[start:stop], shift[None], out=buffer)
            continue
        indices = blocks[start:stop].reshape(-1)
        if flat.dtype == buffer.dtype:
            np.take(flat, indices, axis=0, out=buffer.reshape(-1, buffer.shape[-1]))
            buffer -= shift[None]
        else:
            np.subtract(flat[indices].reshape(buffer.shape), shift[None], out=buffer)
    np.matmul(a, b.transpose(0, 2, 1), out=products[start:stop])


def _scaled_costs(A, B):
    """Costs of rows so large that their products overflow: the shifted rows
    divided by their largest magnitude first (a positive scale of every cost
    leaves the optimal permutation unchanged)."""
    xp = array_namespace(A, B)
    shift = A[:1, :1, :]
    A, B = A - shift, B - shift
    scale = xp.maximum(xp.max(xp.abs(A)), xp.max(xp.abs(B)))
    scale = xp.where(scale > 0, scale, xp.ones_like(scale))
    A, B = A / scale, B / scale
    return -xp.matmul(A, xp.permute_dims(B, (0, 2, 1)))


def _device_block_costs(A, B):
    """Costs of paired torch blocks on their device, float32 or wider.

    bfloat16 and float16 rows are costed in float32 (their own precision
    loses the differences between rows, float16 products overflow on raw
    pixels), at full matmul precision (no TF32, no autocast), so the
    matching of a half-precision batch equals that of its float32 copy.
    """
    import torch

    dtype = torch.promote_types(torch.promote_types(A.dtype, B.dtype), torch.float32)
    with torch.autocast(A.device.type, enabled=False), _full_matmul_precision(A.device):
        shift = A[:1, :1, :].to(dtype)
        return torch.bmm(A - shift, (B - shift).transpose(1, 2)).neg_()


class _full_matmul_precision:
    """float32 products on CUDA without TF32 while the block runs."""

    def __init__(self, where):
        self.cuda = where.type == "cuda"

    def __enter__(self):
        if self.cuda:
            import torch

            self.saved = torch.get_float32_matmul_precision()
            torch.set_float32_matmul_precision("highest")

    def __exit__(self, *exc):
        if self.cuda:
            import torch

            torch.set_float32_matmul_precision(self.saved)


def _to_host(array) -> np.ndarray:
    if isinstance(array, np.ndarray):
        return array
    return np.asarray(array.detach().cpu()) if hasattr(array, "detach") else np.asarray(array)


def _solve_blocks(costs: np.ndarray, sizes=None) -> np.ndarray:
    """Optimal permutation of each ``k x k`` cost block (one small assignment each).

    ``sizes[t] < k`` solves only the leading ``sizes[t] x sizes[t]`` part of
    block ``t`` (a padded block); the rest of its row is left as is.
    """
    perms = np.empty(costs.shape[:2], dtype=np.intp)
    if sizes is None:
        for block, cost in enumerate(costs):
            perms[block] = linear_sum_assignment(cost)[1]
        return perms
    perms[...] = np.arange(costs.shape[1])
    for block, (cost, size) in enumerate(zip(costs, sizes)):
        perms[block, :size] = linear_sum_assignment(cost[:size, :size])[1]
    return perms


def _penalise_self_matches(costs, same):
    """Costs with ``same`` (a row facing itself) made dearer than any other
    assignment: the penalty is more than any difference between two
    assignments' totals, so a self-match is avoided whenever a derangement
    exists. Works on numpy and on torch tensors (no read-back)."""
    xp = array_namespace(costs)
    low = xp.min(xp.min(costs, axis=2), axis=1)
    high = xp.max(xp.max(costs, axis=2), axis=1)
    penalty = 1.0 + costs.shape[1] * (high - low)
    return costs + xp.astype(same, costs.dtype) * penalty[:, None, None]


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
    if A.ndim != 3 or B.ndim != 3 or A.shape != B.shape:
        raise ValueError(
            f"A and B must have the same shape (n_blocks, k, n_features); got {A.shape} "
            f"and {B.shape}."
        )
    return _solve_blocks(_block_costs(A, B))


def _block_costs(A, B) -> np.ndarray:
    """float64 costs on the host, from blocks of any namespace."""
    if isinstance(A, np.ndarray) and isinstance(B, np.ndarray):
        with _single_blas_thread():
            return _host_block_costs(A, B)
    if hasattr(A, "detach"):
        costs = _to_host(_device_block_costs(A, B)).astype(np.float64, copy=False)
    else:
        costs = _to_host(_scaled_costs(A, B)).astype(np.float64, copy=False)
    if not np.isfinite(costs).all():
        costs = _to_host(_scaled_costs(A, B)).astype(np.float64, copy=False)
    return costs


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

        Shuffles, gathers and costs stay on the batch's device (costs in
        float32 or wider, see :func:`_device_block_costs`); every cost
        block of the batch goes to the host in one transfer for the
        assignments, and the matched positions come back in one. Within
        classes, the labels are sorted once on the device (one sort per
        shuffle, classes in order, a random order inside each) and their
        sorted values cross to the host once to lay out the blocks of every
        class, whose positions go back in one transfer: two transfers each
        way per batch, whatever the number of classes.
        """
        import torch

        if _check_k(self.k) == 1:
            return RandomPairing().pair_on_device(X, labels, generator)
        n_rows, where = X.shape[0], generator.device
        # matching reads values only: no graph for the costs of a hidden layer's output
        flat = X.detach().reshape(n_rows, -1)
        if labels is None:
            first = torch.randperm(n_rows, generator=generator, device=where)
            second = torch.randperm(n_rows, generator=generator, device=where)
            blocks, sizes = self._layout(np.array([0, n_rows]))
        else:
            dtype = torch.float32 if where.type == "mps" else torch.float64
            keys = torch.rand((2, n_rows), generator=generator, dtype=dtype, device=where)
            sorted_labels, order = torch.sort(keys.add_(labels), dim=1)
            first, second = order[0], order[1]
            host_labels = _to_host(sorted_labels[0].floor_())
            bounds = np.flatnonzero(np.diff(host_labels)) + 1
            blocks, sizes = self._layout(np.concatenate([[0], bounds, [n_rows]]))
        matched = np.arange(n_rows)  # a row alone in its class keeps its position
        if blocks.shape[0]:
            if labels is None:  # the same blocks, made on the device
                device_blocks = torch.arange(blocks.size, device=where)
                device_blocks = device_blocks.clamp_max_(n_rows - 1).reshape(blocks.shape)
            else:
                device_blocks = torch.as_tensor(blocks, device=where)
            perms = self._match_device_blocks(
                flat, first[device_blocks], second[device_blocks], sizes
            )
            in_block = np.arange(blocks.shape[1]) < sizes[:, None]
            matched[blocks[in_block]] = np.take_along_axis(blocks, perms, axis=1)[in_block]
        positions = torch.as_tensor(matched, device=where)
        return torch.empty_like(first).scatter_(0, first, second[positions])

    def _layout(self, bounds: np.ndarray):
        """Blocks of sorted positions, ``(n_blocks, k)`` padded by repeating
        their last position, and their sizes, for groups
        ``bounds[i]:bounds[i + 1]`` (a group of one row has no block)."""
        blocks, sizes = [], []
        for start, stop in zip(bounds[:-1], bounds[1:]):
            size = stop - start
            if size < 2:
                continue
            k = min(self.k, size)
            for first in range(start, stop, k):
                blocks.append(np.arange(first, first + self.k))
                sizes.append(min(k, stop - first))
        if not blocks:
            return np.empty((0, self.k), dtype=np.intp), np.empty(0, dtype=np.intp)
        blocks, sizes = np.stack(blocks), np.asarray(sizes)
        return np.minimum(blocks, blocks[:, :1] + sizes[:, None] - 1), sizes

    def _match_device_blocks(self, flat, first_blocks, second_blocks, sizes) -> np.ndarray:
        """Optimal permutations (host) of the blocks of row indices (device),
        the leading ``sizes[t]`` of block ``t`` only; one transfer each way
        unless the gathered blocks exceed ``_DEVICE_BATCH_BYTES``."""
        import torch

        if (
            _HOST_COSTS_ON_CPU
            and flat.device.type == "cpu"
            and str(flat.dtype).removeprefix("torch.") in _NUMPY_FLOATS
        ):
            # A CPU batch is host memory: numpy's cache-sized gathers avoid
            # allocating (and faulting in) whole gathered blocks.
            first_blocks, second_blocks = first_blocks.numpy(), second_blocks.numpy()
            with _single_blas_thread():
                costs = _host_block_costs(first_blocks, second_blocks, rows=flat.detach().numpy())
            same = first_blocks[:, :, None] == second_blocks[:, None, :]
            return _solve_blocks(_penalise_self_matches(costs, same), sizes)
        n_blocks, k = first_blocks.shape
        row_bytes = max(1, _row_width(flat) * max(4, flat.dtype.itemsize))
        per_transfer = max(1, _DEVICE_BATCH_BYTES // (2 * k * row_bytes))
        wide = torch.float32 if flat.device.type == "mps" else torch.float64
        perms = []
        for start in range(0, n_blocks, per_transfer):
            firsts = first_blocks[start : start + per_transfer]
            seconds = second_blocks[start : start + per_transfer]
            A = flat.index_select(0, firsts.reshape(-1)).reshape(*firsts.shape, -1)
            B = flat.index_select(0, seconds.reshape(-1)).reshape(*seconds.shape, -1)
            same = firsts[:, :, None] == seconds[:, None, :]
            costs = _device_block_costs(A, B).to(wide)
            costs = _to_host(_penalise_self_matches(costs, same))
            if not np.isfinite(costs).all():  # rows near overflow: rescaled (rare)
                costs = _penalise_self_matches(_scaled_costs(A.to(wide), B.to(wide)), same)
                costs = _to_host(costs)
            perms.append(_solve_blocks(costs, sizes[start : start + per_transfer]))
        return np.concatenate(perms)

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
        if isinstance(X, np.ndarray) and isinstance(first_blocks, np.ndarray):
            costs = _host_block_costs(first_blocks, second_blocks, rows=X)
        else:
            costs = _block_costs(*_gather_blocks(X, first_blocks, second_blocks))
        # A row matched with itself would be an exact copy (see
        # _penalise_self_matches).
        first_blocks, second_blocks = _to_host(first_blocks), _to_host(second_blocks)
        same = first_blocks[:, :, None] == second_blocks[:, None, :]
        if same.any():
            costs = _penalise_self_matches(costs, same)
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
