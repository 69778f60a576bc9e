"""The mixing engine: who mixes with whom, with which weights, and the mix.

Every mixer in skmixup is the same operation configured along four axes
(weight law, pairing, multiplicity, and for torch batches the mixing
operator: interpolation or CutMix). This module draws the *plan* — anchor
rows, partner rows and weights, in groups of ``n_interpolations`` rows per
pair — and applies it in one vectorised pass. The arithmetic works on numpy
arrays, scipy sparse matrices and any array-API namespace (torch tensors stay
on their device); index and weight draws are O(rows) scalars from numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from array_api_compat import array_namespace, device, is_numpy_namespace, is_torch_array

from skmixup.weights import WeightLaw

__all__ = [
    "MixPlan",
    "draw_plan",
    "draw_batch_plan",
    "draw_device_batch_plan",
    "interpolate",
    "mix",
    "keep_anchor_where_partner_missing",
]

# Rows are mixed in chunks of about this many bytes so that the gathered
# anchor block stays in cache and no temporary grows with the output.
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class MixPlan:
    """Rows to emit: ``w * X[anchors] + (1 - w) * X[partners]``, or CutMix boxes.

    Attributes
    ----------
    anchors, partners : array of shape (n_rows,), integer
        Row indices of the pair of each emitted row: numpy arrays, or
        tensors on the batch's device for plans drawn there.
    weights : array of shape (n_rows,), float64
        Label weight of the anchor row (numpy, or a tensor on the batch's
        device): the interpolation weight ``w``, or for a CutMix row the
        share of pixels the anchor keeps, ``1 - (box area) / (H W)``.
    n_interpolations : int
        Rows emitted per pair; consecutive rows of one pair share their
        anchor and partner (the last pair of a group may emit fewer).
    anchors_in_order : bool
        True when pair ``r`` anchors on row ``r`` and emits plan rows
        ``r * n_interpolations`` to ``(r + 1) * n_interpolations - 1`` (every
        pair complete): kernels may then read the anchor rows in place and
        gather each partner once, instead of gathering both per plan row.
    operator : {"lerp", "cutmix", "mixed"}, default="lerp"
        How rows are mixed: interpolation, CutMix boxes, or each row's own
        draw of the two (``cut``).
    boxes : tensor of shape (n_rows, 2, 2) or None
        CutMix box of each row, ``[[top, bottom], [left, right]]`` over the
        last two dimensions (half-open, clipped; integers in the weights'
        dtype); empty on rows that are not pasted.
    inside : tensor of shape (n_rows, 2, max(H, W)), bool, or None
        Whether each row / column index lies in the row's box (from
        ``boxes``; what the paste compares).
    cut : tensor of shape (n_rows,), bool, or None
        For ``operator="mixed"``, the rows pasted by CutMix.
    """

    anchors: np.ndarray
    partners: np.ndarray
    weights: np.ndarray
    n_interpolations: int = 1
    anchors_in_order: bool = False
    operator: str = "lerp"
    boxes: object = None
    inside: object = None
    cut: object = None

    def __len__(self) -> int:
        return self.anchors.shape[0]


class Pairing(Protocol):
    """How anchors and partners are chosen inside one group of rows."""

    needs_data: bool

    def pair(
        self, X, members: np.ndarray, n_pairs: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``n_pairs`` anchors and partners, as row indices of ``X``."""

    def pair_batch(
        self, X, members: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return one pair per member, each member anchoring exactly once."""


def draw_plan(
    X,
    groups: Sequence[np.ndarray],
    n_rows: Sequence[int],
    weight_law: WeightLaw,
    pairing: Pairing,
    rng: np.random.Generator,
    n_interpolations: int = 1,
) -> MixPlan:
    """Draw the rows to emit for each group of rows (resampling).

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features) or None
        Data the pairing may look at (k-mixup matches on distances).
    groups : sequence of ndarray of int
        Row indices of each group; pairs never cross groups.
    n_rows : sequence of int
        Rows to emit for each group.
    weight_law : WeightLaw
        Law of the anchor's weight, drawn independently for every row.
    pairing : Pairing
        Chooses anchors and partners within a group.
    rng : numpy.random.Generator
    n_interpolations : int, default=1
        Rows emitted per pair (multi-mix); a group whose count is not a
        multiple of it ends with a pair that emits fewer rows.

    Returns
    -------
    plan : MixPlan
    """
    pairs, counts = [], []
    for members, count in zip(groups, n_rows):
        if count == 0:
            continue
        n_pairs = -(-count // n_interpolations)
        pairs.append(pairing.pair(X, members, n_pairs, rng))
        counts.append(count)
    return _assemble(pairs, counts, weight_law, rng, n_interpolations)


def draw_batch_plan(
    X,
    groups: Sequence[np.ndarray],
    weight_law: WeightLaw,
    pairing: Pairing,
    rng: np.random.Generator,
    n_interpolations: int = 1,
) -> MixPlan:
    """Draw the rows to emit for a training batch.

    Every row of every group anchors exactly one pair (its partner from
    ``pairing.pair_batch``), and each pair emits ``n_interpolations`` rows,
    so the mixed batch has ``n_interpolations`` times as many rows.
    """
    pairs, counts = [], []
    for members in groups:
        if members.shape[0] == 0:
            continue
        pairs.append(pairing.pair_batch(X, members, rng))
        counts.append(members.shape[0] * n_interpolations)
    return _assemble(pairs, counts, weight_law, rng, n_interpolations)


def draw_device_batch_plan(
    X,
    labels,
    weight_law: WeightLaw,
    pairing: Pairing,
    generator,
    n_interpolations: int = 1,
    *,
    operator="lerp",
    p: float = 1.0,
    weight_mode: str = "row",
) -> MixPlan:
    """Draw the plan of a torch training batch on the batch's device.

    The same plan as :func:`draw_batch_plan` (every row anchors one pair,
    each pair emits ``n_interpolations`` rows), drawn from a
    ``torch.Generator``: the partner permutation, the weights and any CutMix
    boxes are made on ``generator.device`` and stay there. Only k-mixup's
    ``k x k`` cost blocks cross to the host, for the assignment solver.

    Parameters
    ----------
    X : torch.Tensor of shape (n, ...)
        The batch (the pairing may look at its rows); CutMix needs rows of
        shape ``(..., H, W)``.
    labels : torch.Tensor of shape (n,) or None
        Class indices when pairs must stay within classes.
    weight_law : WeightLaw
        With CutMix, its weights must lie in [0, 1].
    pairing : Pairing
        Must provide ``pair_on_device(X, labels, generator)``.
    generator : torch.Generator
        On the batch's device.
    n_interpolations : int, default=1
        Rows per pair; with CutMix each has its own box.
    operator : {"lerp", "cutmix"} or mapping, default="lerp"
        Interpolation, CutMix, or ``{"lerp": q, "cutmix": 1 - q}`` to draw
        each row's operator.
    p : float, default=1.0
        Probability that a row is mixed at all; an unmixed row has weight 1
        (its anchor, unchanged; its partner is left as drawn).
    weight_mode : {"row", "batch"}, default="row"
        One draw per row, or one for the whole batch (one weight, one box,
        one operator and one mixed-or-not decision shared by every row).

    Returns
    -------
    plan : MixPlan
        Tensors on the batch's device, anchors in order; ``weights`` are the
        anchors' label weights.
    """
    import torch

    from skmixup import _operators

    cut_probability = _operators.check_operator(operator, weight_law, weight_mode)
    if cut_probability > 0.0:
        if X.ndim < 3:
            raise ValueError(
                f"operator={operator!r} pastes boxes over the last two dimensions: X must "
                f"have shape (n, ..., H, W), got {tuple(X.shape)}."
            )
    n_rows = X.shape[0]
    partners = pairing.pair_on_device(X, labels, generator)
    anchors = torch.arange(n_rows, device=partners.device)
    if n_interpolations > 1:
        anchors = anchors.repeat_interleave(n_interpolations)
        partners = partners.repeat_interleave(n_interpolations)
    n_out = anchors.shape[0]
    n_draws = 1 if weight_mode == "batch" else n_out
    weights = _operators.draw_row_weights(weight_law, n_draws, generator, p)
    kind, boxes, inside, cut = "lerp", None, None, None
    if cut_probability > 0.0:
        if cut_probability < 1.0:
            cut = torch.rand(n_draws, generator=generator, device=weights.device) < cut_probability
        boxes, inside, label_weights = _operators.draw_boxes(
            weights if cut is None else weights.masked_fill(~cut, 1.0), *X.shape[-2:], generator
        )
        if cut is None:
            kind, weights = "cutmix", label_weights
        else:
            kind, weights = "mixed", torch.where(cut, label_weights, weights)
    if n_draws < n_out:  # one draw for the batch, shared by every row
        weights = weights.expand(n_out)
        if boxes is not None:
            boxes, inside = boxes.expand(n_out, -1, -1), inside.expand(n_out, -1, -1)
        if cut is not None:
            cut = cut.expand(n_out)
    return MixPlan(anchors, partners, weights, n_interpolations, True, kind, boxes, inside, cut)


def _assemble(pairs, counts, weight_law, rng, n_interpolations) -> MixPlan:
    """Repeat each pair ``n_interpolations`` times (truncated to the counts)
    and draw one independent weight per emitted row."""
    if not pairs:
        empty = np.empty(0, dtype=np.intp)
        return MixPlan(empty, empty, weight_law.sample(0, rng), n_interpolations)
    # Row r of a group comes from its pair r // n_interpolations: the same as
    # repeating every pair and truncating, without materialising the repeat
    # (n_interpolations may far exceed the rows asked for).
    slots = [np.arange(count) // n_interpolations for count in counts]
    anchors = np.concatenate([a[s] for (a, _), s in zip(pairs, slots)]).astype(np.intp, copy=False)
    partners = np.concatenate([p[s] for (_, p), s in zip(pairs, slots)]).astype(np.intp, copy=False)
    weights = weight_law.sample(anchors.shape[0], rng)
    return MixPlan(anchors, partners, weights, n_interpolations)


def mix(X, plan: MixPlan):
    """Apply a plan with its operator: interpolation or CutMix box pasting.

    Parameters
    ----------
    X : ndarray, array-API array or sparse matrix of shape (n, ...)
        Rows to mix; CutMix plans (torch) need rows of shape ``(..., H, W)``.
    plan : MixPlan

    Returns
    -------
    mixed : array of shape (len(plan), ...)
        Interpolated rows as :func:`interpolate` returns them (torch integer
        rows come back as float32); pasted rows keep the dtype of ``X``.
    """
    if plan.operator == "lerp":
        mixed = interpolate(X, plan)
    else:
        from skmixup._operators import paste

        mixed = paste(X, plan)
    return in_format_of(X, mixed)


def row_format(X):
    """The torch memory format of a ``channels_last`` batch, else None.

    Training batches of images are often ``channels_last``; mixed rows keep
    that layout so that neither side of the mixing pays a layout copy.
    """
    import torch

    if X.ndim == 4 and not X.is_contiguous():
        if X.is_contiguous(memory_format=torch.channels_last):
            return torch.channels_last
    if X.ndim == 5 and not X.is_contiguous():
        if X.is_contiguous(memory_format=torch.channels_last_3d):
            return torch.channels_last_3d
    return None


def in_format_of(X, mixed):
    """``mixed`` in ``X``'s channels-last layout (a copy only where a kernel
    could not write it in place)."""
    if not is_torch_array(X):
        return mixed
    layout = row_format(X)
    if layout is None or mixed.is_contiguous(memory_format=layout):
        return mixed
    return mixed.contiguous(memory_format=layout)


def interpolate(X, plan: MixPlan, *, copy_columns=None, out=None):
    """Emit ``w * X[anchor] + (1 - w) * X[partner]`` for every row of a plan.

    Parameters
    ----------
    X : ndarray, array-API array or sparse matrix of shape (n, ...)
        Rows to mix; a 1-D array is mixed as one column, and rows with more
        than one trailing axis (images, sequences) as flat vectors.
    plan : MixPlan
    copy_columns : array of int, default=None
        Columns (of the flat rows) copied from the anchor row instead of
        mixed (categorical features).
    out : array of shape (len(plan), ...), default=None
        Destination (a view into a larger output avoids a copy); allocated
        when ``None``.

    Returns
    -------
    mixed : array or sparse matrix of shape (len(plan), ...)
        Same dtype (and device, or sparse format) as ``X``.
    """
    if sp.issparse(X):
        return _interpolate_sparse(X, plan, copy_columns)
    if X.ndim == 1:
        column = interpolate(X[:, None], plan, copy_columns=copy_columns)
        return column[:, 0]
    if is_torch_array(X):
        return _interpolate_torch(X, plan, copy_columns, out)
    xp = array_namespace(X)
    if X.ndim > 2:
        flat_out = None if out is None else xp.reshape(out, (out.shape[0], -1))
        flat = interpolate(xp.reshape(X, (X.shape[0], -1)), plan, out=flat_out)
        return xp.reshape(flat, (len(plan), *X.shape[1:]))
    where = device(X)
    n_out, n_features = len(plan), X.shape[1]
    if out is None:
        out = xp.empty((n_out, n_features), dtype=X.dtype, device=where)
    anchors = xp.asarray(plan.anchors, device=where)
    partners = xp.asarray(plan.partners, device=where)
    partner_weights = xp.asarray(1.0 - plan.weights, dtype=X.dtype, device=where)
    if copy_columns is not None:
        copy_columns = xp.asarray(np.asarray(copy_columns, dtype=np.intp), device=where)
    step = max(1, _CHUNK_BYTES // max(1, n_features * X.dtype.itemsize))
    for start in range(0, n_out, step):
        stop = min(start + step, n_out)
        block = out[start:stop, ...]
        anchor_rows = _gather(xp, X, anchors[start:stop])
        _gather_into(xp, X, partners[start:stop], block)
        # x_i + (1 - w) (x_j - x_i): exact copies at w = 1, one pass per op.
        block -= anchor_rows
        block *= partner_weights[start:stop, None]
        block += anchor_rows
        if copy_columns is not None:
            block[:, copy_columns] = anchor_rows[:, copy_columns]
    return out


def keep_anchor_where_partner_missing(X: np.ndarray, plan: MixPlan, mixed: np.ndarray) -> None:
    """Missing values in mixed rows (numpy, in place): the anchor decides.

    ``interpolate`` propagates NaN from either row of a pair. A new value is
    meant to be missing exactly when its anchor's is (the missingness rate
    and each row's pattern are the anchor's); where the anchor's value is
    observed and the partner's is missing, the anchor's value is taken.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        The rows that were mixed.
    plan : MixPlan
    mixed : ndarray of shape (len(plan), n_features)
        ``interpolate(X, plan)``, corrected in place.
    """
    n_features = X.shape[1]
    step = max(1, _CHUNK_BYTES // max(1, n_features * X.dtype.itemsize))
    for start in range(0, len(plan), step):
        stop = min(start + step, len(plan))
        partner_missing = np.isnan(np.take(X, plan.partners[start:stop], axis=0))
        if not partner_missing.any():
            continue
        block = mixed[start:stop]
        anchor_rows = np.take(X, plan.anchors[start:stop], axis=0)
        block[partner_missing] = anchor_rows[partner_missing]


def _interpolate_torch(X, plan: MixPlan, copy_columns, out):
    # The numpy kernel's formula, x_i + (1 - w) (x_j - x_i), as one fused
    # torch.lerp on the tensor's device (exact copies at w = 1).
    # Integer rows (uint8 images) are interpolated in float32.
    import torch

    where = X.device
    if not (X.is_floating_point() or X.is_complex()):
        X = X.to(torch.float32)
    partners = torch.as_tensor(plan.partners, device=where)
    if plan.anchors_in_order and plan.n_interpolations == 1 and copy_columns is None:
        # A training batch: row r anchors pair r. Four torch ops (kernel
        # launches on a GPU): the weights' dtype and shape, the partner
        # gather, and lerp from the partner towards the anchor, which is
        # exactly the anchor at w = 1 and the partner at w = 0.
        weights = torch.as_tensor(plan.weights, device=where).to(X.dtype)
        weights = weights.view(-1, *([1] * (X.ndim - 1)))
        if out is None and row_format(X) is not None:
            out = torch.empty_like(X)  # written in X's channels-last layout
        return torch.lerp(X.index_select(0, partners), X, weights, out=out)
    flat = X.reshape(X.shape[0], -1)
    partner_weights = (1.0 - torch.as_tensor(plan.weights, device=where)).to(X.dtype)
    repeats = plan.n_interpolations
    if plan.anchors_in_order and repeats == 1:
        anchor_rows = flat
        partner_rows = flat.index_select(0, partners)
        weights = partner_weights[:, None]
    elif plan.anchors_in_order:
        # Pair r is (row r, partners[r * K]) for its K plan rows: broadcast
        # both rows over the K weights, so nothing is gathered K times.
        n_pairs = len(plan) // repeats
        anchor_rows = flat[:n_pairs, None, :].expand(n_pairs, repeats, flat.shape[1])
        partner_rows = flat.index_select(0, partners[::repeats])[:, None, :]
        weights = partner_weights.reshape(n_pairs, repeats, 1)
        partner_rows = partner_rows.expand(n_pairs, repeats, flat.shape[1])
    else:
        anchor_rows = flat.index_select(0, torch.as_tensor(plan.anchors, device=where))
        partner_rows = flat.index_select(0, partners)
        weights = partner_weights[:, None]
    flat_out = None if out is None else out.reshape(anchor_rows.shape)
    mixed = torch.lerp(anchor_rows, partner_rows, weights, out=flat_out)
    if copy_columns is not None:
        columns = torch.as_tensor(np.asarray(copy_columns, dtype=np.intp), device=where)
        mixed[..., columns] = anchor_rows[..., columns]
    return mixed.reshape(len(plan), *X.shape[1:])


def _gather(xp, X, indices):
    # Native row gathers skip the array-API wrapper's negative-index handling
    # (indices here are always valid); torch's index_select is many times
    # faster than advanced indexing on CPU.
    if is_numpy_namespace(xp):
        return np.take(X, indices, axis=0)
    if is_torch_array(X):
        return X.index_select(0, indices)
    return X[indices]


def _gather_into(xp, X, indices, dest) -> None:
    if is_numpy_namespace(xp):
        np.take(X, indices, axis=0, out=dest)
    else:
        dest[...] = X[indices]


def _interpolate_sparse(X, plan: MixPlan, copy_columns):
    # Same formula as the dense path, written with row scalings so the
    # result stays sparse: diag(w) X[a] + diag(1 - w) X[p]. The scalings
    # and the sum work on the stored values only (O(nnz)): scipy's sparse
    # product and sum allocate work arrays as long as the rows, which on a
    # matrix of 2**20 columns cost more than the mixing itself.
    rows = X.tocsr()
    if not rows.has_canonical_format:
        rows = rows.copy()
        rows.sum_duplicates()
    dtype = X.dtype
    n_new, n_columns = len(plan), X.shape[1]
    anchor_rows = rows[plan.anchors]
    partner_rows = rows[plan.partners]
    weights = plan.weights.astype(dtype)
    anchor_count = np.diff(anchor_rows.indptr)
    partner_count = np.diff(partner_rows.indptr)
    anchor_scale = np.repeat(weights, anchor_count)
    partner_scale = np.repeat((1.0 - plan.weights).astype(dtype), partner_count)
    columns = np.concatenate([anchor_rows.indices, partner_rows.indices])
    if copy_columns is not None and len(copy_columns):
        copied = np.zeros(n_columns, dtype=bool)
        copied[np.asarray(copy_columns, dtype=np.intp)] = True
        anchor_scale[copied[anchor_rows.indices]] = 1
        partner_scale[copied[partner_rows.indices]] = 0
    values = np.concatenate([anchor_rows.data * anchor_scale, partner_rows.data * partner_scale])
    new_rows = np.concatenate(
        [np.repeat(np.arange(n_new), anchor_count), np.repeat(np.arange(n_new), partner_count)]
    )
    mixed = sp.csr_matrix((values, (new_rows, columns)), shape=(n_new, n_columns), dtype=dtype)
    mixed.sum_duplicates()
    mixed.eliminate_zeros()
    return mixed.asformat(X.format).astype(dtype, copy=False)
