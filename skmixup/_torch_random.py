"""Draws from a ``torch.Generator`` on its own device (imported only with torch).

torch's Gamma and Beta samplers read the global generator only, so a
training run could not keep its mixing draws apart from dropout or
initialisation, and a seed could not fix them alone. This module draws Beta
variates from an explicit generator with Marsaglia and Tsang's method for
Gamma variates (ACM TOMS 26(3), 2000), vectorised: a few candidates per
draw, the first accepted one kept, and a rare second round for draws whose
candidates were all refused.
"""

from __future__ import annotations

import math

import torch

__all__ = ["standard_beta", "new_generator"]

# Candidates drawn per variate in one round. The acceptance rate of
# Marsaglia-Tsang is above 0.95 for every shape >= 1, so a round leaves a
# draw without a candidate with probability below 1e-5.
_CANDIDATES = 4


def new_generator(device, seed: int) -> torch.Generator:
    """A generator on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator


def _float_dtype(device: torch.device) -> torch.dtype:
    return torch.float32 if device.type == "mps" else torch.float64


def _log_gamma_variates(shape: float, n: int, generator: torch.Generator, dtype) -> torch.Tensor:
    """``log G`` for ``n`` independent ``G ~ Gamma(shape, 1)``.

    For ``shape < 1`` it uses ``G = G' U^(1 / shape)`` with
    ``G' ~ Gamma(shape + 1)``, in logs so that tiny shapes do not underflow.
    """
    device = generator.device
    boosted = shape + 1.0 if shape < 1.0 else shape
    d = boosted - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    log_g = torch.empty(n, dtype=dtype, device=device)
    todo = torch.arange(n, device=device)
    while todo.numel():
        m = todo.numel()
        x = torch.randn((m, _CANDIDATES), generator=generator, dtype=dtype, device=device)
        u = torch.rand((m, _CANDIDATES), generator=generator, dtype=dtype, device=device)
        v = (1.0 + c * x) ** 3
        positive = v > 0
        log_v = torch.log(torch.where(positive, v, torch.ones_like(v)))
        accept = positive & (torch.log(u) < 0.5 * x * x + d - d * v + d * log_v)
        first = torch.argmax(accept.to(torch.int8), dim=1)
        found = accept.gather(1, first[:, None])[:, 0]
        chosen = log_v.gather(1, first[:, None])[:, 0] + math.log(d)
        log_g[todo[found]] = chosen[found]
        todo = todo[~found]
    if shape < 1.0:
        u = torch.rand(n, generator=generator, dtype=dtype, device=device)
        log_g += torch.log(u) / shape
    return log_g


def standard_beta(alpha: float, beta: float, n: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` independent ``Beta(alpha, beta)`` variates on the generator's device.

    Drawn as ``G_a / (G_a + G_b)`` from two Gamma variates, computed as
    ``sigmoid(log G_a - log G_b)`` so that small shapes keep full precision
    near 0 and 1. float64 (float32 on MPS, which has no float64).

    Examples
    --------
    >>> import torch
    >>> from skmixup._torch_random import new_generator, standard_beta
    >>> w = standard_beta(2.0, 5.0, 4, new_generator("cpu", 0))
    >>> w.shape, bool(((w > 0) & (w < 1)).all())
    (torch.Size([4]), True)
    """
    dtype = _float_dtype(generator.device)
    log_a = _log_gamma_variates(float(alpha), n, generator, dtype)
    log_b = _log_gamma_variates(float(beta), n, generator, dtype)
    return torch.sigmoid(log_a - log_b)
