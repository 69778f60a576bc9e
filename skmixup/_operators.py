"""Mixing operators of torch batches: interpolation and CutMix box pasting.

A plan's rows are mixed by one of two operators. ``"lerp"`` interpolates,
``w x_a + (1 - w) x_p`` (:func:`skmixup._engine.interpolate`). ``"cutmix"``
(Yun et al., 2019) pastes the partner's pixels inside one axis-aligned box
per row over the anchor: the box has side ratios ``sqrt(1 - w)`` and a
uniform centre, is clipped at the border, and the anchor's label weight is
the share of pixels it keeps, ``1 - (box area) / (H W)`` (``ALGORITHMS.md``
section 8). Boxes are drawn for the whole batch at once on its device from
the mixer's generator, and pasted through a mask built by comparing row and
column index grids with the box edges: no loop over rows and no value read
back to the host. Boxes span the last two dimensions of ``(n, ..., H, W)``
rows.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping

import torch

__all__ = [
    "OPERATORS",
    "check_operator",
    "cut_probability",
    "draw_row_weights",
    "draw_boxes",
    "box_mask",
    "paste",
]

OPERATORS = ("lerp", "cutmix")


def cut_probability(operator) -> float:
    """Probability that a row is mixed by CutMix rather than interpolated.

    Parameters
    ----------
    operator : {"lerp", "cutmix"} or mapping
        One operator for every row, or ``{name: probability}`` to draw each
        row's operator (probabilities >= 0 that sum to 1).

    Returns
    -------
    probability : float
        0.0 for ``"lerp"``, 1.0 for ``"cutmix"``.

    Examples
    --------
    >>> from skmixup._operators import cut_probability
    >>> cut_probability("cutmix"), cut_probability({"lerp": 0.75, "cutmix": 0.25})
    (1.0, 0.25)
    """
    if isinstance(operator, str):
        if operator not in OPERATORS:
            raise ValueError(f"operator must be one of {OPERATORS} or a mapping, got {operator!r}.")
        return 1.0 if operator == "cutmix" else 0.0
    if not isinstance(operator, Mapping):
        raise TypeError(
            f"operator must be one of {OPERATORS} or a mapping {{name: probability}}, "
            f"got {type(operator).__name__}."
        )
    unknown = [name for name in operator if name not in OPERATORS]
    if unknown or not operator:
        raise ValueError(
            f"operator's keys must be among {OPERATORS}, got {sorted(map(repr, operator))}."
        )
    for name, probability in operator.items():
        if (
            isinstance(probability, bool)
            or not isinstance(probability, numbers.Real)
            or not 0.0 <= probability <= 1.0
        ):
            raise ValueError(
                f"operator[{name!r}] must be a probability in [0, 1], got {probability!r}."
            )
    total = math.fsum(float(p) for p in operator.values())
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"operator's probabilities must sum to 1, got {total:g}.")
    return float(operator.get("cutmix", 0.0)) / total


def check_operator(operator, weight_law, weight_mode: str = "row") -> float:
    """Check the operator and the weight mode against the weight law.

    Returns the probability that a row is pasted by CutMix (see
    :func:`cut_probability`); CutMix needs weights in [0, 1].
    """
    cut = cut_probability(operator)
    if weight_mode not in ("row", "batch"):
        raise ValueError(f"weight_mode must be 'row' or 'batch', got {weight_mode!r}.")
    if cut > 0.0 and not weight_law.within_unit_interval:
        low, high = weight_law.support
        raise ValueError(
            f"operator={operator!r} pastes boxes of area share 1 - w, which needs weights "
            f"in [0, 1]; {weight_law!r} reaches [{low:g}, {high:g}]. "
            "Use a Beta law, or operator='lerp'."
        )
    return cut


def draw_row_weights(weight_law, n_draws: int, generator, p: float = 1.0) -> torch.Tensor:
    """``n_draws`` weights of the law; each is 1 (row left unmixed) with probability ``1 - p``."""
    weights = weight_law.sample_on_device(n_draws, generator)
    if p < 1.0:
        draws = torch.rand(n_draws, generator=generator, dtype=weights.dtype, device=weights.device)
        weights = weights.masked_fill(draws >= p, 1.0)
    return weights


def draw_boxes(weights: torch.Tensor, height: int, width: int, generator):
    """One CutMix box per weight, and the anchor's label weight it gives.

    Parameters
    ----------
    weights : torch.Tensor of shape (m,)
        Anchor weights in [0, 1] (float); a weight of 1 gives an empty box.
    height, width : int
        Size of the last two dimensions of the rows.
    generator : torch.Generator
        Draws the box centres, on its device.

    Returns
    -------
    boxes : torch.Tensor of shape (m, 2, 2)
        Edges ``[[top, bottom], [left, right]]`` (half-open, clipped to the
        image), in the dtype of ``weights``, holding integers.
    inside : torch.Tensor of shape (m, 2, max(height, width)), bool
        Whether each row index (``inside[:, 0]``) and column index
        (``inside[:, 1]``) lies in the box.
    label_weights : torch.Tensor of shape (m,)
        ``1 - (box area) / (height * width)``, after clipping.
    """
    dtype, where, m = weights.dtype, weights.device, weights.shape[0]
    extent, low, high, grid = _box_constants(height, width, dtype, where)
    sides = torch.floor(torch.sqrt(1.0 - weights)[:, None] * extent)
    uniform = torch.rand((m, 2), generator=generator, dtype=dtype, device=where)
    starts = torch.floor(uniform * extent) - torch.floor(sides * 0.5)
    boxes = torch.stack((starts, starts + sides), dim=2).clamp_(low, high)
    inside = (grid >= boxes[..., :1]) & (grid < boxes[..., 1:])
    area = inside.sum(dim=2, dtype=dtype).prod(dim=1)
    return boxes, inside, 1.0 - area / float(height * width)


@functools.lru_cache(maxsize=64)
def _box_constants(height: int, width: int, dtype: torch.dtype, where: torch.device):
    """Image extent, clipping bounds and index grid of a box draw.

    Made once per image size and device (not per batch: each would be a
    kernel launch, and a host-to-device copy for the extent).
    """
    extent = torch.tensor([height, width], dtype=dtype, device=where)
    low = torch.zeros((2, 1), dtype=dtype, device=where)
    grid = torch.arange(max(height, width), dtype=dtype, device=where)
    return extent, low, extent[:, None], grid


def box_mask(inside: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Pixel mask of shape (m, height, width) from :func:`draw_boxes`' ``inside``."""
    rows, cols = inside[:, 0, :height], inside[:, 1, :width]
    return rows[:, :, None] & cols[:, None, :]


