"""Toy data sets for the structures mixup methods are about."""

from __future__ import annotations

import numbers

import numpy as np

from skmixup._random import as_generator


def _check_count(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _check_noise(noise) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}.")
    return float(noise)


def _split_evenly(n_samples: int, n_parts: int) -> np.ndarray:
    """Part of each of ``n_samples`` items when split as evenly as possible."""
    return np.repeat(
        np.arange(n_parts), np.diff(np.linspace(0, n_samples, n_parts + 1).astype(int))
    )


__all__ = [
    "make_alternating_line",
    "make_bars",
    "make_correlated_gaussian",
    "make_rings",
    "make_swiss_roll_2d",
]


def make_correlated_gaussian(
    n_samples: int = 1000,
    n_features: int = 2,
    *,
    correlation: float = 0.8,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian rows with unit variances and equal pairwise correlations.

    Parameters
    ----------
    n_samples : int, default=1000
    n_features : int, default=2
    correlation : float, default=0.8
        Correlation of every pair of features, in
        ``(-1 / (n_features - 1), 1)`` so the covariance is positive definite.
    random_state : int, RandomState instance, Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    covariance : ndarray of shape (n_features, n_features)
        The population covariance the rows were drawn from.

    Examples
    --------
    >>> from skmixup.datasets import make_correlated_gaussian
    >>> X, covariance = make_correlated_gaussian(5, 3, correlation=0.5, random_state=0)
    >>> X.shape, float(covariance[0, 1])
    ((5, 3), 0.5)
    """
    if n_samples < 1 or n_features < 1:
        raise ValueError("n_samples and n_features must be >= 1.")
    lower = -1.0 / (n_features - 1) if n_features > 1 else -1.0
    if not lower < correlation < 1.0:
        raise ValueError(
            f"correlation must lie in ({lower:g}, 1) for {n_features} features, "
            f"got {correlation!r}."
        )
    covariance = np.full((n_features, n_features), float(correlation))
    np.fill_diagonal(covariance, 1.0)
    rng = as_generator(random_state)
    X = rng.multivariate_normal(np.zeros(n_features), covariance, size=n_samples)
    return X, covariance


def make_rings(
    n_samples: int = 500, *, n_rings: int = 2, noise: float = 0.05, random_state=None
) -> tuple[np.ndarray, np.ndarray]:
    """Concentric rings in 2-D; the class is the ring.

    Ring ``c`` has radius ``c + 1``; points are spread uniformly in angle, as
    evenly as possible among rings, with Gaussian noise of scale ``noise``.
    Mixing across a ring leaves the manifold; k-mixup's matched partners stay
    on it.

    Parameters
    ----------
    n_samples : int, default=500
    n_rings : int, default=2
    noise : float, default=0.05
    random_state : int, RandomState instance, Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), dtype int
        Ring index, 0 for the innermost.

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.datasets import make_rings
    >>> X, y = make_rings(6, n_rings=2, noise=0.0, random_state=0)
    >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6).tolist(), y.tolist()
    ([1.0, 1.0, 1.0, 2.0, 2.0, 2.0], [0, 0, 0, 1, 1, 1])
    """
    n_samples = _check_count("n_samples", n_samples)
    n_rings = _check_count("n_rings", n_rings)
    noise = _check_noise(noise)
    rng = as_generator(random_state)
    y = _split_evenly(n_samples, n_rings)
    angle = rng.uniform(0, 2 * np.pi, n_samples)
    radius = y + 1.0
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return X, y


def make_bars(
    n_samples: int = 500,
    *,
    n_bars: int = 4,
    n_classes: int = 2,
    length: float = 4.0,
    gap: float = 1.0,
    noise: float = 0.05,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Parallel vertical bars in 2-D; classes alternate from bar to bar.

    Bar ``b`` is the segment ``x = b * gap``, ``0 <= y <= length``; its points
    have class ``b % n_classes``. Random partners of one class jump over the
    bars of other classes; matched partners stay on a bar or move to the
    nearest bar of their class.

    Parameters
    ----------
    n_samples : int, default=500
    n_bars : int, default=4
    n_classes : int, default=2
    length, gap : float, default=4.0, 1.0
    noise : float, default=0.05
    random_state : int, RandomState instance, Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), dtype int

    Examples
    --------
    >>> from skmixup.datasets import make_bars
    >>> X, y = make_bars(8, n_bars=4, n_classes=2, noise=0.0, random_state=0)
    >>> X[:, 0].tolist(), y.tolist()
    ([0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0], [0, 0, 1, 1, 0, 0, 1, 1])
    """
    n_samples = _check_count("n_samples", n_samples)
    n_bars = _check_count("n_bars", n_bars)
    n_classes = _check_count("n_classes", n_classes)
    noise = _check_noise(noise)
    rng = as_generator(random_state)
    bar = _split_evenly(n_samples, n_bars)
    X = np.column_stack([bar * float(gap), rng.uniform(0, length, n_samples)])
    X += noise * rng.standard_normal(X.shape)
    return X, bar % n_classes


def make_swiss_roll_2d(
    n_samples: int = 500, *, n_classes: int = 2, noise: float = 0.1, random_state=None
) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D spiral (swiss roll seen from its axis); classes are arcs of it.

    Points ``(t cos t, t sin t)`` with ``t`` uniform in ``[1.5 pi, 4.5 pi]``;
    the class is the index of the equal-length interval of ``t`` that holds
    the point, so neighbouring turns of the roll hold different arcs.

    Parameters
    ----------
    n_samples : int, default=500
    n_classes : int, default=2
    noise : float, default=0.1
    random_state : int, RandomState instance, Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), dtype int

    Examples
    --------
    >>> from skmixup.datasets import make_swiss_roll_2d
    >>> X, y = make_swiss_roll_2d(100, n_classes=3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1, 2])
    """
    n_samples = _check_count("n_samples", n_samples)
    n_classes = _check_count("n_classes", n_classes)
    noise = _check_noise(noise)
    rng = as_generator(random_state)
    low, high = 1.5 * np.pi, 4.5 * np.pi
    t = rng.uniform(low, high, n_samples)
    X = np.column_stack([t * np.cos(t), t * np.sin(t)])
    X += noise * rng.standard_normal(X.shape)
    y = np.minimum(((t - low) / (high - low) * n_classes).astype(int), n_classes - 1)
    return X, y


def make_alternating_line(
    n_points: int = 10, *, n_classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``0, 1, ..., n_points - 1`` on a line with alternating classes.

    The class of point ``i`` is ``i % n_classes``. Mixing across classes
    with weights concentrated near 1/2 puts, between two neighbours, soft
    labels that contradict the label of the point there: a network trained
    with such mixup cannot fit the middle points, while ordinary training
    can (``ALGORITHMS.md`` section 6).

    Parameters
    ----------
    n_points : int, default=10
    n_classes : int, default=2

    Returns
    -------
    X : ndarray of shape (n_points, 1), float64
    y : ndarray of shape (n_points,), dtype int

    Examples
    --------
    >>> from skmixup.datasets import make_alternating_line
    >>> X, y = make_alternating_line(5)
    >>> X.ravel().tolist(), y.tolist()
    ([0.0, 1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1, 0])
    """
    n_points = _check_count("n_points", n_points, minimum=2)
    n_classes = _check_count("n_classes", n_classes, minimum=2)
    positions = np.arange(n_points)
    return positions.astype(np.float64)[:, None], positions % n_classes
