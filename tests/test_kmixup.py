"""KMixupResampler: statistics, the fixed-perturbation option, pipelines, errors."""

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skmixup import KMixupResampler
from skmixup._engine import interpolate
from skmixup.datasets import make_correlated_gaussian, make_rings
from skmixup.pairing import mean_min_weight_squared
from skmixup.weights import Beta, EpBeta


def _synthetic(X, y=None, **params):
    y = np.zeros(X.shape[0]) if y is None else y
    params.setdefault("target_type", "regression")
    return KMixupResampler(synthetic_only=True, **params).fit_resample(X, y)[0]


def test_k1_has_the_covariance_of_random_pair_mixup():
    # Closed form of tests/test_structure.py: Cov = S (f - 1/n) for random pairs.
    X, _ = make_correlated_gaussian(500, 2, correlation=0.7, random_state=0)
    Z = _synthetic(X, k=1, alpha=1.0, n_samples=300_000, random_state=0)
    expected = np.cov(X, rowvar=False) * (Beta(1.0).covariance_factor - 1 / 500)
    centred = Z - Z.mean(axis=0)
    errors = (centred[:, :, None] * centred[:, None, :]).std(axis=0) / np.sqrt(len(Z))
    assert np.all(np.abs(np.cov(Z, rowvar=False) - expected) < 5 * errors)


def test_matched_partners_keep_rows_on_their_ring():
    X, y = make_rings(2000, n_rings=2, noise=0.0, random_state=1)
    radius_error = {}
    for k in [1, 16]:
        Z = KMixupResampler(k=k, alpha=1.0, factor=1.0, synthetic_only=True, random_state=0)
        X_new, y_new = Z.fit_resample(X, y)
        radius_error[k] = np.mean(np.abs(np.hypot(*X_new.T) - (y_new + 1.0)))
    # Random chords of a circle cut deep inside it; matched partners are close.
    assert radius_error[16] < 0.25 * radius_error[1]


def test_fixed_perturbation_alpha_is_really_used():
    X, _ = make_correlated_gaussian(4000, 2, correlation=0.0, random_state=2)
    y = np.zeros(len(X))
    base = dict(target_type="regression", n_samples=200_000, synthetic_only=True)
    adjusted = KMixupResampler(k=4, alpha=0.2, fixed_perturbation=True, random_state=3, **base)
    X_new, _ = adjusted.fit_resample(X, y)
    assert adjusted.alpha_ > 0.2 and not adjusted.perturbation_capped_
    assert adjusted.weight_law_ == Beta(adjusted.alpha_)
    plan = adjusted._draw_plan(X, y)  # same seed: the plan fit_resample used
    np.testing.assert_array_equal(interpolate(X, plan), X_new)
    # The drawn weights follow Beta(alpha_), not Beta(alpha).
    values = np.minimum(plan.weights, 1 - plan.weights) ** 2
    error = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - mean_min_weight_squared(adjusted.alpha_)) < 5 * error
    assert abs(values.mean() - mean_min_weight_squared(0.2)) > 20 * error

    # Monte Carlo RMS perturbation of k = 4 at alpha_ equals classic mixup's at 0.2.
    def rms_perturbation(resampler):
        resampler.fit(X, y)
        p = resampler._draw_plan(X, y)
        gaps = np.sum((X[p.anchors] - X[p.partners]) ** 2, axis=1)
        return np.sqrt(np.mean(np.minimum(p.weights, 1 - p.weights) ** 2 * gaps))

    classic = rms_perturbation(KMixupResampler(k=1, alpha=0.2, random_state=4, **base))
    assert rms_perturbation(adjusted) == pytest.approx(classic, rel=0.05)


def test_fixed_perturbation_cap_is_reported():
    X, _ = make_correlated_gaussian(2000, 2, correlation=0.0, random_state=5)
    resampler = KMixupResampler(k=32, alpha=1.0, fixed_perturbation=True, random_state=0)
    with pytest.warns(UserWarning, match="fixed_perturbation"):
        resampler.fit(X, np.linspace(0, 1, 2000))
    assert resampler.perturbation_capped_ and resampler.alpha_ == 100.0


def test_any_weight_law_is_accepted():
    X, y = make_rings(200, random_state=6)
    law = EpBeta.variance_preserving(0.2, 0.2, 0.8)
    resampler = KMixupResampler(alpha=law, k=8, random_state=0).fit(X, y)
    assert resampler.weight_law_ is law and resampler.alpha_ is None
    with pytest.raises(ValueError, match="needs a numeric alpha"):
        KMixupResampler(alpha=law, fixed_perturbation=True).fit(X, y)


def test_grid_search_over_k_and_alpha():
    X, y = make_rings(300, n_rings=2, noise=0.1, random_state=7)
    y = np.where(np.arange(300) % 5 == 0, 1, 0) * y  # imbalanced: 30 rows in class 1
    pipeline = Pipeline([("mix", KMixupResampler(random_state=0)), ("model", LogisticRegression())])
    search = GridSearchCV(pipeline, {"mix__k": [1, 4], "mix__alpha": [0.5, 2.0]}, cv=3)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_["mix"].k in (1, 4)


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({"k": 0}, None, "'k' parameter"),
        ({"k": 2.5}, None, "'k' parameter"),
        ({"alpha": -1.0}, None, "'alpha' parameter"),
        ({}, np.array([["a", "b"], ["c", "d"], ["e", "f"]], dtype=object), "convert"),
        ({}, np.array([[0.0, np.nan], [1, 2], [3, 4]]), "NaN"),
    ],
)
def test_bad_input(params, X, match):
    X = np.random.default_rng(0).normal(size=(3, 2)) if X is None else X
    with pytest.raises(ValueError, match=match):
        KMixupResampler(**params).fit_resample(X, [0, 1, 1])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_is_matched_like_dense(fmt):
    import scipy.sparse as sp

    X, y = make_rings(200, random_state=8)
    dense, _ = KMixupResampler(k=8, random_state=0).fit_resample(X, y)
    sparse, _ = KMixupResampler(k=8, random_state=0).fit_resample(sp.csr_matrix(X).asformat(fmt), y)
    assert sparse.format == fmt
    np.testing.assert_allclose(sparse.toarray(), dense, rtol=1e-10, atol=1e-12)
