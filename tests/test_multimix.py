"""Multi-mix: K independent interpolations per pair, on every resampler."""

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup._engine import draw_plan, interpolate
from skmixup.datasets import make_correlated_gaussian
from skmixup.pairing import RandomPairing
from skmixup.weights import Beta, EpBeta


def _fitted_plan(resampler, X, y):
    """The plan fit_resample used (same seed), checked against its output."""
    X_new, _ = resampler.fit_resample(X, y)
    plan = resampler._draw_plan(X, y)
    np.testing.assert_array_equal(interpolate(X, plan), X_new)
    return plan


@pytest.mark.parametrize("law", [Beta(0.5), EpBeta.variance_preserving(0.3, 0.3, 0.7)], ids=repr)
def test_weights_of_a_pair_are_independent_draws_of_the_law(law):
    K, n_pairs = 4, 50_000
    X = np.random.default_rng(0).normal(size=(100, 2))
    resampler = MultiMixResampler(
        n_interpolations=K,
        alpha=law,
        n_samples=K * n_pairs,
        synthetic_only=True,
        target_type="regression",
        random_state=0,
    )
    plan = _fitted_plan(resampler, X, np.linspace(0, 1, 100))
    weights = plan.weights.reshape(n_pairs, K)
    for power, exact in [(1, law.mean), (2, law.second_moment)]:
        values = weights**power
        error = values.std(ddof=1) / np.sqrt(values.size) * np.sqrt(K)  # conservative
        assert abs(values.mean() - exact) < 5 * error
    correlation = np.corrcoef(weights, rowvar=False)[np.triu_indices(K, 1)]
    assert np.all(np.abs(correlation) < 5 / np.sqrt(n_pairs))


@pytest.mark.filterwarnings("ignore:synthetic_only=True with sampling_strategy")
@pytest.mark.parametrize(
    "resampler",
    [
        MultiMixResampler(n_interpolations=3, random_state=0),
        MultiMixResampler(n_interpolations=4, k=8, random_state=0),
        EpBetaMixupResampler(n_interpolations=5, random_state=0),
        KMixupResampler(
            n_interpolations=2, k=4, alpha=EpBeta.variance_preserving(), random_state=0
        ),
    ],
    ids=["random", "kmixup-matched", "epbeta", "kmixup-epbeta"],
)
def test_rows_lie_on_their_pair_line_in_groups_of_k(resampler):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = np.r_[np.zeros(57, dtype=int), np.ones(23, dtype=int)]
    plan = _fitted_plan(resampler.set_params(synthetic_only=True), X, y)
    K = resampler.n_interpolations
    assert len(plan) == 57 - 23  # exactly the requested number of rows
    # x_new - x_a = (1 - w) (x_p - x_a): parallel to the pair, with the drawn weight.
    X_new = interpolate(X, plan)
    np.testing.assert_allclose(
        X_new - X[plan.anchors],
        (1 - plan.weights)[:, None] * (X[plan.partners] - X[plan.anchors]),
        atol=1e-12,
    )
    # Groups of K consecutive rows share a pair; 34 = 34 // K full groups + rest.
    starts = np.arange(0, 34, K)
    for start in starts:
        block = slice(start, min(start + K, 34))
        assert len(set(plan.anchors[block])) == 1 and len(set(plan.partners[block])) == 1
    assert 34 - starts[-1] == (34 % K or K)  # the last pair emits the remainder


