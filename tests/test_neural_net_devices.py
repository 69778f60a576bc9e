"""A net fitted on one device loads on another (issue 17, item 9).

No GPU is needed: the pickles are made to claim CUDA the way a CUDA-trained
net's pickle does (see :func:`_tagged_as_cuda`), and loaded on this CPU-only
machine.
"""

import contextlib
import io
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from skorch import NeuralNetClassifier  # noqa: E402

from skmixup.neural_net import (  # noqa: E402
    BatchMixer,
    MixupMixin,
    MixupNeuralNetClassifier,
)

pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason="simulates a CUDA pickle loaded without CUDA"
)


@contextlib.contextmanager
def _tagged_as_cuda(tensors):
    """Pickles made inside say that ``tensors``' storages live on ``cuda:0``.

    torch pickles a storage as its bytes (always copied to the host) plus a
    location tag from the taggers in ``torch.serialization``; a CUDA tensor
    is tagged ``"cuda:0"`` and loading it without ``map_location`` on a
    machine without CUDA fails. A tagger put first in that registry tags the
    storages of ``tensors`` (those a CUDA fit keeps on the GPU: the module's
    parameters and buffers, the optimizer's state), and nothing else, so the
    bytes written are those of a CUDA-trained net, apart from the values.
    """
    pointers = {tensor.untyped_storage().data_ptr() for tensor in tensors}

    def tagger(storage):
        if storage.device.type == "cpu" and storage.data_ptr() in pointers:
            return "cuda:0"
        return None

    entry = (-1_000, tagger, lambda storage, location: None)
    registry = torch.serialization._package_registry
    registry.insert(0, entry)
    try:
        yield
    finally:
        registry.remove(entry)


def _device_tensors(net):
    tensors = [*net.module_.parameters(), *net.module_.buffers()]
    for state in net.optimizer_.state.values():
        tensors += [value for value in state.values() if torch.is_tensor(value)]
    return tensors


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64)


class _Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)

    def forward(self, X):
        return self.linear(X)


class _Net(MixupMixin, NeuralNetClassifier):
    pass


def _loaded(blob):
    with warnings.catch_warnings():  # skorch's DeviceWarning: mapped to the CPU
        warnings.simplefilter("ignore", skorch.exceptions.DeviceWarning)
        return pickle.loads(blob)


def _as_cuda_pickle(obj, net, dump=pickle.dumps):
    """``dump(obj)`` as it would be written had ``net`` been trained on ``cuda:0``."""
    saved = net.device
    net.device = "cuda"  # what a CUDA fit holds
    try:
        with _tagged_as_cuda(_device_tensors(net)):
            return dump(obj)
    finally:
        net.device = saved


def test_the_simulated_cuda_pickle_fails_to_load_without_remapping():
    # The simulation bites: a tagged module pickled alone cannot load here.
    module = _Linear()
    with _tagged_as_cuda(list(module.parameters())):
        blob = pickle.dumps(module)
    with pytest.raises(RuntimeError, match="CUDA"):
        pickle.loads(blob)
    with _tagged_as_cuda(list(module.parameters())):
        saved = io.BytesIO()
        torch.save(module, saved)
    saved.seek(0)
    loaded = torch.load(saved, map_location="cpu", weights_only=False)
    torch.testing.assert_close(loaded.linear.weight, module.linear.weight)


def _fitted_mixin_net():
    X, y = _data()
    mixer = BatchMixer.mixup(alpha=0.4, n_classes=2, random_state=0)
    net = _Net(
        _Linear(),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,  # optimizer state tensors live on the device too
        batch_mixer=mixer,
        max_epochs=2,
        train_split=None,
        verbose=0,
    ).fit(X, y)
    # A CUDA fit also draws from a CUDA generator; its state is a CPU byte
    # tensor filed under "cuda:0".
    net.batch_mixer_._generators["cuda:0"] = net.batch_mixer_._generator(torch.device("cpu"))
    return net, X


def test_mixin_net_with_a_module_instance_loads_without_cuda():
    net, X = _fitted_mixin_net()
    assert net.module is net.module_  # skorch trains the instance itself
    restored = _loaded(_as_cuda_pickle(net, net))
    assert restored.module is restored.module_  # still one object
    assert str(restored.device) == "cpu"
    assert all(p.device.type == "cpu" for p in restored.module_.parameters())
    assert "cuda:0" not in restored.batch_mixer_._generators  # no device: draws restart
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))
    restored.partial_fit(X, _data()[1])  # trains on after loading


def test_mixin_net_survives_torch_save_and_load_with_map_location():
    net, X = _fitted_mixin_net()
    saved = io.BytesIO()
    _as_cuda_pickle(net, net, dump=lambda obj: torch.save(obj, saved))
    saved.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", skorch.exceptions.DeviceWarning)
        restored = torch.load(saved, map_location="cpu", weights_only=False)
    assert restored.module is restored.module_
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))


@pytest.mark.parametrize("module", [None, _Linear()], ids=["default-mlp", "instance"])
def test_estimator_loads_without_cuda(module):
    X, y = _data()
    clf = MixupNeuralNetClassifier(module=module, max_epochs=2, batch_size=16, random_state=0).fit(
        X, y
    )
    restored = _loaded(_as_cuda_pickle(clf, clf.net_))
    assert all(p.device.type == "cpu" for p in restored.net_.module_.parameters())
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