def paste(X: torch.Tensor, plan) -> torch.Tensor:
    """Mix the rows of ``X`` with a plan whose operator is CutMix (or per-row mixed).

    Rows are ``(n, ..., H, W)``; every plan row is its anchor outside its box
    and its partner inside. Rows the plan interpolates (``plan.cut`` False)
    are ``w x_a + (1 - w) x_p``. Pasting keeps integer dtypes; a plan that
    also interpolates returns float32 for integer ``X``.
    """
    if X.ndim < 3:
        raise ValueError(
            "operator='cutmix' pastes boxes over the last two dimensions: rows must have "
            f"shape (n, ..., H, W), got a tensor of shape {tuple(X.shape)}."
        )
    from skmixup._engine import row_format

    height, width = X.shape[-2:]
    mask = box_mask(plan.inside, height, width)
    partners = torch.as_tensor(plan.partners, device=X.device)
    repeats = plan.n_interpolations
    if plan.cut is not None and not X.is_floating_point():
        X = X.to(torch.float32)
    if plan.anchors_in_order and repeats > 1:
        # Pair r is (row r, partners[r * K]): both rows broadcast over the K
        # boxes of the pair, so nothing is gathered K times.
        n_pairs = len(plan) // repeats
        anchor_rows = X[:n_pairs, None]
        partner_rows = X.index_select(0, partners[::repeats])[:, None]
        shape = (n_pairs, repeats) + (1,) * (X.ndim - 3) + (height, width)
    else:
        anchor_rows = X if plan.anchors_in_order else X.index_select(0, plan.anchors)
        partner_rows = X.index_select(0, partners)
        shape = (len(plan),) + (1,) * (X.ndim - 3) + (height, width)
    mask = mask.reshape(shape)
    # A channels-last batch of rows anchored in order is written in its layout.
    out = torch.empty_like(X) if anchor_rows is X and row_format(X) is not None else None
    if plan.cut is None:
        mixed = torch.where(mask, partner_rows, anchor_rows, out=out)
    else:
        # Per-pixel weight of the partner: the box mask on pasted rows,
        # 1 - w everywhere on interpolated rows (lerp is exact at 0 and 1).
        lerp_weights = (1.0 - plan.weights).reshape(shape[:-2] + (1, 1))
        cut = plan.cut.reshape(lerp_weights.shape)
        partner_weights = torch.where(cut, mask, lerp_weights).to(X.dtype)
        mixed = torch.lerp(anchor_rows, partner_rows, partner_weights, out=out)
    if out is not None:
        return mixed
    return mixed.reshape(len(plan), *X.shape[1:])
