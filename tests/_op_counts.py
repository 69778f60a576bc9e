"""Count what one call costs a GPU: dispatched torch ops, read-backs, host copies.

On CUDA every dispatched op is (at least) one kernel launch, every value
read back to the host stalls the stream until the queued kernels are done,
and some ops synchronise although they return a tensor: ``nonzero``, boolean
mask indexing, ``unique``, ... (their output size lives on the device). A
CPU run dispatches the same ops, so counting them on CPU tells what a GPU
would pay. Two modes run together:

* a ``TorchDispatchMode`` sees every aten op after autograd: the op count,
  the read-backs (``aten._local_scalar_dense``, from ``.item()``,
  ``bool(t)``, ``float(t)``) and the ops that synchronise on CUDA;
* a ``TorchFunctionMode`` sees the Python-level crossings that dispatch no
  op on CPU: ``Tensor.numpy()`` / ``np.asarray(t)`` / ``.tolist()`` / ``.cpu()``
  (device to host) and ``torch.as_tensor`` / ``torch.tensor`` /
  ``torch.from_numpy`` of host data (host to device).

Examples
--------
>>> import torch
>>> from tests._op_counts import count_ops
>>> x = torch.arange(6.0)
>>> counts, result = count_ops(lambda: x[x > 2].sum().item())
>>> result, counts.read_backs
(12.0, ['aten._local_scalar_dense.default'])
>>> counts.syncs
['aten.index.Tensor (boolean mask)', 'aten._local_scalar_dense.default']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

__all__ = ["OpCounts", "count_ops"]

# Ops whose output size (or value) is only known once the device has run
# them: on CUDA each waits for the stream (a device -> host read).
_SYNCING_OPS = {
    "aten._local_scalar_dense",
    "aten.nonzero",
    "aten.nonzero_static",
    "aten.masked_select",
    "aten.unique_dim",
    "aten._unique",
    "aten._unique2",
    "aten.unique_consecutive",
    "aten.unique_dim_consecutive",
    "aten.equal",
    "aten.is_nonzero",
    "aten.allclose",
}
_INDEXING_OPS = {"aten.index", "aten.index_put", "aten.index_put_", "aten._index_put_impl_"}

_TO_HOST = {"numpy", "__array__", "tolist"}
_FROM_HOST = {"as_tensor", "tensor", "from_numpy", "asarray"}


def _packet(func) -> str:
    return f"aten.{func._schema.name.split('::')[-1]}"


def _has_mask_index(args) -> bool:
    indices = args[1] if len(args) > 1 else ()
    return any(
        torch.is_tensor(index) and index.dtype in (torch.bool, torch.uint8)
        for index in (indices or ())
    )


@dataclass
class OpCounts:
    """What one call dispatched and moved.

    Attributes
    ----------
    ops : list of str
        Every dispatched aten op, in order (``aten.lerp.Tensor``...).
    read_backs : list of str
        ``aten._local_scalar_dense`` calls (values read on the host).
    syncs : list of str
        Ops that make a CUDA host wait for the device: the read-backs plus
        ``nonzero``, boolean-mask indexing, ``unique``...
    to_host : list of str
        Tensors copied to host memory (``Tensor.numpy``, ``np.asarray(t)``,
        ``.tolist()``; a ``.cpu()`` followed by torch ops on the host is not seen).
    to_device : list of str
        Host data made into tensors (``torch.as_tensor`` of numpy...).
    """

    ops: list = field(default_factory=list)
    read_backs: list = field(default_factory=list)
    syncs: list = field(default_factory=list)
    to_host: list = field(default_factory=list)
    to_device: list = field(default_factory=list)

    @property
    def n_ops(self) -> int:
        return len(self.ops)

    def summary(self) -> str:
        """The ops by count, most frequent first (for failing asserts)."""
        lines = [f"{count:4d} {name}" for name, count in Counter(self.ops).most_common()]
        lines.append(f"syncs: {self.syncs}; to host: {self.to_host}; to device: {self.to_device}")
        return "\n".join(lines)


class _DispatchCounter(TorchDispatchMode):
    def __init__(self, counts: OpCounts):
        super().__init__()
        self.counts = counts

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = str(func)
        packet = _packet(func)
        self.counts.ops.append(name)
        if packet == "aten._local_scalar_dense":
            self.counts.read_backs.append(name)
        if packet in _SYNCING_OPS:
            self.counts.syncs.append(name)
        elif packet in _INDEXING_OPS and _has_mask_index(args):
            self.counts.syncs.append(f"{name} (boolean mask)")
        return func(*args, **(kwargs or {}))


class _FunctionCounter(TorchFunctionMode):
    def __init__(self, counts: OpCounts):
        super().__init__()
        self.counts = counts

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", str(func))
        if name in _TO_HOST:
            self.counts.to_host.append(f"Tensor.{name}")
        elif name in _FROM_HOST and args and not torch.is_tensor(args[0]):
            self.counts.to_device.append(f"torch.{name}")
        elif name == "item":
            pass  # dispatched as _local_scalar_dense
        return func(*args, **(kwargs or {}))


def count_ops(call):
    """Run ``call()`` once and return ``(OpCounts, its result)``."""
    counts = OpCounts()
    with _FunctionCounter(counts), _DispatchCounter(counts):
        result = call()
    return counts, result
