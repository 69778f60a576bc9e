"""Draws from a ``torch.Generator`` on its own device (imported only with torch).

torch's ``distributions.Gamma`` and ``Beta`` read the global generator only,
so a training run could not keep its mixing draws apart from dropout or
initialisation, and a seed could not fix them alone. This module draws Beta
variates from an explicit generator, without reading anything back to the
host (on a GPU a read-back stalls the stream until every queued kernel has
run), in a fixed, small number of torch ops:

* every decision that depends on the shapes (is a shape below 1, which
  sampler, the constants) is taken on the host from the Python floats
  ``alpha`` and ``beta``; the constants reach the device once and are
  cached;
* the Gamma variates come from aten's ``_standard_gamma`` kernel, which
  takes a generator and runs its rejection loop inside the kernel. Where a
  backend lacks that kernel, :func:`_log_gamma_candidates` draws a fixed
  block of Marsaglia-Tsang candidates per variate (ACM TOMS 26(3), 2000)
  and keeps an accepted one with tensor ops only;
* a shape below 1 is boosted in logs, ``log G = log G' + log(U) / shape``
  with ``G' ~ Gamma(shape + 1)``, so that tiny shapes do not underflow.
"""

from __future__ import annotations

import functools
import math

import torch

__all__ = ["standard_beta", "new_generator"]

# Marsaglia-Tsang accepts a candidate with probability above 0.95 for every
# shape >= 1, so 12 candidates leave a variate without an accepted one with
# probability below 0.05**12 < 2.5e-16.
_CANDIDATES = 12

# Below this shape the boost runs in logs: aten's kernel multiplies by
# U^(1 / shape) in the variate's dtype, and U^(1 / shape) underflows (to the
# kernel's floor, the dtype's smallest normal) for shape below about 0.05 in
# float64 and 0.2 in float32, which would bias the Beta law.
_NATIVE_MIN_SHAPE = {torch.float64: 0.25, torch.float32: 1.0}

# Device types whose aten backend has no generator-driven Gamma kernel.
_NO_NATIVE_GAMMA: set[str] = set()


