"""Structure diagnostics against closed forms."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from skmixup.metrics import structure_report, total_variance


def test_scaling_gives_closed_form_errors():
    X = np.random.default_rng(0).normal(size=(500, 3)) + 2.0
    centre = X.mean(axis=0)
    scaled = centre + 0.5 * (X - centre)  # same mean, covariance x 1/4
    report = structure_report(X, scaled)
    assert report["mean"] == pytest.approx(0.0, abs=1e-12)
    assert report["covariance"] == pytest.approx(0.75)
    assert report["variance"] == pytest.approx(0.75)
    assert report["variance_ratio"] == pytest.approx(0.25)


def test_coefficients_error_with_named_target():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    frame["y"] = 2 * frame["a"] - frame["b"]
    doubled = frame.assign(y=2 * frame["y"])  # coefficients exactly doubled
    report = structure_report(frame, doubled, target="y")
    # The difference of coefficients is the original's (2, -1), standardised
    # by the original standard deviations of the features and of y.
    sd = frame.std()
    expected = np.sqrt(np.mean(np.square([2 * sd["a"] / sd["y"], -1 * sd["b"] / sd["y"]])))
    assert report["coefficients"] == pytest.approx(expected, rel=1e-9)
    assert structure_report(frame, frame, target=-1)["coefficients"] == pytest.approx(0.0)


def test_mean_error_is_in_standard_deviations():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3)) * [1.0, 10.0, 1000.0]  # centred, very different units
    shifted = X + 0.5 * X.std(axis=0, ddof=1) * [1.0, -1.0, 1.0]
    report = structure_report(X, shifted)
    assert report["mean"] == pytest.approx(0.5)
    assert report["variance"] == pytest.approx(0.0, abs=1e-12)
    assert report["covariance"] == pytest.approx(0.0, abs=1e-12)
    # Changing one column's unit in both tables changes nothing.
    unit = np.array([1.0, 1e-3, 1e6])
    rescaled = structure_report(X * unit, shifted * unit)
    assert rescaled == pytest.approx(report)


def test_two_samples_of_one_distribution_score_near_zero():
    # Bounds from the sampling laws of the figures for two independent
    # N(0, I) samples of sizes n and m (probability ~1e-4 each to exceed).
    rng = np.random.default_rng(4)
    n, m, d = 3000, 2000, 4
    first, second = rng.normal(size=(n, d)), rng.normal(size=(m, d))
    report = structure_report(first, second, target=d - 1)
    q = 1 - 1e-4
    mean_var = 1 / n + 1 / m  # variance of a difference of two means
    var_var = 2 / n + 2 / m  # variance of a difference of two sample variances
    # mean^2 * d / mean_var ~ chi2(d)
    assert report["mean"] <= np.sqrt(mean_var * stats.chi2.ppf(q, d) / d)
    # variance^2 * d / var_var ~ chi2(d) (to first order)
    assert report["variance"] <= 1.1 * np.sqrt(var_var * stats.chi2.ppf(q, d) / d)
    # ||dC||^2 ~ var_var * chi2(d (d + 1) / 2) and ||C||^2 ~ d
    dof = d * (d + 1) // 2
    assert report["covariance"] <= 1.1 * np.sqrt(var_var * stats.chi2.ppf(q, dof) / d)
    assert abs(report["variance_ratio"] - 1) <= stats.norm.ppf(q) * np.sqrt(var_var / d)
    # standardised coefficients of an independent target: N(0, mean_var) each
    assert report["coefficients"] <= np.sqrt(mean_var * stats.chi2.ppf(q, d - 1) / (d - 1))
    # The bounds are not vacuous: a sample shifted by a tenth of an SD fails.
    assert structure_report(first, second + 0.1)["mean"] > np.sqrt(
        mean_var * stats.chi2.ppf(q, d) / d
    )


def test_constant_columns_are_left_out():
    rng = np.random.default_rng(5)
    X, Z = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    with_constant = structure_report(np.c_[X, np.ones(200)], np.c_[Z, np.ones(200)])
    assert with_constant == pytest.approx(structure_report(X, Z))
    with pytest.raises(ValueError, match="target column 2 is constant"):
        structure_report(np.c_[X, np.ones(200)], np.c_[Z, np.ones(200)], target=2)


def test_total_variance_is_the_trace():
    X = np.random.default_rng(2).normal(size=(50, 4))
    assert total_variance(X) == pytest.approx(np.trace(np.cov(X, rowvar=False)))


def test_errors():
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="constant"):
        structure_report(np.ones((5, 2)), X)
    with pytest.raises(ValueError, match="same columns"):
        structure_report(X, np.ones((5, 3)))
    with pytest.raises(ValueError, match="not found"):
        structure_report(pd.DataFrame(X, columns=["a", "b"]), X, target="c")
    with pytest.raises(ValueError, match="out of range"):
        structure_report(X, X, target=2)
    with pytest.raises(ValueError, match="NaN"):
        structure_report(np.array([[np.nan, 1.0], [1.0, 2.0]]), X)
