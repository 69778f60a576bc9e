"""Networks beyond tables: image/sequence rows, tensors, Datasets, device-native mixing."""

import itertools
import pickle
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

torch = pytest.importorskip("torch")

from sklearn.datasets import load_digits  # noqa: E402
from skorch import NeuralNetClassifier  # noqa: E402

import skmixup  # noqa: E402
from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler  # noqa: E402
from skmixup._engine import draw_device_batch_plan, interpolate  # noqa: E402
from skmixup._torch_random import new_generator, standard_beta  # noqa: E402
from skmixup.neural_net import (  # noqa: E402
    BatchMixer,
    MixupMixin,
    MixupNeuralNetClassifier,
    MixupNeuralNetRegressor,
)
from skmixup.pairing import OTBlockPairing, RandomPairing  # noqa: E402
from skmixup.weights import Beta, EpBeta  # noqa: E402

FAST = dict(lr=0.01, max_epochs=2, batch_size=64, random_state=0)


class TinyCNN(torch.nn.Module):
    def __init__(self, n_outputs=10):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.head = torch.nn.Linear(4 * 4 * 4, n_outputs)

    def forward(self, X):
        hidden = torch.nn.functional.max_pool2d(torch.relu(self.conv(X)), 2)
        return self.head(hidden.flatten(1))


class ImageRecorder(TinyCNN):
    """Records every input it sees (and whether it was training)."""

    def __init__(self, n_outputs=10):
        super().__init__(n_outputs)
        self.seen = []

    def forward(self, X):
        self.seen.append((self.training, X.detach().clone()))
        return super().forward(X)


def _digit_images(n=240):
    X, y = load_digits(return_X_y=True)
    return (X[:n] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8), y[:n]


class PairDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.as_tensor(X), torch.as_tensor(y)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


# -- estimators on images ------------------------------------------------------
def test_cnn_trains_on_numpy_images_and_tensors_identically():
    X, y = _digit_images()
    mixer = KMixupResampler(k=4, alpha=0.4)
    from_numpy = MixupNeuralNetClassifier(TinyCNN, mixer=mixer, **FAST).fit(X, y)
    from_tensor = MixupNeuralNetClassifier(TinyCNN, mixer=mixer, **FAST).fit(
        torch.from_numpy(X), torch.from_numpy(y)
    )
    proba_numpy = from_numpy.predict_proba(X)
    np.testing.assert_array_equal(proba_numpy, from_tensor.predict_proba(torch.from_numpy(X)))
    assert from_numpy.input_shape_ == (1, 8, 8) and not hasattr(from_numpy, "n_features_in_")
    # it learned something: far better than the 10% of chance on its training data
    assert (from_numpy.predict(X) == y).mean() > 0.3 or from_numpy.history_[-1, "train_loss"] < (
        from_numpy.history_[0, "train_loss"]
    )


def test_module_sees_mixed_images_in_fit_and_originals_in_predict():
    X, y = _digit_images(48)
    clf = MixupNeuralNetClassifier(
        ImageRecorder(),
        mixer=KMixupResampler(k=1, alpha=1.0),
        lr=0.01,
        max_epochs=1,
        batch_size=-1,
        iterator_train__shuffle=False,
        random_state=0,
    ).fit(X, y)
    module = clf.net_.module_
    ((training, mixed),) = [(t, x) for t, x in module.seen if t]
    plan = clf.net_.batch_mixer_.last_plan_
    w = plan.weights.numpy()[:, None, None, None]
    expected = w * X[plan.anchors.numpy()] + (1 - w) * X[plan.partners.numpy()]
    np.testing.assert_allclose(mixed.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(mixed.numpy(), X)
    module.seen.clear()
    clf.predict(X)
    assert [t for t, _ in module.seen] == [False]
    np.testing.assert_array_equal(module.seen[0][1].numpy(), X)


def test_sequences_train_with_the_default_mlp():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 5, 3)).astype(np.float32)  # (n, T, F)
    y = X.sum(axis=(1, 2))
    reg = MixupNeuralNetRegressor(mixer=EpBetaMixupResampler(), **FAST).fit(X, y)
    assert reg.predict(X).shape == (96,)
    with pytest.raises(ValueError, match=r"rows of shape \(5, 4\)"):
        reg.predict(rng.normal(size=(4, 5, 4)).astype(np.float32))