def new_generator(device, seed: int) -> torch.Generator:
    """A generator on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator


def _float_dtype(device: torch.device) -> torch.dtype:
    return torch.float32 if device.type == "mps" else torch.float64


@functools.lru_cache(maxsize=128)
def _constants(device: str, dtype: torch.dtype, values: tuple, shape: tuple) -> torch.Tensor:
    """``values`` as a tensor of ``shape`` on ``device``, made once (one host copy).

    Cached tensors are only ever read.
    """
    return torch.tensor(values, dtype=dtype, device=device).reshape(shape)


def _log_gamma_candidates(shapes: tuple, n: int, generator: torch.Generator, dtype):
    """``log G`` of shape (len(shapes), n), ``G ~ Gamma(shapes[i])``, every shape >= 1.

    Marsaglia and Tsang's method with a fixed block of ``_CANDIDATES``
    candidates per variate: ``x ~ N(0, 1)``, ``v = (1 + c x)^3`` with
    ``d = shape - 1/3``, ``c = 1 / sqrt(9 d)``, accepted when ``v > 0`` and
    ``log U < x^2 / 2 + d (1 - v + log v)``; the variate is ``d v`` of an
    accepted candidate. Which accepted candidate is kept depends on the
    acceptance pattern only, so it follows the Gamma law exactly.

    Fallback, without a read-back: a variate whose candidates were all
    refused (probability below 2.5e-16) keeps its first candidate, clamped
    to be positive, that is ``d (1 + c x)^3``: the Wilson-Hilferty
    approximation of the same Gamma law.
    """
    device = generator.device
    d_values = tuple(s - 1.0 / 3.0 for s in shapes)
    where, k = str(device), len(shapes)
    d = _constants(where, dtype, d_values, (k, 1, 1))
    c = _constants(where, dtype, tuple(1.0 / math.sqrt(9.0 * v) for v in d_values), (k, 1, 1))
    log_d = _constants(where, dtype, tuple(math.log(v) for v in d_values), (k, 1))
    size = (len(shapes), n, _CANDIDATES)
    x = torch.randn(size, generator=generator, dtype=dtype, device=device)
    y = torch.addcmul(_constants(where, dtype, (1.0,), ()), x, c)
    log_v = torch.log(y.clamp_min_(torch.finfo(dtype).tiny)).mul_(3.0)
    # log U < x^2 / 2 + d (1 - v + log v), with -log U ~ Exp(1)
    test = torch.exp(log_v).neg_().add_(1.0).add_(log_v).mul_(d).addcmul_(x, x, value=0.5)
    test += torch.empty(size, dtype=dtype, device=device).exponential_(generator=generator)
    _, first = torch.max(test > 0, dim=2, keepdim=True)
    return log_v.gather(2, first)[:, :, 0] + log_d


def _log_gamma(shapes: tuple, n: int, generator: torch.Generator, dtype) -> torch.Tensor:
    """``log G`` of shape (len(shapes), n) for independent ``G ~ Gamma(shapes[i], 1)``."""
    device = generator.device
    native = device.type not in _NO_NATIVE_GAMMA
    # Marsaglia-Tsang needs shapes >= 1: without the native kernel every
    # shape below 1 is boosted.
    threshold = _NATIVE_MIN_SHAPE.get(dtype, 1.0) if native else 1.0
    boost = min(shapes) < threshold
    drawn = tuple(s + 1.0 if boost and s < 1.0 else s for s in shapes)
    if not native:
        log_g = _log_gamma_candidates(drawn, n, generator, dtype)
    else:
        concentrations = _constants(str(device), dtype, drawn, (len(shapes), 1))
        concentrations = concentrations.expand(len(shapes), n)
        try:
            log_g = torch.log(torch._standard_gamma(concentrations, generator=generator))
        except (NotImplementedError, RuntimeError):
            _NO_NATIVE_GAMMA.add(device.type)
            return _log_gamma(shapes, n, generator, dtype)
    if boost:
        # log G = log G' + log(U) / shape = log G' - E / shape, E ~ Exp(1)
        inverse = tuple(-1.0 / s if s < 1.0 else 0.0 for s in shapes)
        exponential = torch.empty_like(log_g).exponential_(generator=generator)
        log_g.addcmul_(exponential, _constants(str(device), dtype, inverse, (len(shapes), 1)))
    return log_g


def standard_beta(
    alpha: float,
    beta: float,
    n: int,
    generator: torch.Generator,
    scale: float = 1.0,
    offset: float = 0.0,
) -> torch.Tensor:
    """``n`` draws of ``scale * V - offset``, ``V ~ Beta(alpha, beta)``, on the generator's device.

    ``V = G_a / (G_a + G_b)`` from two Gamma variates, computed as a softmax
    of their logs so that small shapes keep full precision near 0 and 1.
    float64 (float32 on MPS, which has no float64). No value is read back
    to the host, and the number of torch ops is fixed (5 for shapes of at
    least 0.25, 8 below; one more for a scale or offset).

    Examples
    --------
    >>> import torch
    >>> from skmixup._torch_random import new_generator, standard_beta
    >>> w = standard_beta(2.0, 5.0, 4, new_generator("cpu", 0))
    >>> w.shape, bool(((w > 0) & (w < 1)).all())
    (torch.Size([4]), True)
    """
    device = generator.device
    dtype = _float_dtype(device)
    log_g = _log_gamma((float(alpha), float(beta)), int(n), generator, dtype)
    unit = torch.softmax(log_g, dim=0)[0]
    if scale == 1.0 and offset == 0.0:
        return unit
    where = str(device)
    shift = _constants(where, dtype, (-float(offset),), ())
    return torch.addcmul(shift, unit, _constants(where, dtype, (float(scale),), ()))
