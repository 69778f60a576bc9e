"""Toy data sets for the structures mixup methods are about."""

from __future__ import annotations

import numpy as np

from skmixup._random import as_generator

__all__ = ["make_correlated_gaussian"]


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