def test_dataset_input_trains_and_needs_classes():
    X, y = _digit_images(128)
    data = PairDataset(X, y.astype(np.int64))
    with pytest.raises(ValueError, match="classes="):
        MixupNeuralNetClassifier(TinyCNN, mixer=KMixupResampler(k=4), **FAST).fit(data)
    clf = MixupNeuralNetClassifier(
        TinyCNN, mixer=KMixupResampler(k=4), classes=np.arange(10), **FAST
    ).fit(data)
    assert clf.predict(data).shape == (128,) and set(clf.predict(X)) <= set(range(10))
    # the same training as from arrays with the same random_state
    from_arrays = MixupNeuralNetClassifier(
        TinyCNN, mixer=KMixupResampler(k=4), classes=np.arange(10), **FAST
    ).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), from_arrays.predict_proba(X), rtol=1e-5)
    regression = PairDataset(X, X.reshape(len(X), -1).mean(axis=1, keepdims=True))
    reg = MixupNeuralNetRegressor(mixer=EpBetaMixupResampler(), **FAST).fit(regression)
    assert reg.predict(X).shape == (128, 1)  # the Dataset's targets have shape (1,)


# -- device-native plans ----------------------------------------------------------
def test_torch_beta_sampler_follows_the_beta_law():
    generator = new_generator("cpu", 0)
    for alpha, beta in [(0.2, 0.2), (0.5, 3.0), (1.0, 1.0), (4.34, 1.33), (1024.0, 1024.0)]:
        draws = standard_beta(alpha, beta, 4000, generator).numpy()
        assert np.all((draws >= 0) & (draws <= 1))
        # Kolmogorov-Smirnov against scipy's exact CDF, at the 0.1% level
        assert stats.kstest(draws, stats.beta(alpha, beta).cdf).pvalue > 1e-3


def test_gamma_variates_of_mixed_shapes_in_one_pass_follow_each_law():
    from skmixup._torch_random import _log_gamma

    shapes = (0.05, 0.7, 1.0, 3.0, 250.0)
    log_g = _log_gamma(shapes, 3000, new_generator("cpu", 3), torch.float64).numpy()
    assert np.isfinite(log_g).all()
    for draws, shape in zip(log_g, shapes):
        # The law of log G: P(log G <= t) = P(G <= e^t), scipy's exact CDF.
        law = stats.gamma(shape)
        assert stats.kstest(draws, lambda t, law=law: law.cdf(np.exp(t))).pvalue > 1e-3


def test_device_weights_have_the_law_moments():
    law = EpBeta.variance_preserving(0.3, 0.3, mean=0.9)
    w = law.sample_on_device(200_000, new_generator("cpu", 1)).numpy()
    low, high = law.support
    assert w.min() >= low and w.max() <= high
    n = w.shape[0]
    assert abs(w.mean() - law.mean) < 5 * np.sqrt(law.variance / n)
    second = w**2
    assert abs(second.mean() - law.second_moment) < 5 * second.std() / np.sqrt(n)


def test_device_plan_is_reproducible_and_seeded():
    X = torch.randn(64, 3, 4, 4)
    labels = torch.randint(0, 4, (64,))
    for pairing in (RandomPairing(), OTBlockPairing(8)):
        plans = [
            draw_device_batch_plan(X, labels, Beta(0.4), pairing, new_generator("cpu", seed), 1)
            for seed in (3, 3, 4)
        ]
        assert torch.equal(plans[0].partners, plans[1].partners)
        assert torch.equal(plans[0].weights, plans[1].weights)
        assert not torch.equal(plans[0].weights, plans[2].weights)


def test_within_class_device_permutation_is_uniform_within_classes():
    labels = torch.tensor([0, 1, 0, 2, 1, 0, 2, 0])
    X = torch.zeros(8, 1)
    counts = np.zeros((8, 8))
    generator = new_generator("cpu", 0)
    n_draws = 4000
    for _ in range(n_draws):
        partners = RandomPairing().pair_on_device(X, labels, generator)
        assert torch.equal(labels[partners], labels)
        assert sorted(partners.tolist()) == list(range(8))  # a permutation
        counts[np.arange(8), partners.numpy()] += 1
    # each other member of a class of size m is the partner with probability
    # 1/(m - 1), the row itself never
    for row in range(8):
        same = (labels == labels[row]).numpy()
        same[row] = False
        p = 1.0 / same.sum()
        se = np.sqrt(p * (1 - p) / n_draws)
        assert np.all(np.abs(counts[row, same] / n_draws - p) <= 5 * se)
        assert counts[row, ~same].sum() == 0


