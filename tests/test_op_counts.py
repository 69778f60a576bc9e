"""What mixing one batch costs a GPU, counted on CPU (see tests/_op_counts.py).

Random pairing must not read anything back to the host (each read-back
stalls a CUDA stream) and stays within 30 dispatched torch ops (kernel
launches) for the rows and the one-hot labels; k-mixup sends its cost
blocks to the host once and brings the assignment back once.
"""

import pytest

torch = pytest.importorskip("torch")

from skmixup import pairing  # noqa: E402
from skmixup.neural_net import BatchMixer, _training  # noqa: E402
from skmixup.pairing import OTBlockPairing, RandomPairing  # noqa: E402
from skmixup.weights import Beta, EpBeta  # noqa: E402
from tests._op_counts import count_ops  # noqa: E402

N_CLASSES = 10


def _batch(n=128, shape=(3, 8, 8)):
    generator = torch.Generator().manual_seed(0)
    X = torch.randn((n, *shape), generator=generator)
    y = torch.randint(0, N_CLASSES, (n,), generator=generator)
    return X, y


def _counts(mixer, X, y):
    # Class labels on a GPU are range-checked on the device (queued, no wait);
    # on the CPU a host check is free. Count the device path, as on a GPU.
    _training._HOST_LABEL_CHECK_ON_CPU = False
    try:
        mixer(X, y)  # first call: device constants are made and cached
        counts, (X_mixed, y_mixed) = count_ops(lambda: mixer(X, y))
    finally:
        _training._HOST_LABEL_CHECK_ON_CPU = True
    assert X_mixed.shape == X.shape and y_mixed.shape == (X.shape[0], N_CLASSES)
    return counts


def test_counter_sees_read_backs_syncs_and_host_copies():
    x = torch.arange(6.0)
    counts, _ = count_ops(lambda: (x[x > 2].sum().item(), x.numpy(), torch.as_tensor([1, 2])))
    assert counts.read_backs == ["aten._local_scalar_dense.default"]
    assert "aten.index.Tensor (boolean mask)" in counts.syncs
    assert counts.to_host == ["Tensor.numpy"] and counts.to_device == ["torch.as_tensor"]


@pytest.mark.parametrize(
    "law, within_class",
    [
        (Beta(0.4), False),
        (Beta(2.0, 5.0), False),
        (Beta(0.1), False),  # shapes below 1/4: boosted in logs
        (EpBeta.variance_preserving(0.3, 0.3, mean=0.5), True),
    ],
)
def test_random_pairing_reads_nothing_back_in_at_most_30_ops(law, within_class):
    X, y = _batch()
    mixer = BatchMixer(law, RandomPairing(), within_class=within_class, n_classes=N_CLASSES)
    counts = _counts(mixer, X, y)
    assert counts.read_backs == [] and counts.syncs == [], counts.summary()
    assert counts.to_host == [] and counts.to_device == [], counts.summary()
    assert counts.n_ops <= 30, counts.summary()


@pytest.mark.parametrize("within_class, transfers", [(False, 1), (True, 2)])
def test_kmixup_crosses_to_the_host_a_fixed_number_of_times(within_class, transfers, monkeypatch):
    # Without classes: the cost blocks go to the host once and the matched
    # positions come back once. Within classes: the sorted labels also go
    # once (to lay out every class's blocks) and the block positions come
    # back once, whatever the number of classes (a loop over classes made
    # one unique + one nonzero per class and three copies per block batch).
    # (CPU float batches are costed by the numpy path, in host memory
    # already: the device path is forced, as on a GPU.)
    monkeypatch.setattr(pairing, "_HOST_COSTS_ON_CPU", False)
    X, y = _batch(n=100)  # 6 blocks of 16 and a rest of 4
    mixer = BatchMixer(
        Beta(0.4), OTBlockPairing(16), within_class=within_class, n_classes=N_CLASSES
    )
    counts = _counts(mixer, X, y)
    assert len(counts.to_host) == transfers, counts.summary()
    assert len(counts.to_device) == transfers, counts.summary()
    assert counts.read_backs == [] and counts.syncs == [], counts.summary()
