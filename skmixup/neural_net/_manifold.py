"""Manifold mixup: mixing a training batch at a hidden layer of the network.

The batch goes through the network unmixed up to the drawn submodule; a
forward hook replaces that submodule's output ``h`` by the rows of
``batch_mixer(h, y)``, and the loss reads the targets mixed with the same
plan. The mixer's pairing sees ``h`` itself, so k-mixup matching runs on the
hidden representation ("k-manifold mixup").
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from skorch.utils import to_tensor

from skmixup._engine import interpolate

INPUT = "input"


def unwrapped(module: torch.nn.Module) -> torch.nn.Module:
    """The user's module inside DataParallel/DistributedDataParallel (Accelerate)
    or ``torch.compile`` wrappers, whose submodule names ``mix_layers`` holds."""
    while True:
        if isinstance(module, (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)):
            module = module.module
        elif isinstance(getattr(module, "_orig_mod", None), torch.nn.Module):
            module = module._orig_mod
        else:
            return module


# What nn.Embedding takes: token indices. Integer images (uint8) are mixed
# as they are by the batch mixer (pasted, or interpolated in float32).
_INDEX_DTYPES = (torch.int32, torch.int64)


def _index_dtype(X):
    """The dtype of token indices in the batch ``X`` (a tensor or dict), or None."""
    values = X.values() if isinstance(X, dict) else [X]
    dtypes = [value.dtype for value in values if torch.is_tensor(value)]
    return next((dtype for dtype in dtypes if dtype in _INDEX_DTYPES), None)


def _embedding_layers(module: torch.nn.Module) -> list[str]:
    return [name for name, sub in module.named_modules() if isinstance(sub, torch.nn.Embedding)]


def check_mix_layers(module: torch.nn.Module, mix_layers) -> tuple[str, ...]:
    """Validated mixing sites: ``"input"`` and submodule names of ``module``."""
    if isinstance(mix_layers, str) or not isinstance(mix_layers, (list, tuple)):
        raise TypeError(
            f"mix_layers must be None or a list of submodule names (and 'input'), got "
            f"{mix_layers!r}; e.g. mix_layers=['input', 'features.0']."
        )
    valid = [INPUT] + [name for name, _ in module.named_modules() if name]
    if not mix_layers:
        raise ValueError(f"mix_layers is empty; give None (the input) or names among {valid}.")
    unknown = [name for name in mix_layers if name not in valid]
    if unknown:
        raise ValueError(
            f"mix_layers names {unknown}, not submodules of {type(module).__name__}; "
            f"valid names (module.named_modules(), plus 'input'): {valid}."
        )
    repeated = sorted({name for name in mix_layers if list(mix_layers).count(name) > 1})
    if repeated:
        raise ValueError(f"mix_layers names {repeated} more than once; each site once.")
    return tuple(mix_layers)


class SiteDraws:
    """Where each training batch of a net is mixed: one site drawn uniformly.

    Parameters
    ----------
    seed : int or None
        Seeds the draws (the batch mixer's seed: a fixed ``random_state``
        repeats the sites).
    """

    def __init__(self, seed):
        self._rng = np.random.default_rng(None if seed is None else [seed, 1])
        self._key = None
        self._sites: tuple[str, ...] = (INPUT,)

    def draw(self, net, X) -> str:
        """Site of the next batch of ``net``, after checking ``X`` can be mixed there."""
        if net.mix_layers is None:
            sites = (INPUT,)
        else:
            module = unwrapped(net.module_)
            key = (id(module), tuple(net.mix_layers))
            if key != self._key:
                self._sites, self._key = check_mix_layers(module, net.mix_layers), key
            sites = self._sites
        # Integers that feed an embedding are token indices: they cannot be
        # interpolated. Other integer inputs (counts, uint8 pixels) are
        # numbers, interpolated as float32 by the mixer.
        index_dtype = _index_dtype(X) if INPUT in sites else None
        embeddings = _embedding_layers(unwrapped(net.module_)) if index_dtype is not None else []
        if embeddings:
            suggestion = embeddings
            raise TypeError(
                f"the training inputs are {index_dtype} token indices, which cannot be "
                f"interpolated, and mix_layers={net.mix_layers!r} mixes the input: mix at a "
                f"layer that outputs floats instead, e.g. mix_layers={suggestion[:1]!r}."
            )
        if len(sites) == 1:
            return sites[0]
        return sites[int(self._rng.integers(len(sites)))]


class _HiddenMix:
    """What the hook of one training batch mixed: the targets and sample weights."""

    def __init__(self, name, mixer, y, sample_weight):
        self.name, self.mixer, self.y, self.sample_weight = name, mixer, y, sample_weight
        self.targets = None
        self.mixed_weights = None

    def hook(self, module, inputs, output):
        if not torch.is_tensor(output) or not output.is_floating_point():
            kind = output.dtype if torch.is_tensor(output) else type(output).__name__
            raise TypeError(
                f"mix_layers: the output of {self.name!r} is {kind}, not a floating-point "
                "tensor; mix at a layer that outputs one tensor of floats."
            )
        if self.targets is not None:
            raise RuntimeError(
                f"mix_layers: {self.name!r} ran twice in one forward pass; mix at a "
                "submodule that the forward pass calls once."
            )
        mixed, self.targets = self.mixer(output, self.y.to(output.device))
        if self.sample_weight is not None:
            weights = self.sample_weight.to(output.device)
            self.mixed_weights = interpolate(weights, self.mixer.last_plan_)
        return mixed

    def loss_targets(self, y_true):
        """Mixed targets for the loss (consumed: the next forward mixes again)."""
        if self.targets is None:
            return y_true
        targets, self.targets = self.targets, None
        return targets


@contextmanager
def mixing_at(net, name: str, X, y):
    """Mix the batch ``(X, y)`` of ``net`` at the output of submodule ``name``.

    Registers a forward hook on ``net.module_``'s submodule for the duration
    of the context and yields the batch to train on: ``X`` unmixed (a dict's
    ``sample_weight`` entry is replaced by the mixed weights during each
    forward pass) and ``y`` on the net's device. While the context is
    active, ``net._hidden_mix_.loss_targets(y)`` returns the targets mixed
    with the plan of the last forward pass.
    """
    y = to_tensor(y, device=net.device)
    X = to_tensor(X, device=net.device)
    weights = X.get("sample_weight") if isinstance(X, dict) else None
    if weights is not None:
        X = dict(X)  # the copy's sample_weight is replaced by the mixed weights
    state = _HiddenMix(name, net.batch_mixer_, y, weights)

    def hook(module, inputs, output):
        mixed = state.hook(module, inputs, output)
        if weights is not None:
            X["sample_weight"] = state.mixed_weights
        return mixed

    handle = unwrapped(net.module_).get_submodule(name).register_forward_hook(hook)
    net._hidden_mix_ = state
    try:
        yield X, y
    finally:
        handle.remove()
        net._hidden_mix_ = None