def test_kmixup_on_image_batches_equals_brute_force_matching():
    rng = np.random.default_rng(5)
    X = torch.from_numpy(rng.normal(size=(12, 1, 3, 3)))
    k = 6
    generator = new_generator("cpu", 2)
    partners = OTBlockPairing(k).pair_on_device(X, None, generator)
    # replay the two shuffles to recover the blocks, then brute-force each block
    replay = new_generator("cpu", 2)
    first = torch.randperm(12, generator=replay)
    second = torch.randperm(12, generator=replay)
    flat = X.reshape(12, -1).numpy()
    for block in range(2):
        a = first[block * k : (block + 1) * k].numpy()
        b = second[block * k : (block + 1) * k].numpy()
        chosen = np.sum((flat[a] - flat[partners.numpy()[a]]) ** 2)
        best = min(
            np.sum((flat[a] - flat[b[list(perm)]]) ** 2)
            for perm in itertools.permutations(range(k))
            if not any(a[i] == b[perm[i]] for i in range(k))
        )
        assert set(partners.numpy()[a]) == set(b)
        assert chosen == pytest.approx(best, rel=1e-12)


def test_multimix_on_device_emits_k_rows_per_pair():
    X = torch.randn(10, 2, 3)
    y = torch.randint(0, 3, (10,))
    mixer = BatchMixer(Beta(1.0), RandomPairing(), 3, False, 3, random_state=0)
    X_mixed, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    assert X_mixed.shape == (30, 2, 3) and y_soft.shape == (30, 3)
    assert torch.equal(plan.anchors, torch.arange(10).repeat_interleave(3))
    w = plan.weights.to(X.dtype)[:, None, None]
    torch.testing.assert_close(X_mixed, w * X[plan.anchors] + (1 - w) * X[plan.partners])


def test_interpolate_torch_kernel_matches_the_numpy_kernel():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2, 5))
    plan = draw_device_batch_plan(
        torch.from_numpy(X), None, Beta(0.5), RandomPairing(), new_generator("cpu", 0), 2
    )
    on_torch = interpolate(torch.from_numpy(X), plan).numpy()
    host_plan = type(plan)(
        plan.anchors.numpy(), plan.partners.numpy(), plan.weights.numpy(), 2, False
    )
    np.testing.assert_allclose(on_torch, interpolate(X, host_plan), rtol=1e-12, atol=1e-12)


def test_batch_mixer_pickles_mid_stream():
    X, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    mixer = BatchMixer(Beta(0.4), RandomPairing(), n_classes=2, random_state=0)
    mixer(X, y)
    clone = pickle.loads(pickle.dumps(mixer))
    expected, _ = mixer(X, y)
    got, _ = clone(X, y)
    torch.testing.assert_close(got, expected)


# -- the skorch mixin ---------------------------------------------------------------
class MixupSkorchNet(MixupMixin, NeuralNetClassifier):
    pass


def test_mixin_adds_mixup_to_a_skorch_net():
    X, y = _digit_images(64)
    module = ImageRecorder()
    net = MixupSkorchNet(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        batch_mixer=BatchMixer.from_resampler(KMixupResampler(k=4), n_classes=10, random_state=0),
        max_epochs=1,
        batch_size=64,
        train_split=None,
        iterator_train__shuffle=False,
    ).fit(X, y.astype(np.int64))
    ((_, mixed),) = [(t, x) for t, x in module.seen if t]
    assert not np.allclose(mixed.numpy(), X)
    assert net.predict(X).shape == (64,)
    with pytest.raises(ValueError, match="within_class=True"):
        BatchMixer.from_resampler(EpBetaMixupResampler(), n_classes=10)


