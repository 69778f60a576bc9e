"""The mixing engine: who mixes with whom, with which weights, and the mix.

Every mixer in skmixup is the same operation configured along three axes
(weight law, pairing, multiplicity). This module draws the *plan* — anchor
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
from array_api_compat import array_namespace, device, is_numpy_namespace

from skmixup.weights import WeightLaw

__all__ = ["MixPlan", "draw_plan", "draw_batch_plan", "interpolate"]

# Rows are mixed in chunks of about this many bytes so that the gathered
# anchor block stays in cache and no temporary grows with the output.
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class MixPlan:
    """Rows to emit: ``w * X[anchors] + (1 - w) * X[partners]``.

    Attributes
    ----------
    anchors, partners : ndarray of shape (n_rows,), dtype intp
        Row indices of the pair of each emitted row.
    weights : ndarray of shape (n_rows,), dtype float64
        Weight of the anchor row.
    n_interpolations : int
        Rows emitted per pair; consecutive rows of one pair share their
        anchor and partner (the last pair of a group may emit fewer).
    """

    anchors: np.ndarray
    partners: np.ndarray
    weights: np.ndarray
    n_interpolations: int = 1

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


def interpolate(X, plan: MixPlan, *, copy_columns=None, out=None):
    """Emit ``w * X[anchor] + (1 - w) * X[partner]`` for every row of a plan.

    Parameters
    ----------
    X : ndarray, array-API array or sparse matrix of shape (n, n_features)
        Rows to mix; a 1-D array is mixed as one column.
    plan : MixPlan
    copy_columns : array of int, default=None
        Columns copied from the anchor row instead of mixed (categorical
        features).
    out : array of shape (len(plan), n_features), default=None
        Destination for dense input (a view into a larger output avoids a
        copy); allocated when ``None``.

    Returns
    -------
    mixed : array or sparse matrix of shape (len(plan), n_features)
        Same dtype (and device, or sparse format) as ``X``.
    """
    if sp.issparse(X):
        return _interpolate_sparse(X, plan, copy_columns)
    xp = array_namespace(X)
    if X.ndim == 1:
        column = interpolate(X[:, None], plan, copy_columns=copy_columns)
        return column[:, 0]
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


def _gather(xp, X, indices):
    # Native integer-array indexing (numpy, torch, cupy) skips the array-API
    # wrapper's negative-index handling: indices here are always valid.
    return np.take(X, indices, axis=0) if is_numpy_namespace(xp) else X[indices]


def _gather_into(xp, X, indices, dest) -> None:
    if is_numpy_namespace(xp):
        np.take(X, indices, axis=0, out=dest)
    else:
        dest[...] = X[indices]


def _interpolate_sparse(X, plan: MixPlan, copy_columns):
    # Same formula as the dense path, written with row scalings so the
    # result stays sparse: diag(w) X[a] + diag(1 - w) X[p].
    rows = X.tocsr()
    anchor_rows = rows[plan.anchors]
    partner_rows = rows[plan.partners]
    dtype = X.dtype
    mixed = (
        sp.diags_array(plan.weights.astype(dtype)) @ anchor_rows
        + sp.diags_array((1.0 - plan.weights).astype(dtype)) @ partner_rows
    )
    if copy_columns is not None and len(copy_columns):
        keep = np.zeros(X.shape[1], dtype=dtype)
        keep[np.asarray(copy_columns, dtype=np.intp)] = 1
        mixed = mixed @ sp.diags_array(1 - keep) + anchor_rows @ sp.diags_array(keep)
    return sp.csr_matrix(mixed).asformat(X.format).astype(dtype, copy=False)
