"""The device Beta/Gamma sampler: its law per shape, on both of its paths."""

import numpy as np
import pytest
from scipy import stats

torch = pytest.importorskip("torch")

from skmixup import _torch_random  # noqa: E402
from skmixup._torch_random import new_generator, standard_beta  # noqa: E402

SHAPES = [0.05, 0.3, 0.7, 1.0, 2.5, 40.0]


@pytest.fixture(params=["native", "candidates"])
def sampler_path(request, monkeypatch):
    """Run with aten's Gamma kernel, or as on a backend without it."""
    if request.param == "candidates":
        monkeypatch.setattr(_torch_random, "_NO_NATIVE_GAMMA", {"cpu"})
    return request.param


@pytest.mark.parametrize("shape", SHAPES)
def test_log_gamma_follows_the_gamma_law(shape, sampler_path):
    log_g = _torch_random._log_gamma((shape, 1.0), 3000, new_generator("cpu", 7), torch.float64)
    draws = log_g[0].numpy()
    assert np.isfinite(draws).all()
    law = stats.gamma(shape)
    # P(log G <= t) = P(G <= e^t): scipy's exact CDF, KS at the 0.1% level
    assert stats.kstest(draws, lambda t: law.cdf(np.exp(t))).pvalue > 1e-3


@pytest.mark.parametrize("alpha, beta", [(0.2, 0.2), (0.4, 0.4), (0.78, 3.2), (2.0, 5.0)])
def test_beta_follows_the_beta_law(alpha, beta, sampler_path):
    # (tiny shapes put mass within 1e-16 of 1, where float64 rounds to 1:
    # the Gamma test above checks them in logs)
    draws = standard_beta(alpha, beta, 3000, new_generator("cpu", 11)).numpy()
    assert draws.dtype == np.float64 and np.all((draws >= 0) & (draws <= 1))
    assert stats.kstest(draws, stats.beta(alpha, beta).cdf).pvalue > 1e-3


def test_scale_and_offset_are_applied_to_the_same_draws():
    unit = standard_beta(0.78, 0.78, 50, new_generator("cpu", 3))
    mapped = standard_beta(0.78, 0.78, 50, new_generator("cpu", 3), scale=1.6, offset=0.3)
    torch.testing.assert_close(mapped, 1.6 * unit - 0.3, rtol=0, atol=1e-15)


def test_candidate_block_is_rarely_exhausted():
    # The fallback needs every one of the candidates refused; with the
    # worst acceptance rate (shape 1, about 0.951) count refused candidates.
    generator = new_generator("cpu", 0)
    x = torch.randn(200_000, generator=generator, dtype=torch.float64)
    e = torch.empty_like(x).exponential_(generator=generator)
    d = 1.0 - 1.0 / 3.0
    v = (1.0 + x / np.sqrt(9.0 * d)) ** 3
    log_v = torch.log(v.clamp_min(1e-300))
    accepted = (v > 0) & (-e < 0.5 * x * x + d * (1.0 - v + log_v))
    refused = 1.0 - accepted.double().mean().item()
    assert refused < 0.05
    assert refused**_torch_random._CANDIDATES < 1e-12
