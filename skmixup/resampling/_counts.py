"""How many new rows each class (or the whole table) receives.

Pure counting on class sizes, with no data: the in-memory resamplers and
the out-of-core ones share it. ``sampling_strategy`` follows
imbalanced-learn's over-sampling semantics, computed here from the class
sizes alone (imbalanced-learn's own helper needs the whole ``y``).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["MAX_NEW_ROWS", "new_rows_per_class", "new_rows_continuous"]

#: Largest number of new rows a call may ask for: every count below it is
#: exact as a float64 and as an int64, so no arithmetic on it overflows.
MAX_NEW_ROWS = 2**53

_STRATEGIES = ("auto", "all", "minority", "not minority", "not majority")

#: What ``factor`` means, word for word the same in the docstrings, the
#: ``--factor`` help and the README (a test holds them to it).
FACTOR_DEFINITION = (
    "new rows per original row: a group of n rows (a class, or the whole table for a "
    "continuous target or no y) receives round(factor * n) new rows"
)


def new_rows_per_class(
    labels,
    sizes,
    *,
    sampling_strategy="auto",
    factor: float | None = None,
    n_samples: int | None = None,
    y=None,
) -> dict:
    """Number of new rows per class label.

    Parameters
    ----------
    labels : array-like of shape (n_classes,)
        The distinct class labels, sorted (as ``np.unique`` returns them).
    sizes : array-like of int of shape (n_classes,)
        Rows of each class.
    sampling_strategy : float, str, dict or callable, default='auto'
        Rows per class after resampling, as in imbalanced-learn's
        over-samplers. Used when neither ``factor`` nor ``n_samples`` is
        given; a strategy other than ``'auto'`` takes precedence over them
        (a ``UserWarning`` names the one ignored).
    factor : float or None, default=None
        New rows per original row: a group of n rows (a class, or the whole
        table for a continuous target or no y) receives round(factor * n)
        new rows.
    n_samples : int or None, default=None
        Total new rows, shared in proportion to the class sizes with
        largest remainders (so the total is exact).
    y : array-like or None, default=None
        The target, passed to a callable ``sampling_strategy`` (only then
        needed).

    Returns
    -------
    counts : dict
        ``{label: n_new}`` in the order of ``labels``, labels as Python
        scalars. With ``sampling_strategy``, classes it leaves out are
        absent (they receive no rows), as in imbalanced-learn.

    Raises
    ------
    ValueError, TypeError
        Invalid strategy for these classes, or a count above
        :data:`MAX_NEW_ROWS`.

    Examples
    --------
    >>> new_rows_per_class([0, 1, 2], [50, 10, 40])
    {1: 40, 2: 10}
    >>> new_rows_per_class([0, 1, 2], [50, 10, 40], n_samples=7)
    {0: 3, 1: 1, 2: 3}
    >>> new_rows_per_class(["a", "b"], [3, 5], factor=0.5)
    {'a': 2, 'b': 2}
    """
    keys = np.asarray(labels).tolist()
    sizes = [int(s) for s in np.asarray(sizes).tolist()]
    if len(keys) != len(sizes):
        raise ValueError(f"labels and sizes differ in length: {len(keys)} and {len(sizes)}.")
    _check_one_of(factor, n_samples)
    if not _is_default(sampling_strategy) and (factor is not None or n_samples is not None):
        ignored = f"factor={factor!r}" if factor is not None else f"n_samples={n_samples!r}"
        warnings.warn(
            f"sampling_strategy={_shown(sampling_strategy)} and {ignored} both set the "
            f"number of new rows: the explicit sampling_strategy is used and {ignored} "
            "is ignored. Keep only one of them (leave sampling_strategy='auto' to use "
            f"{ignored.split('=')[0]}).",
            UserWarning,
            stacklevel=_stacklevel(),
        )
        factor = n_samples = None
    if factor is not None:
        new = [_round_count(factor * size, "factor") for size in sizes]
        counts, name = dict(zip(keys, new)), "factor"
    elif n_samples is not None:
        counts = dict(zip(keys, _proportional_split(_check_n_samples(n_samples), sizes)))
        name = "n_samples"
    else:
        counts, name = _from_strategy(sampling_strategy, keys, sizes, y), "sampling_strategy"
    _check_total(sum(counts.values()), name)
    return counts


def new_rows_continuous(
    n_rows: int,
    *,
    sampling_strategy="auto",
    factor: float | None = None,
    n_samples: int | None = None,
) -> int:
    """Number of new rows when the whole table is one group.

    A continuous target (or no target) is mixed across the whole table:
    ``round(factor * n_rows)`` rows with ``factor``, ``n_samples`` rows
    with ``n_samples``, otherwise ``n_rows`` (the table doubles).
    ``sampling_strategy`` speaks of classes, so only its default is
    accepted.

    Examples
    --------
    >>> new_rows_continuous(100), new_rows_continuous(100, factor=0.25)
    (100, 25)
    """
    if not (isinstance(sampling_strategy, str) and sampling_strategy == "auto"):
        raise ValueError(
            "sampling_strategy applies to class labels; with a continuous "
            "target (or none) give the number of new rows with n_samples or factor."
        )
    _check_one_of(factor, n_samples)
    if factor is not None:
        return _round_count(factor * int(n_rows), "factor")
    if n_samples is not None:
        return _check_n_samples(n_samples)
    return _check_total(int(n_rows), "n_rows")


def _is_default(sampling_strategy) -> bool:
    return isinstance(sampling_strategy, str) and sampling_strategy == "auto"


def _shown(sampling_strategy) -> str:
    if callable(sampling_strategy) and not isinstance(sampling_strategy, Mapping):
        return f"<callable {getattr(sampling_strategy, '__name__', 'object')}>"
    return repr(sampling_strategy)


def _stacklevel() -> int:
    """Point a warning at the first frame outside skmixup (the user's call)."""
    import sys

    frame, level = sys._getframe(1), 1
    inside = ("skmixup", "sklearn.base")
    while frame is not None and frame.f_globals.get("__name__", "").startswith(inside):
        frame, level = frame.f_back, level + 1
    return level


def _check_one_of(factor, n_samples) -> None:
    if factor is not None and n_samples is not None:
        raise ValueError("give at most one of factor and n_samples, not both.")


def _round_count(value: float, name: str) -> int:
    if not np.isfinite(value) or value > MAX_NEW_ROWS:
        raise ValueError(
            f"{name} asks for {value:.4g} new rows, more than the limit of "
            f"{MAX_NEW_ROWS} (2**53) rows."
        )
    return _check_total(int(round(value)), name)


def _check_n_samples(n_samples) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}.")
    return _check_total(int(n_samples), "n_samples")