def test_epbeta_weights_still_keep_the_covariance_with_multiplicity():
    X, _ = make_correlated_gaussian(400, 2, correlation=0.6, random_state=2)
    K, n_pairs = 5, 60_000
    resampler = EpBetaMixupResampler(
        n_interpolations=K,
        n_samples=K * n_pairs,
        synthetic_only=True,
        target_type="regression",
        random_state=3,
    )
    Z, _ = resampler.fit_resample(X, np.zeros(400))
    expected = np.cov(X, rowvar=False) * (1 - 1 / 400)  # S (f - 1/n), f = 1
    centred = Z - Z.mean(axis=0)
    # Rows of one pair are dependent: standard errors from per-pair averages.
    products = (centred[:, :, None] * centred[:, None, :]).reshape(n_pairs, K, 2, 2).mean(axis=1)
    errors = products.std(axis=0, ddof=1) / np.sqrt(n_pairs)
    assert np.all(np.abs(np.cov(Z, rowvar=False) - expected) < 5 * errors)


def test_gradient_variance_falls_like_a_plus_b_over_k():
    # A fixed linear model, squared loss; g is the gradient averaged over the
    # K interpolations of one random pair. Law of total variance:
    # Var(g) = Var_pair(E_w[g | pair]) + E_pair[Var_w(g | pair)] / K.
    rng = np.random.default_rng(4)
    n, d = 12, 3
    X = rng.normal(size=(n, d))
    y = X @ np.array([1.0, -1.0, 2.0]) + rng.normal(scale=0.3, size=n)
    theta = np.array([0.5, 0.2, 1.0])
    law = Beta(0.8)

    def gradients(plan):
        x, t = interpolate(X, plan), interpolate(y, plan)
        return (x @ theta - t)[:, None] * x

    # Independent nested estimate of a and b: every ordered pair, many weights.
    anchors, partners = np.nonzero(~np.eye(n, dtype=bool))
    M = 4000
    from skmixup._engine import MixPlan

    nested = MixPlan(np.repeat(anchors, M), np.repeat(partners, M), law.sample(anchors.size * M, 5))
    g = gradients(nested).reshape(anchors.size, M, d)
    b = np.mean(np.sum(g.var(axis=1, ddof=1), axis=1))
    a = np.sum(g.mean(axis=1).var(axis=0)) - b / M  # minus the inner Monte Carlo noise

    R = 100_000
    variances, errors = [], []
    for K in [1, 2, 4, 8]:
        plan = draw_plan(
            None, [np.arange(n)], [R * K], law, RandomPairing(), rng, n_interpolations=K
        )
        per_pair = gradients(plan).reshape(R, K, d).mean(axis=1)
        squared = np.sum((per_pair - per_pair.mean(axis=0)) ** 2, axis=1)
        variances.append(squared.mean())
        errors.append(squared.std(ddof=1) / np.sqrt(R))
        # 5 standard errors of the outer estimate, plus 1% for the nested one.
        assert abs(variances[-1] - (a + b / K)) < 5 * errors[-1] + 0.01 * (a + b / K)
    fit_b, fit_a = np.polyfit(1 / np.array([1, 2, 4, 8]), variances, 1, w=1 / np.array(errors))
    assert fit_a == pytest.approx(a, rel=0.05) and fit_b == pytest.approx(b, rel=0.05)
    assert variances == sorted(variances, reverse=True)


def test_grid_search_over_n_interpolations():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=150) > 0.8).astype(int)
    pipeline = Pipeline(
        [("mix", MultiMixResampler(random_state=0)), ("model", LogisticRegression())]
    )
    search = GridSearchCV(pipeline, {"mix__n_interpolations": [1, 3, 5]}, cv=3)
    search.fit(X, y)
    assert [p["mix__n_interpolations"] for p in search.cv_results_["params"]] == [1, 3, 5]
    assert search.best_estimator_["mix"].n_interpolations in (1, 3, 5)


@pytest.mark.parametrize("value", [0, -2, 2.5, "5"])
@pytest.mark.parametrize("cls", [MultiMixResampler, EpBetaMixupResampler, KMixupResampler])
def test_bad_n_interpolations(cls, value):
    X = np.random.default_rng(0).normal(size=(6, 2))
    with pytest.raises(ValueError, match="'n_interpolations' parameter"):
        cls(n_interpolations=value).fit_resample(X, [0, 0, 0, 0, 1, 1])
