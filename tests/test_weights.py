"""Weight laws: exact moments against Monte Carlo and closed forms."""

import numpy as np
import pytest

from skmixup.weights import Beta, EpBeta

N_DRAWS = 400_000
LAWS = [
    Beta(1.0),
    Beta(0.4),
    Beta(2.0, 5.0),
    EpBeta(0.78, 0.78, 0.3, 0.3),
    EpBeta(4.34, 1.33, 0.3, 0.3),
    EpBeta(2.0, 0.5, 0.1, 0.6),
    EpBeta.variance_preserving(0.2, 0.5, mean=0.7),
]


@pytest.mark.parametrize("law", LAWS, ids=repr)
def test_moments_match_monte_carlo(law):
    draws = law.sample(N_DRAWS, random_state=0)
    # Tolerance: 5 standard errors of each Monte Carlo mean.
    for power, exact in [(1, law.mean), (2, law.second_moment)]:
        values = draws**power
        standard_error = values.std(ddof=1) / np.sqrt(N_DRAWS)
        assert abs(values.mean() - exact) < 5 * standard_error


@pytest.mark.parametrize("law", LAWS, ids=repr)
def test_draws_lie_in_support(law):
    draws = law.sample(50_000, random_state=1)
    low, high = law.support
    assert draws.min() >= low and draws.max() <= high
    # The support is tight: draws come within 5% of the width of both ends.
    width = high - low
    assert draws.min() < low + 0.05 * width and draws.max() > high - 0.05 * width


def test_beta_closed_forms():
    law = Beta(2.0, 3.0)
    assert law.mean == pytest.approx(2 / 5)
    assert law.second_moment == pytest.approx(2 * 3 / (5 * 6))
    # Beta(a, a): covariance factor (a + 1) / (2a + 1); uniform: 2/3.
    for a in [0.2, 1.0, 4.0]:
        assert Beta(a).covariance_factor == pytest.approx((a + 1) / (2 * a + 1))
    assert Beta(1.0).beta is None and Beta(1.0) == Beta(1.0, 1.0)  # stored as given


def test_epbeta_with_zero_expansion_is_beta():
    assert EpBeta(2.0, 3.0, 0, 0).mean == pytest.approx(Beta(2.0, 3.0).mean)
    assert EpBeta(2.0, 3.0, 0, 0).second_moment == pytest.approx(Beta(2.0, 3.0).second_moment)


@pytest.mark.parametrize(
    "eps0, eps1, mean",
    [(0.3, 0.3, 0.5), (0.3, 0.3, 0.93), (0.1, 0.7, 0.2), (0.0, 0.4, 0.6), (0.5, 0.0, 0.3)],
)
def test_variance_preserving_solution(eps0, eps1, mean):
    law = EpBeta.variance_preserving(eps0, eps1, mean)
    assert law.mean == pytest.approx(mean, rel=1e-12)
    assert law.second_moment == pytest.approx(law.mean, rel=1e-12)
    assert law.covariance_factor == pytest.approx(1.0, rel=1e-12)
    assert (law.eps0, law.eps1) == (eps0, eps1)


@pytest.mark.parametrize("e", [0.1, 0.3, 1.0])
def test_symmetric_case_closed_form(e):
    law = EpBeta.variance_preserving(e, e, 0.5)
    assert law.alpha == pytest.approx(2 * e * (1 + e))
    assert law.beta == pytest.approx(2 * e * (1 + e))


def test_documented_high_mean_member():
    # ALGORITHMS.md: eps = 0.3 and mean about 0.93 give about EpBeta(4.34, 1.33);
    # that law's exact mean is 1.6 * 4.34 / 5.67 - 0.3 = 0.9247.
    quoted = EpBeta(4.34, 1.33, 0.3, 0.3)
    assert quoted.mean == pytest.approx(1.6 * 4.34 / 5.67 - 0.3)
    assert quoted.covariance_factor == pytest.approx(1.0, abs=0.01)  # "about"
    law = EpBeta.variance_preserving(0.3, 0.3, quoted.mean)
    assert (law.alpha, law.beta) == pytest.approx((4.34, 1.33), rel=0.02)


def test_sampling_is_reproducible():
    law = EpBeta.variance_preserving()
    np.testing.assert_array_equal(law.sample(10, 3), law.sample(10, 3))
    assert not np.array_equal(law.sample(10, 3), law.sample(10, 4))


@pytest.mark.parametrize(
    "build, match",
    [
        # Laws store their parameters as given (scikit-learn style) and refuse
        # them when used: sampled, asked for a moment, or validated.
        (lambda: Beta(0.0).sample(1), "alpha must be a finite number > 0"),
        (lambda: Beta(1.0, -2.0).mean, "beta must be a finite number > 0"),
        (lambda: Beta(float("nan"))._validate(), "alpha"),
        (lambda: EpBeta(1.0, 1.0, -0.1, 0.3).support, "eps0 must be a finite number >= 0"),
        (lambda: EpBeta(1.0, 1.0, 0.3, float("inf")).sample_on_device(2, None), "eps1"),
        (lambda: EpBeta.variance_preserving(0.3, 0.3, 1.0), r"mean must lie in .*\(0, 1\)"),
        (lambda: EpBeta.variance_preserving(0.3, 0.3, 0.0), "mean"),
        (lambda: EpBeta.variance_preserving(0.0, 0.0, 0.5), "both 0"),
        (lambda: Beta(1.0).sample(-1), "n must be an integer >= 0"),
    ],
)
def test_impossible_parameters(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_parameter_types():
    with pytest.raises(TypeError, match="alpha must be a real number"):
        Beta("1")._validate()
    with pytest.raises(TypeError, match="mean must be a real number"):
        EpBeta.variance_preserving(0.3, 0.3, None)


def test_equality_and_repr():
    assert Beta(2.0) == Beta(2.0, 2.0)
    assert Beta(2.0) != EpBeta(2.0, 2.0, 0.0, 0.0)
    assert "eps0=0.3" in repr(EpBeta.variance_preserving())
    assert Beta(1.0).within_unit_interval and not EpBeta.variance_preserving().within_unit_interval
