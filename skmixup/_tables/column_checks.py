"""Checks on the columns to be mixed, run before any row is made.

* Overflow: a new value ``x_a + (1 - w) (x_p - x_a)`` is refused up front
  when the weights' support lets it (or an intermediate) leave the working
  float type's finite range, rather than coming back as inf or NaN.
* Columns that look categorical: a numeric column with exactly two distinct
  values is mixed into many values; a ``BinaryFeatureWarning`` names a few
  of them and counts them. Integer columns that rounding keeps in their two
  values (two consecutive integers, weights less than half a step beyond
  [0, 1], or clipped to the observed range) are not flagged.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from skmixup.exceptions import BinaryFeatureWarning

__all__ = ["check_columns_to_mix"]


def _ranges(X) -> tuple[np.ndarray, np.ndarray]:
    if sp.issparse(X):
        low = np.asarray(X.min(axis=0).todense(), dtype=np.float64).ravel()
        high = np.asarray(X.max(axis=0).todense(), dtype=np.float64).ravel()
        return low, high
    return np.nanmin(X, axis=0).astype(np.float64), np.nanmax(X, axis=0).astype(np.float64)


def _overflowing(low, high, support, largest: float) -> np.ndarray:
    """Columns whose new values may exceed ``largest`` in absolute value.

    ``|x_a + (1 - w)(x_p - x_a)| <= M + c R`` and ``|w x_a + (1 - w) x_p| <=
    (a + c) M`` with ``M`` the largest magnitude, ``R`` the range, ``a`` and
    ``c`` the largest ``|w|`` and ``|1 - w|``; both are computed halved so
    that the check itself cannot overflow.
    """
    w_low, w_high = support
    c = max(abs(1.0 - w_low), abs(1.0 - w_high))
    a = max(abs(w_low), abs(w_high))
    half_magnitude = np.maximum(np.abs(low), np.abs(high)) / 2
    half_range = high / 2 - low / 2
    with np.errstate(over="ignore", invalid="ignore"):
        bound = np.maximum(half_magnitude + c * half_range, (a + c) * half_magnitude)
    return ~(bound <= largest / 2)


def _two_valued_sparse(X, positions) -> np.ndarray:
    """The sparse columns (of ``positions``, or all) holding exactly two values.

    Returns column indices. Costs O(nnz) plus a few vectorised passes over the
    columns' index array, never a dense pass per column: a column without
    stored values is constant 0 and is never read.
    """
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    n_rows, n_columns = X.shape
    if X.format == "csr":
        columns, values = X.indices, X.data
    else:
        columns = np.repeat(np.arange(n_columns, dtype=X.indices.dtype), np.diff(X.indptr))
        values = X.data
    if positions is not None:
        mixed = np.zeros(n_columns, dtype=bool)
        mixed[positions] = True
        keep = mixed[columns]
        columns, values = columns[keep], values[keep]
    if columns.size == 0:
        return np.empty(0, dtype=np.intp)
    order = np.argsort(columns, kind="stable")
    columns, values = columns[order], values[order]
    starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
    present = columns[starts]
    stored = np.diff(np.r_[starts, columns.size])
    low = np.minimum.reduceat(values, starts)
    high = np.maximum.reduceat(values, starts)
    has_zero = (stored < n_rows) | (np.minimum.reduceat(values != 0, starts) == 0)
    low = np.where(has_zero, np.minimum(low, 0), low)
    high = np.where(has_zero, np.maximum(high, 0), high)
    group = np.repeat(np.arange(present.size), stored)
    inside = (values != low[group]) & (values != high[group])
    has_other = np.bincount(group[inside], minlength=present.size) > 0
    zero_inside = has_zero & (low != 0) & (high != 0)
    return present[(low < high) & ~has_other & ~zero_inside].astype(np.intp)


def _two_valued_dense(X, positions) -> np.ndarray:
    """The columns (of ``positions``, or all) holding exactly two values.

    A prefix of rows rules out almost every column of continuous data; only
    the columns with at most two values there are read in full. Returns
    column indices.
    """
    positions = np.arange(X.shape[1]) if positions is None else positions
    prefix = X[:_PREFIX_ROWS, positions]
    low, high = prefix.min(axis=0), prefix.max(axis=0)
    candidates = np.all((prefix == low) | (prefix == high), axis=0)
    result = np.zeros(len(positions), dtype=bool)
    for i in np.flatnonzero(candidates):
        column = X[:, positions[i]]
        low, high = column.min(), column.max()
        result[i] = low < high and bool(np.all((column == low) | (column == high)))
    return np.asarray(positions)[result]


_PREFIX_ROWS = 1024


def _overflow_columns(X, positions, support, largest: float) -> np.ndarray:
    """The columns (of ``positions``, or all) whose new values could overflow."""
    # Fast path: bound every column by the whole matrix's extremes.
    low = np.array([X.min() if sp.issparse(X) else np.nanmin(X)], dtype=np.float64)
    high = np.array([X.max() if sp.issparse(X) else np.nanmax(X)], dtype=np.float64)
    if not _overflowing(low, high, support, largest).any():
        return np.empty(0, dtype=np.intp)
    positions = np.arange(X.shape[1]) if positions is None else np.asarray(positions)
    low, high = _ranges(X[:, positions])
    return positions[_overflowing(low, high, support, largest)]


def check_columns_to_mix(
    X, positions, names, support, *, y=None, integer=None, clip="dtype", warn_binary=True
) -> None:
    """Refuse overflowing columns and warn about two-valued ones.

    Parameters
    ----------
    X : ndarray or sparse matrix
        The float matrix that is mixed.
    positions : ndarray of int or None
        The mixed (non-categorical) columns; ``None`` for every column (no
        array of all the column indices is built: a wide sparse matrix costs
        what its non-zeros cost).
    names : list or None
        Column labels for messages (positions when ``None``).
    support : tuple of float
        Closed interval holding every weight.
    y : ndarray or None
        A continuous target mixed with the same weights.
    integer : ndarray of bool or None
        Over all columns of ``X``: which come back rounded to integers.
    clip : {'dtype', 'observed'}
        'observed' clips new values to the observed range.
    warn_binary : bool, default=True
        Whether to look for two-valued columns at all.
    """
    if (positions is not None and positions.size == 0) or X.shape[0] == 0 or X.shape[1] == 0:
        return

    def labels(columns) -> list:
        return np.asarray(columns).tolist() if names is None else [names[c] for c in columns]

    largest = float(np.finfo(X.dtype).max)
    too_wide = labels(_overflow_columns(X, positions, support, largest))
    if (
        y is not None
        and _overflowing(
            np.array([y.min()], dtype=np.float64),
            np.array([y.max()], dtype=np.float64),
            support,
            float(np.finfo(y.dtype).max),
        ).any()
    ):
        too_wide.append("y")
    if too_wide:
        hint = " or cast X to float64" if X.dtype == np.float32 else ""
        raise ValueError(
            f"column(s) {too_wide} hold values so large that new values w * x_a + "
            f"(1 - w) * x_p, with weights in [{support[0]:g}, {support[1]:g}], could "
            f"overflow {X.dtype} (largest finite value {largest:.4g}) and become "
            f"infinite. Rescale these columns (divide them by a power of 10){hint}."
        )
    if X.shape[0] < 3 or not warn_binary:
        return
    two = _two_valued_sparse(X, positions) if sp.issparse(X) else _two_valued_dense(X, positions)
    if integer is not None and two.size:
        two = two[~_kept_by_rounding(X, two, integer, support, clip)]
    flags = labels(two)
    if flags:
        shown = ", ".join(repr(flag) for flag in flags[:_SHOWN])
        more = f", ... ({len(flags):,} in all)" if len(flags) > _SHOWN else ""
        warnings.warn(
            f"{len(flags):,} column(s) hold exactly two distinct values (like a 0/1 flag) "
            f"and are mixed as numbers: [{shown}{more}]. New rows get values between "
            "(and, with expanded weights, beyond) the two. To copy them from the anchor "
            "row instead, declare them in categorical_features, or give them a bool or "
            "category dtype (categorical_features='auto' copies those); filter "
            "skmixup.exceptions.BinaryFeatureWarning if mixing them is intended. "
            "It is shown once per estimator.",
            BinaryFeatureWarning,
            stacklevel=5,  # the caller of fit_resample (through sklearn's wrapper)
        )
        return True
    return False


#: Two-valued columns named in a warning; the rest are counted.
_SHOWN = 5


def _kept_by_rounding(X, positions, integer, support, clip) -> np.ndarray:
    """Which of the columns ``positions`` rounding keeps in their two values.

    A new value lies within ``beyond * (high - low)`` of ``[low, high]``,
    with ``beyond`` how far the weights go past [0, 1]. Rounded to integers
    it stays in ``{low, high}`` when the two are consecutive and that margin
    is under half a step (or the values are clipped to the observed range).
    """
    low, high = _ranges(X[:, positions])
    beyond = max(0.0 - support[0], support[1] - 1.0, 0.0)
    consecutive = (high - low) == 1
    inside = (clip == "observed") | (beyond < 0.5)
    return np.asarray(integer)[positions] & consecutive & inside