# -- top level, inputs and errors ------------------------------------------------------
def test_import_skmixup_does_not_import_torch():
    code = (
        "import sys, skmixup; assert 'torch' not in sys.modules; "
        "from skmixup import MixupNeuralNetClassifier; assert 'torch' in sys.modules; "
        "print(MixupNeuralNetClassifier.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "MixupNeuralNetClassifier"
    assert skmixup.MixupNeuralNetRegressor is MixupNeuralNetRegressor
    with pytest.raises(AttributeError, match="no attribute"):
        skmixup.NotAName  # noqa: B018


def test_missing_torch_names_the_extra(tmp_path):
    # A torch that cannot be imported, as on a machine without the extra.
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')"
    )
    code = "import skmixup; skmixup.MixupNeuralNetClassifier"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
    )
    assert out.returncode != 0 and "skmixup[torch]" in out.stderr


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(hidden_layer_sizes=(-1,)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
        (dict(module__hidden_layer_sizes=(16,)), "module__hidden_layer_sizes"),
        (dict(device="foo"), "not a torch device"),
    ],
)
def test_bad_network_parameters_are_refused(params, message):
    X, y = _digit_images(32)
    with pytest.raises(ValueError, match=message):
        MixupNeuralNetClassifier(**{**FAST, **params}).fit(X.reshape(32, -1), y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_gpu_is_refused():
    X, y = _digit_images(32)
    with pytest.raises(ValueError, match="no CUDA device"):
        MixupNeuralNetClassifier(device="cuda", **FAST).fit(X.reshape(32, -1), y)


def test_fixed_perturbation_mixer_is_reproducible_through_the_network():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    mixer = KMixupResampler(k=8, fixed_perturbation=True)
    fits = [MixupNeuralNetClassifier(mixer=mixer, **FAST).fit(X, y) for _ in range(2)]
    assert fits[0].mixer_.alpha_ == fits[1].mixer_.alpha_
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))


def test_regression_targets_beyond_float32_are_refused():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="float32"):
        MixupNeuralNetRegressor(**FAST).fit(X, np.full(20, 1e200))


# -- sample weights and partial_fit --------------------------------------------------
def test_all_ones_sample_weight_gives_exactly_the_unweighted_model():
    X, y = _digit_images(96)
    X = X.reshape(96, -1)
    for mixer in (None, MultiMixResampler(n_interpolations=2, alpha=0.4)):
        plain = MixupNeuralNetClassifier(mixer=mixer, **FAST).fit(X, y)
        ones = MixupNeuralNetClassifier(mixer=mixer, **FAST).fit(X, y, sample_weight=np.ones(96))
        np.testing.assert_array_equal(plain.predict_proba(X), ones.predict_proba(X))


def test_weighted_loss_is_the_weighted_mean_of_row_losses():
    X, y = _digit_images(40)
    X = X.reshape(40, -1)
    w = np.random.default_rng(0).uniform(0, 3, 40).astype(np.float32)
    clf = MixupNeuralNetClassifier(max_epochs=1, random_state=0).fit(X, y, sample_weight=w)
    logits = clf.net_.infer(torch.from_numpy(X))
    target = torch.from_numpy(np.searchsorted(clf.classes_, y))
    per_row = torch.nn.functional.cross_entropy(logits, target, reduction="none").detach()
    expected = float((per_row.numpy() * w).sum() / w.sum())
    loss = clf.net_.get_loss(logits, target, X={"data": X, "sample_weight": w})
    assert float(loss.detach()) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="non-negative"):
        MixupNeuralNetClassifier(**FAST).fit(X, y, sample_weight=-w)


def test_partial_fit_continues_and_takes_classes():
    X, y = _digit_images(120)
    X = X.reshape(120, -1)
    clf = MixupNeuralNetClassifier(max_epochs=1, random_state=0)
    first = y < 5
    clf.partial_fit(X[first], y[first], classes=np.arange(10))
    net = clf.net_
    clf.partial_fit(X[~first], y[~first])
    assert clf.net_ is net and len(clf.history_) == 2
    assert clf.predict_proba(X).shape == (120, 10)


def test_read_only_float32_frames_train_without_torch_warnings():
    import warnings

    pd = pytest.importorskip("pandas")
    X, y = _digit_images(64)
    frame = pd.DataFrame(X.reshape(64, -1))
    values = frame.to_numpy()
    values.flags.writeable = False
    for data in (frame, values):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            MixupNeuralNetClassifier(**FAST).fit(data, y).predict(data)
