"""Manifold mixup (``mix_layers``): mixing at a hidden layer, checked against
a brute-force reconstruction from the recorded plans."""

import inspect
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback

from skmixup import KMixupResampler
from skmixup.neural_net import (
    BatchMixer,
    MixupMixin,
    MixupNeuralNetClassifier,
    MixupNeuralNetRegressor,
    SoftTargetCrossEntropy,
)
from skmixup.neural_net._manifold import SiteDraws
from skmixup.pairing import OTBlockPairing, RandomPairing
from skmixup.weights import Beta

N_CLASSES = 3


class Probe(torch.nn.Module):
    """Identity that records what flows through it."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return x


class StemNet(torch.nn.Module):
    """A parameter-free nonlinear stem between two probes, then a linear head."""

    def __init__(self, n_features=4, n_outputs=N_CLASSES):
        super().__init__()
        self.before = Probe()
        self.stem = torch.nn.Sequential(torch.nn.Tanh())
        self.after = Probe()
        self.head = torch.nn.Linear(n_features, n_outputs)

    def forward(self, x):
        return self.head(self.after(self.stem(self.before(x))))


class RecordingMixer(BatchMixer):
    """BatchMixer that keeps every batch it mixed and every plan it drew."""

    def __call__(self, X, y):
        mixed = super().__call__(X, y)
        self.calls = [*getattr(self, "calls", []), (X.detach().clone(), y.clone(), self.last_plan_)]
        return mixed


class RecordingLoss(SoftTargetCrossEntropy):
    def forward(self, logits, target):
        self.targets = [*getattr(self, "targets", []), target.detach().clone()]
        return super().forward(logits, target)


class ClassifierNet(MixupMixin, NeuralNetClassifier):
    pass


def _data(n=48, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    X = (3.0 * rng.normal(size=(n, n_features))).astype(np.float32)  # tanh bends it
    y = rng.integers(0, N_CLASSES, n).astype(np.int64)
    return X, y


def _brute_mix(rows, plan):
    anchors, partners = plan.anchors.numpy(), plan.partners.numpy()
    w = plan.weights.numpy().astype(np.float64)
    shape = (-1,) + (1,) * (rows.ndim - 1)
    return w.reshape(shape) * rows[anchors] + (1 - w).reshape(shape) * rows[partners]


def _net(mixer, mix_layers, **kwargs):
    settings = {
        "module": StemNet,
        "criterion": RecordingLoss,
        "max_epochs": 1,
        "batch_size": 16,
        "train_split": None,
        "iterator_train__shuffle": False,
        "verbose": 0,
        **kwargs,
    }
    return ClassifierNet(batch_mixer=mixer, mix_layers=mix_layers, **settings)


def test_stem_sees_unmixed_rows_and_next_layer_sees_mixtures_of_stem_outputs():
    X, y = _data()
    mixer = RecordingMixer(
        Beta(1.0), RandomPairing(), n_interpolations=2, n_classes=N_CLASSES, random_state=0
    )
    net = _net(mixer, ["stem"]).fit(X, y)
    mixer = net.batch_mixer_  # the fitted copy that mixed
    module = net.module_
    batches = [slice(start, start + 16) for start in range(0, len(X), 16)]
    assert len(module.before.seen) == len(module.after.seen) == len(mixer.calls) == 3
    for rows, seen_before, seen_after, (h, labels, plan), targets in zip(
        batches, module.before.seen, module.after.seen, mixer.calls, net.criterion_.targets
    ):
        np.testing.assert_array_equal(seen_before.numpy(), X[rows])  # the batch, unmixed
        stem_out = np.tanh(X[rows].astype(np.float64))
        np.testing.assert_allclose(h.numpy(), stem_out, rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(labels.numpy(), y[rows])
        assert len(plan) == 2 * 16  # n_interpolations grows the hidden batch
        np.testing.assert_allclose(
            seen_after.numpy(), _brute_mix(stem_out, plan), rtol=1e-5, atol=1e-6
        )
        one_hot = np.eye(N_CLASSES)[y[rows]]
        np.testing.assert_allclose(targets.numpy(), _brute_mix(one_hot, plan), atol=1e-6)
        # the rows really are mixtures, not copies of their anchors
        assert np.abs(seen_after.numpy() - stem_out[plan.anchors.numpy()]).max() > 0.1
    assert not module.stem._forward_hooks  # the hook is gone after training


def test_prediction_is_not_mixed():
    X, y = _data()
    mixer = BatchMixer(Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=0)
    net = _net(mixer, ["input", "stem"]).fit(X, y)
    module = net.module_
    module.before.seen.clear()
    module.after.seen.clear()
    logits_out = net.predict_proba(X)  # skorch's "auto" nonlinearity: raw logits here
    after = torch.cat(module.after.seen).numpy()
    np.testing.assert_allclose(after, np.tanh(X.astype(np.float64)), rtol=1e-6, atol=1e-6)
    with torch.no_grad():
        logits = module.head(torch.tanh(torch.from_numpy(X)))
    np.testing.assert_allclose(logits_out, logits.numpy(), rtol=1e-5, atol=1e-6)


def _sites(seed, n_epochs=4):
    X, y = _data(n=160)
    mixer = RecordingMixer(Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=seed)
    mixer = _net(mixer, ["input", "stem"], max_epochs=n_epochs).fit(X, y).batch_mixer_
    sites = []
    for h, _, _ in mixer.calls:
        rows = h.numpy()
        at_input = any(np.array_equal(rows, X[s : s + 16]) for s in range(0, len(X), 16))
        at_stem = any(
            np.allclose(rows, np.tanh(X[s : s + 16]), atol=1e-6) for s in range(0, len(X), 16)
        )
        assert at_input != at_stem  # each batch mixed at exactly one of the two sites
        sites.append("input" if at_input else "stem")
    return sites


def test_input_and_stem_both_used_and_draws_repeat():
    sites = _sites(seed=0)
    assert len(sites) == 40
    # 40 fair draws: Binomial(40, 1/2) lies in [8, 32] but with probability ~1e-4
    assert 8 <= sites.count("input") <= 32
    assert _sites(seed=0) == sites
    assert _sites(seed=1) != sites


def test_k_mixup_matches_the_hidden_rows():
    X, y = _data(n=12)
    mixer = RecordingMixer(Beta(1.0), OTBlockPairing(k=12), n_classes=N_CLASSES, random_state=0)
    net = _net(mixer, ["stem"], batch_size=12).fit(X, y)
    mixer = net.batch_mixer_
    plan = mixer.calls[0][2]

    def optimal_derangement(rows):
        costs = ((rows[:, None, :] - rows[None, :, :]) ** 2).sum(-1)
        costs += np.eye(len(rows)) * 1e6
        return linear_sum_assignment(costs)[1]

    on_hidden = optimal_derangement(np.tanh(X.astype(np.float64)))
    assert not np.array_equal(on_hidden, optimal_derangement(X.astype(np.float64)))
    np.testing.assert_array_equal(plan.anchors.numpy(), np.arange(12))
    np.testing.assert_array_equal(plan.partners.numpy(), on_hidden)
    assert net.module_.after.seen[0].shape == (12, 4)


def test_unknown_layer_names_list_the_valid_ones():
    X, y = _data()
    mixer = BatchMixer(Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=0)
    with pytest.raises(ValueError, match=r"\['nope'\].*'input', 'before', 'stem', 'stem.0'"):
        _net(mixer, ["stem", "nope"]).fit(X, y)
    with pytest.raises(TypeError, match="mix_layers must be None or a list"):
        _net(mixer, "stem").fit(X, y)
    with pytest.raises(ValueError, match="more than once"):
        _net(mixer, ["stem", "stem"]).fit(X, y)


class TokenNet(torch.nn.Module):
    def __init__(self, n_tokens=20, width=6):
        super().__init__()
        self.embed = torch.nn.Embedding(n_tokens, width)
        self.after = Probe()
        self.head = torch.nn.Linear(width, N_CLASSES)

    def forward(self, tokens):
        return self.head(self.after(self.embed(tokens)).mean(dim=1))


class KeepInitialEmbedding(Callback):
    def on_train_begin(self, net, **kwargs):
        self.weight = net.module_.embed.weight.detach().clone().numpy()


def test_integer_tokens_mix_at_the_embedding_and_are_refused_at_the_input():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20, size=(32, 5))
    y = rng.integers(0, N_CLASSES, 32)

    def net(mix_layers):
        mixer = RecordingMixer(Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=0)
        return _net(mixer, mix_layers, module=TokenNet, batch_size=32)

    keep = KeepInitialEmbedding()
    trained = net(["embed"]).set_params(callbacks=[keep]).fit(tokens, y)
    initial_embedding = keep.weight
    h, _, plan = trained.batch_mixer_.calls[0]
    np.testing.assert_allclose(h.numpy(), initial_embedding[tokens], rtol=1e-6)
    np.testing.assert_allclose(
        trained.module_.after.seen[0].numpy(),
        _brute_mix(initial_embedding[tokens], plan),
        rtol=1e-5,
        atol=1e-6,
    )
    assert not np.allclose(trained.module_.embed.weight.detach().numpy(), initial_embedding)
    for mix_layers in (None, ["input", "embed"]):
        refused = net(mix_layers)
        with pytest.raises(TypeError, match=r"int64 token indices.*mix_layers.*\['embed'\]"):
            refused.fit(tokens, y)
        assert not hasattr(refused.batch_mixer, "calls")


def test_classifier_estimator_soft_labels_at_a_hidden_layer():
    X, y = _data(n=40)
    clf = MixupNeuralNetClassifier(
        StemNet(),
        mixer=KMixupResampler(k=1, alpha=1.0),
        mix_layers=["stem"],
        batch_size=-1,
        max_epochs=1,
        random_state=0,
        iterator_train__shuffle=False,
    )
    clf.fit(X, y)
    plan = clf.net_.batch_mixer_.last_plan_
    module = clf.net_.module_
    np.testing.assert_array_equal(module.before.seen[0].numpy(), X)
    np.testing.assert_allclose(
        module.after.seen[0].numpy(),
        _brute_mix(np.tanh(X.astype(np.float64)), plan),
        rtol=1e-5,
        atol=1e-6,
    )
    assert clf.predict_proba(X).shape == (40, N_CLASSES)


def test_regressor_estimator_loss_uses_targets_mixed_with_the_hidden_plan():
    X, _ = _data(n=40)
    y = X[:, 0] - 2 * X[:, 1]
    module = StemNet(n_outputs=1)
    reg = MixupNeuralNetRegressor(
        module,
        mixer=KMixupResampler(k=1, alpha=1.0),
        mix_layers=["stem"],
        batch_size=-1,
        max_epochs=1,
        random_state=0,
        iterator_train__shuffle=False,
    ).fit(X, y)
    plan = reg.net_.batch_mixer_.last_plan_
    # brute force: the untouched module's output on the mixed stem rows,
    # against the targets mixed with the same plan (the loss before the step)
    with torch.no_grad():
        hidden = torch.from_numpy(_brute_mix(np.tanh(X.astype(np.float64)), plan)).float()
        output = module.head(hidden).numpy()[:, 0]
    expected = np.mean((output - _brute_mix(y.astype(np.float64), plan)) ** 2)
    assert reg.history_[-1, "train_loss"] == pytest.approx(expected, rel=1e-5)
    assert reg.predict(X).shape == (40,)


def test_sample_weights_are_mixed_with_the_hidden_plan():
    X, y = _data(n=24)
    weights = np.random.default_rng(1).uniform(0.5, 2.0, 24).astype(np.float32)
    module = StemNet()
    clf = MixupNeuralNetClassifier(
        module,
        mixer=KMixupResampler(k=1, alpha=1.0),
        mix_layers=["stem"],
        batch_size=-1,
        max_epochs=1,
        random_state=0,
        iterator_train__shuffle=False,
    ).fit(X, y, sample_weight=weights)
    plan = clf.net_.batch_mixer_.last_plan_
    with torch.no_grad():
        hidden = torch.from_numpy(_brute_mix(np.tanh(X.astype(np.float64)), plan)).float()
        log_p = torch.log_softmax(module.head(hidden), 1).double().numpy()
    targets = _brute_mix(np.eye(N_CLASSES)[y], plan)
    per_row = -(targets * log_p).sum(1)
    mixed_weights = _brute_mix(weights.astype(np.float64), plan)
    expected = (per_row * mixed_weights).sum() / mixed_weights.sum()
    assert clf.history_[-1, "train_loss"] == pytest.approx(expected, rel=1e-5)


class LinearStemNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Linear(4, 4)
        self.head = torch.nn.Linear(4, N_CLASSES)

    def forward(self, x):
        return self.head(torch.tanh(self.stem(x)))


def test_k_mixup_at_a_layer_with_parameters_trains_it_without_warnings():
    X, y = _data(n=32)
    mixer = BatchMixer(Beta(1.0), OTBlockPairing(k=8), n_classes=N_CLASSES, random_state=0)
    net = _net(mixer, ["stem"], module=LinearStemNet, batch_size=32)
    net.initialize()
    before = net.module_.stem.weight.detach().clone()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.partial_fit(X, y)
    # the gradient reached the stem through the mixed rows
    assert not torch.equal(net.module_.stem.weight.detach(), before)


class ImageStemNet(StemNet):
    def __init__(self):
        super().__init__(n_features=2 * 6 * 6)

    def forward(self, x):
        return self.head(self.after(self.stem(self.before(x))).flatten(1))


@pytest.mark.skipif(
    "operator" not in inspect.signature(BatchMixer).parameters,
    reason="BatchMixer has no CutMix operator in this version",
)
def test_cutmix_at_a_hidden_map_pastes_boxes_of_the_stem_outputs():
    rng = np.random.default_rng(0)
    X = (3.0 * rng.normal(size=(16, 2, 6, 6))).astype(np.float32)
    y = rng.integers(0, N_CLASSES, 16)
    mixer = RecordingMixer(
        Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=0, operator="cutmix"
    )
    net = _net(mixer, ["stem"], batch_size=16, module=ImageStemNet).fit(X, y)
    mixer = net.batch_mixer_
    plan = mixer.calls[0][2]
    stem_out = np.tanh(X.astype(np.float64))
    after = net.module_.after.seen[0].numpy()
    boxes = plan.boxes.numpy().astype(int)
    for row in range(16):
        (top, bottom), (left, right) = boxes[row]
        expected = stem_out[plan.anchors[row]].copy()
        expected[:, top:bottom, left:right] = stem_out[plan.partners[row]][
            :, top:bottom, left:right
        ]
        np.testing.assert_allclose(after[row], expected, rtol=1e-6, atol=1e-6)
        area = (bottom - top) * (right - left) / 36
        assert float(plan.weights[row]) == pytest.approx(1 - area, abs=1e-6)
    assert (plan.weights.numpy() < 1).sum() >= 8  # most rows really have a box pasted


def test_input_site_alone_trains_exactly_like_no_mix_layers():
    X, y = _data()

    def weights(mix_layers):
        mixer = BatchMixer(Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=3)
        torch.manual_seed(0)
        net = _net(mixer, mix_layers, max_epochs=2).fit(X, y)
        return net.module_.head.weight.detach().numpy()

    np.testing.assert_array_equal(weights(["input"]), weights(None))


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_rows=st.integers(2, 12),
    n_interpolations=st.integers(1, 3),
    k=st.sampled_from([1, 4]),
)
def test_property_hidden_mix_counts_targets_and_originals(seed, n_rows, n_interpolations, k):
    X, y = _data(n=n_rows, seed=seed)
    X_before = X.copy()
    pairing = OTBlockPairing(k=k) if k > 1 else RandomPairing()
    mixer = RecordingMixer(
        Beta(0.5),
        pairing,
        n_interpolations=n_interpolations,
        n_classes=N_CLASSES,
        random_state=seed,
    )
    net = _net(mixer, ["stem"], batch_size=n_rows).fit(X, y)
    mixer = net.batch_mixer_
    np.testing.assert_array_equal(X, X_before)  # originals unchanged
    (after,) = net.module_.after.seen
    (targets,) = net.criterion_.targets
    assert after.shape == (n_rows * n_interpolations, 4) and after.dtype == torch.float32
    np.testing.assert_allclose(targets.sum(dim=1).numpy(), 1.0, atol=1e-6)
    plan = mixer.calls[0][2]
    np.testing.assert_allclose(
        after.numpy(), _brute_mix(np.tanh(X.astype(np.float64)), plan), rtol=1e-5, atol=1e-6
    )
    # rerun with the same seeds: the same plan
    again = RecordingMixer(
        Beta(0.5),
        pairing,
        n_interpolations=n_interpolations,
        n_classes=N_CLASSES,
        random_state=seed,
    )
    again = _net(again, ["stem"], batch_size=n_rows).fit(X, y).batch_mixer_
    np.testing.assert_array_equal(again.calls[0][2].partners.numpy(), plan.partners.numpy())
    np.testing.assert_array_equal(again.calls[0][2].weights.numpy(), plan.weights.numpy())


def test_names_are_those_of_the_module_inside_a_data_parallel_wrapper():
    X, y = _data(n=16)
    mixer = RecordingMixer(Beta(1.0), RandomPairing(), n_classes=N_CLASSES, random_state=0)
    net = _net(mixer, ["stem"], batch_size=16)
    net.initialize()
    net.module_ = torch.nn.DataParallel(net.module_)  # what Accelerate/DDP do to module_
    net.partial_fit(X, y)
    mixer = net.batch_mixer_
    inner = net.module_.module
    np.testing.assert_array_equal(inner.before.seen[0].numpy(), X)
    np.testing.assert_allclose(
        inner.after.seen[0].numpy(),
        _brute_mix(np.tanh(X.astype(np.float64)), mixer.calls[0][2]),
        rtol=1e-5,
        atol=1e-6,
    )


def test_only_token_index_dtypes_are_refused_at_the_input():
    # uint8 images are the batch mixer's to mix (pasted, or interpolated in
    # float32), and so are integers that feed no embedding (counts, pixels).
    net = _net(None, ["input", "stem"]).initialize()
    draws = SiteDraws(seed=0)
    for dtype in (torch.uint8, torch.float16, torch.float32, torch.int32, torch.int64):
        assert draws.draw(net, torch.zeros(4, 4, dtype=dtype)) in ("input", "stem")
    # Integers that feed an nn.Embedding are token indices.
    tokens = _net(None, ["input", "embed"], module=TokenNet).initialize()
    for dtype in (torch.int32, torch.int64):
        with pytest.raises(TypeError, match=f"{dtype} token indices"):
            SiteDraws(seed=0).draw(tokens, {"data": torch.zeros(4, 4, dtype=dtype)})
