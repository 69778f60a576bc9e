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


def _log_gamma_variates(shapes: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """``log G_i`` for independent ``G_i ~ Gamma(shapes[i], 1)``, one vectorised pass.

    Every variate has its own shape, so the two Gamma draws of a Beta law
    share one round of candidates. For a shape below 1 it uses
    ``G = G' U^(1 / shape)`` with ``G' ~ Gamma(shape + 1)``, in logs so that
    tiny shapes do not underflow.
    """
    device, dtype, n = generator.device, shapes.dtype, shapes.shape[0]
    small = shapes < 1.0
    d = torch.where(small, shapes + 1.0, shapes) - 1.0 / 3.0
    c = torch.rsqrt(9.0 * d)
    log_g = torch.empty(n, dtype=dtype, device=device)
    todo = torch.arange(n, device=device)
    while todo.numel():
        m = todo.numel()
        d_todo, c_todo = d[todo, None], c[todo, None]
        x = torch.randn((m, _CANDIDATES), generator=generator, dtype=dtype, device=device)
        u = torch.rand((m, _CANDIDATES), generator=generator, dtype=dtype, device=device)
        v = (1.0 + c_todo * x) ** 3
        positive = v > 0
        log_v = torch.log(torch.where(positive, v, 1.0))
        accept = positive & (torch.log(u) < 0.5 * x * x + d_todo * (1.0 - v + log_v))
        first = torch.argmax(accept.to(torch.int8), dim=1, keepdim=True)
        found = accept.gather(1, first)[:, 0]
        chosen = log_v.gather(1, first)[:, 0] + torch.log(d_todo[:, 0])
        log_g[todo[found]] = chosen[found]
        todo = todo[~found]
    if bool(small.any()):
        u = torch.rand(n, generator=generator, dtype=dtype, device=device)
        log_g += torch.where(small, torch.log(u) / shapes, 0.0)
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
    shapes = torch.tensor([float(alpha), float(beta)], dtype=dtype, device=generator.device)
    log_g = _log_gamma_variates(shapes.repeat_interleave(n), generator)
    return torch.sigmoid(log_g[:n] - log_g[n:])
