"""Brute-force check that new rows are mixtures of two input rows.

An independent check of the engine: it never looks at the plan, it searches
every ordered pair of distinct input rows for a weight that reproduces the
new row.
"""

import numpy as np


def is_pair_mixture(new_rows, originals, *, groups=None, new_groups=None, support=(0.0, 1.0)):
    """For each new row, whether ``w x_a + (1 - w) x_p`` reproduces it.

    ``a != p`` range over rows of ``originals`` (of the row's own group when
    ``groups``/``new_groups`` are given) and ``w`` over ``support``, up to
    the rounding error of the dtype. Returns a boolean array.
    """
    dtype_eps = float(np.finfo(np.asarray(new_rows).dtype).eps)
    originals = np.asarray(originals, dtype=np.float64)
    new_rows = np.asarray(new_rows, dtype=np.float64)
    scale = np.max(np.abs(originals)) + 1.0
    if groups is None:
        groups = np.zeros(originals.shape[0], dtype=int)
        new_groups = np.zeros(new_rows.shape[0], dtype=int)
    groups, new_groups = np.asarray(groups), np.asarray(new_groups)
    found = np.zeros(new_rows.shape[0], dtype=bool)
    for label in np.unique(new_groups):
        members = originals[groups == label]
        a, p = np.nonzero(~np.eye(members.shape[0], dtype=bool))
        diff = members[a] - members[p]  # x_a - x_p, one row per ordered pair
        norm2 = np.einsum("ij,ij->i", diff, diff)
        for i in np.flatnonzero(new_groups == label):
            found[i] = _matches(new_rows[i], members[p], diff, norm2, support, dtype_eps, scale)
    return found


def _matches(z, partners, diff, norm2, support, dtype_eps, scale, slack=64):
    tol = slack * dtype_eps * scale
    rest = z - partners  # must equal w (x_a - x_p)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.einsum("ij,ij->i", rest, diff) / norm2
    degenerate = norm2 <= tol**2
    w = np.where(degenerate, 0.5 * (support[0] + support[1]), w)
    residual = np.max(np.abs(rest - w[:, None] * diff), axis=1)
    # A weight known only up to tol / |x_a - x_p| may sit just outside.
    slack_w = tol / np.sqrt(np.maximum(norm2, tol**2)) + 1e-12
    inside = (w >= support[0] - slack_w) & (w <= support[1] + slack_w)
    return bool(np.any((residual <= tol) & inside))