def _check_total(total: int, name: str) -> int:
    if total > MAX_NEW_ROWS:
        raise ValueError(
            f"{name} asks for {total} new rows, more than the limit of {MAX_NEW_ROWS} (2**53) rows."
        )
    return total


def _proportional_split(total: int, sizes: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``sizes`` with largest remainders."""
    # Integer arithmetic: exact for any total below MAX_NEW_ROWS.
    n_rows = sum(sizes)
    base = [total * s // n_rows for s in sizes]
    remainders = [total * s - b * n_rows for s, b in zip(sizes, base)]
    order = sorted(range(len(sizes)), key=lambda i: -remainders[i])
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def _from_strategy(strategy, keys: list, sizes: list[int], y) -> dict:
    largest = max(sizes)
    # Ties go to the first label in sorted order, as in imbalanced-learn.
    majority = keys[sizes.index(largest)]
    minority = keys[sizes.index(min(sizes))]
    if isinstance(strategy, str):
        if strategy == "majority":
            raise ValueError(
                "sampling_strategy='majority' cannot be used with an over-sampler: "
                "the majority class would receive no rows."
            )
        if strategy not in _STRATEGIES:
            raise ValueError(
                f"sampling_strategy must be one of {list(_STRATEGIES)}, a float, a dict "
                f"or a callable; got {strategy!r}."
            )
        skip = {
            "auto": lambda k: k == majority,
            "not majority": lambda k: k == majority,
            "not minority": lambda k: k == minority,
            "minority": lambda k: k != minority,
            "all": lambda k: False,
        }[strategy]
        return {k: largest - s for k, s in zip(keys, sizes) if not skip(k)}
    if isinstance(strategy, Mapping):
        return _from_dict(strategy, keys, sizes, "sampling_strategy (a dict)")
    if isinstance(strategy, numbers.Real) and not isinstance(strategy, bool):
        return _from_ratio(float(strategy), keys, sizes, largest, majority)
    if callable(strategy):
        return _from_callable(strategy, keys, sizes, y)
    raise TypeError(
        "sampling_strategy must be a float, a str, a dict or a callable, got "
        f"{type(strategy).__name__}."
    )


def _from_ratio(ratio: float, keys, sizes, largest, majority) -> dict:
    if len(keys) != 2:
        raise ValueError(
            f"sampling_strategy can be a float only with 2 classes, y has {len(keys)}; "
            "give a dict of rows per class instead."
        )
    if not 0 < ratio <= 1:
        raise ValueError(f"sampling_strategy (a float) must be in (0, 1], got {ratio}.")
    target = largest * ratio
    counts = {k: int(target - s) for k, s in zip(keys, sizes) if k != majority}
    if any(n <= 0 for n in counts.values()):
        raise ValueError(
            f"sampling_strategy={ratio} asks the minority class for fewer rows than it "
            "has; an over-sampler cannot remove rows: increase the ratio."
        )
    return counts


def _from_callable(strategy: Callable, keys, sizes, y) -> dict:
    if y is None:
        raise ValueError("a callable sampling_strategy needs y; pass y to new_rows_per_class.")
    result = strategy(y)
    if not isinstance(result, Mapping):
        raise TypeError(
            "sampling_strategy (a callable) must return a dict of rows per class, "
            f"got {type(result).__name__}."
        )
    return _from_dict(result, keys, sizes, "the dict returned by sampling_strategy")


def _from_dict(strategy: Mapping, keys, sizes, what: str) -> dict:
    size_of = dict(zip(keys, sizes))
    unknown = [k for k in strategy if k not in size_of]
    if unknown:
        raise ValueError(f"{what} names classes that are not in y: {unknown!r}.")
    counts = {}
    for label, wanted in strategy.items():
        if isinstance(wanted, bool) or not isinstance(wanted, numbers.Integral):
            raise TypeError(
                f"{what} must map each class to a whole number of rows; class "
                f"{label!r} has {wanted!r}."
            )
        wanted = int(wanted)
        if wanted < 0:
            raise ValueError(f"{what} gives class {label!r} a negative count: {wanted}.")
        if wanted < size_of[label]:
            raise ValueError(
                f"{what} asks class {label!r} for {wanted} rows but it has "
                f"{size_of[label]}: an over-sampler gives the rows per class after "
                "resampling, at least the rows it has."
            )
        counts[label] = wanted - size_of[label]
    # Sorted by label as imbalanced-learn returns them.
    return {k: counts[k] for k in keys if k in counts}
