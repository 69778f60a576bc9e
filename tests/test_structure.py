"""Structure preservation of EpBeta mixup against closed forms and Monte Carlo.

Closed form used throughout (derived in ALGORITHMS.md section 1, adapted to
finite data): a new row is ``w x_a + (1 - w) x_p`` with the anchor ``a``
uniform over the n rows and the partner ``p`` uniform over the *other*
rows. Its covariance is exactly ``S (f - 1/n)``, where ``S`` is the unbiased
sample covariance of the data and ``f = 1 - 2 E[W] + 2 E[W^2]``. New rows
are i.i.d. given the data, so Monte Carlo standard errors are the usual
ones.
"""

import numpy as np
import pytest

from skmixup import EpBetaMixupResampler
from skmixup.datasets import make_correlated_gaussian
from skmixup.weights import Beta, EpBeta

UNIFORM = dict(eps0=0.0, eps1=0.0, alpha=1.0, beta=1.0)


def _synthesise(X, y=None, n_new=None, seed=0, **params):
    y = np.zeros(X.shape[0]) if y is None else y
    resampler = EpBetaMixupResampler(
        synthetic_only=True,
        target_type="regression",
        n_samples=n_new,
        random_state=seed,
        **params,
    )
    return resampler.fit_resample(X, y)


def _covariance_standard_errors(Z):
    centred = Z - Z.mean(axis=0)
    products = centred[:, :, None] * centred[:, None, :]
    return products.std(axis=0, ddof=1) / np.sqrt(Z.shape[0])


@pytest.mark.parametrize(
    "params, law",
    [
        ({}, EpBeta.variance_preserving()),
        (dict(mean=0.9, eps0=0.2, eps1=0.5), EpBeta.variance_preserving(0.2, 0.5, 0.9)),
        (UNIFORM, Beta(1.0)),
        (dict(eps0=0.0, eps1=0.0, alpha=0.4, beta=0.4), Beta(0.4)),
    ],
    ids=["epbeta", "epbeta-high-mean", "uniform", "beta0.4"],
)
def test_covariance_matches_closed_form(params, law):
    X, _ = make_correlated_gaussian(500, 3, correlation=0.6, random_state=0)
    n_new = 400_000
    Z, _ = _synthesise(X, n_new=n_new, **params)
    S = np.cov(X, rowvar=False)
    expected = S * (law.covariance_factor - 1 / X.shape[0])
    observed = np.cov(Z, rowvar=False)
    standard_errors = _covariance_standard_errors(Z)
    assert np.all(np.abs(observed - expected) < 5 * standard_errors)
    # The mean is kept by every law.
    mean_errors = Z.std(axis=0, ddof=1) / np.sqrt(n_new)
    assert np.all(np.abs(Z.mean(axis=0) - X.mean(axis=0)) < 5 * mean_errors)


def test_uniform_keeps_two_thirds_and_epbeta_all_of_the_covariance():
    X, _ = make_correlated_gaussian(2000, 2, correlation=0.8, random_state=1)
    S = np.cov(X, rowvar=False)
    Z_uniform, _ = _synthesise(X, n_new=200_000, **UNIFORM)
    Z_epbeta, _ = _synthesise(X, n_new=200_000)
    ratio_uniform = np.cov(Z_uniform, rowvar=False) / S
    ratio_epbeta = np.cov(Z_epbeta, rowvar=False) / S
    np.testing.assert_allclose(ratio_uniform, 2 / 3, rtol=0.03)
    np.testing.assert_allclose(ratio_epbeta, 1.0, rtol=0.03)


def _least_squares(design, target):
    design = np.column_stack([np.ones(design.shape[0]), design])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coef
    # HC0 (sandwich) standard errors: valid for heteroscedastic synthetic noise.
    bread = np.linalg.inv(design.T @ design)
    meat = design.T @ (design * residuals[:, None] ** 2)
    return coef, np.sqrt(np.diag(bread @ meat @ bread))


@pytest.mark.parametrize("params", [{}, UNIFORM], ids=["epbeta", "uniform"])
def test_regression_coefficients_are_preserved(params):
    rng = np.random.default_rng(2)
    X, _ = make_correlated_gaussian(1000, 3, correlation=0.5, random_state=2)
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.7 + rng.normal(scale=0.5, size=1000)
    original, _ = _least_squares(X, y)
    Z, y_new = _synthesise(X, y, n_new=300_000, seed=3, **params)
    synthetic, standard_errors = _least_squares(Z, y_new)
    assert np.all(np.abs(synthetic - original) < 5 * standard_errors)


def test_targets_are_mixed_with_the_rows_weight():
    # A noise-free linear target stays exactly linear only if y is mixed with
    # the same weight as the row, whatever the weight.
    X = np.random.default_rng(4).normal(size=(60, 4))
    coefficients = np.array([1.0, -3.0, 2.0, 0.25])
    Z, y_new = _synthesise(X, X @ coefficients + 5.0, n_new=500)
    np.testing.assert_allclose(y_new, Z @ coefficients + 5.0, rtol=1e-10, atol=1e-10)


def _variance_after(X, generations, seed, **params):
    Z = X
    for generation in range(generations):
        Z, _ = _synthesise(Z, n_new=X.shape[0], seed=seed * 1000 + generation, **params)
    return np.var(Z, axis=0, ddof=1).sum()


def test_twenty_generations_epbeta_keeps_variance_uniform_collapses():
    n, generations, chains = 200_000, 20, 6
    X, _ = make_correlated_gaussian(n, 2, correlation=0.8, random_state=5)
    base = np.var(X, axis=0, ddof=1).sum()
    law_factors = {"epbeta": 1.0, "uniform": 2 / 3}
    for name, params in [("epbeta", {}), ("uniform", UNIFORM)]:
        ratios = np.array(
            [_variance_after(X, generations, c, **params) / base for c in range(chains)]
        )
        # E[S_{g+1} | S_g] = S_g (f - 1/n), so E[ratio] = (f - 1/n) ** generations.
        expected = (law_factors[name] - 1 / n) ** generations
        standard_error = ratios.std(ddof=1) / np.sqrt(chains)
        assert abs(ratios.mean() - expected) < 5 * standard_error + 1e-12
        if name == "epbeta":
            # The kurtosis grows each generation (ALGORITHMS.md section 1), so
            # single chains wander more than the variance of one synthesis
            # suggests; their average stays within a few percent.
            assert abs(ratios.mean() - 1) < 0.03
            assert np.all(np.abs(ratios - 1) < 0.10)
        else:
            assert np.all(ratios < 0.01)
