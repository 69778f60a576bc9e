"""MixupNeuralNetClassifier / Regressor: mixing only in training, on the device."""

import itertools
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler  # noqa: E402
from skmixup.datasets import make_alternating_line  # noqa: E402
from skmixup.neural_net import (  # noqa: E402
    BatchMixer,
    MixupNeuralNetClassifier,
    MixupNeuralNetRegressor,
)
from skmixup.neural_net._estimators import _resolve_device  # noqa: E402
from skmixup.pairing import OTBlockPairing, RandomPairing  # noqa: E402
from skmixup.weights import Beta  # noqa: E402

FAST = dict(hidden_layer_sizes=(16,), lr=0.02, max_epochs=3, batch_size=32, random_state=0)


class Recorder(torch.nn.Module):
    """Linear module that records every input it sees, and its device."""

    def __init__(self, n_features=2, n_outputs=2):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_outputs)
        self.seen = []

    def forward(self, X):
        self.seen.append((self.training, X.detach().clone(), X.device))
        return self.linear(X)


def _blobs(n=64, seed=0):
    X, y = make_blobs(n, centers=[[-2, 0], [2, 0]], random_state=seed)
    return X.astype(np.float32), y


def _on_some_segment(row, X):
    for a, b in itertools.permutations(range(len(X)), 2):
        direction = X[b] - X[a]
        w = np.dot(row - X[a], direction) / np.dot(direction, direction)
        if np.allclose(X[a] + w * direction, row, atol=1e-4):
            return True
    return False


def test_mixing_happens_in_training_only():
    X, y = _blobs(16)
    clf = MixupNeuralNetClassifier(Recorder(), mixer=KMixupResampler(k=1, alpha=1.0), **FAST)
    clf.fit(X, y)
    module = clf.net_.module_
    training_rows = torch.cat([x for training, x, _ in module.seen if training]).numpy()
    originals = {tuple(row) for row in X}
    mixed = [row for row in training_rows if tuple(row) not in originals]
    assert len(mixed) > 0.9 * len(training_rows)
    assert all(_on_some_segment(row, X) for row in mixed[:20])
    module.seen.clear()
    clf.predict_proba(X)
    ((training, seen, _),) = module.seen
    assert not training
    np.testing.assert_array_equal(seen.numpy(), X)


def test_plain_training_sees_original_rows():
    X, y = _blobs(16)
    # mixer=None is the explicit opt-out (the default mixes, issue 17).
    clf = MixupNeuralNetClassifier(Recorder(), mixer=None, **FAST).fit(X, y)
    rows = torch.cat([x for training, x, _ in clf.net_.module_.seen if training]).numpy()
    assert {tuple(r) for r in rows} == {tuple(r) for r in X}


def test_soft_targets_are_the_mixed_one_hot_labels():
    rng = np.random.default_rng(0)
    X = torch.from_numpy(rng.normal(size=(12, 3)))
    y = torch.from_numpy(rng.integers(0, 3, 12))
    mixer = BatchMixer(Beta(0.5), RandomPairing(), 2, False, 3, np.random.default_rng(1))
    X_mix, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    assert y_soft.shape == (24, 3) and X_mix.shape == (24, 3)
    np.testing.assert_allclose(y_soft.sum(dim=1).numpy(), 1.0, rtol=1e-12)
    one_hot = np.eye(3)[y.numpy()]
    w = np.asarray(plan.weights)[:, None]
    expected = w * one_hot[plan.anchors] + (1 - w) * one_hot[plan.partners]
    np.testing.assert_allclose(y_soft.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(
        X_mix.numpy(), w * X.numpy()[plan.anchors] + (1 - w) * X.numpy()[plan.partners]
    )
    # Every row of the batch anchors exactly one pair, K = 2 rows each.
    assert sorted(plan.anchors[::2]) == list(range(12))


def test_within_class_pairs_keep_labels_hard():
    rng = np.random.default_rng(2)
    X = torch.from_numpy(rng.normal(size=(20, 2)))
    y = torch.from_numpy(np.repeat([0, 1, 2, 3], 5))
    mixer = BatchMixer(Beta(1.0), RandomPairing(), 1, True, 4, np.random.default_rng(0))
    _, y_soft = mixer(X, y)
    plan = mixer.last_plan_
    assert np.all(y.numpy()[plan.anchors] == y.numpy()[plan.partners])
    np.testing.assert_allclose(y_soft.numpy(), np.eye(4)[y.numpy()[plan.anchors]], atol=1e-12)


def test_kmixup_in_training_uses_the_optimal_matching():
    rng = np.random.default_rng(3)
    X = torch.from_numpy(rng.normal(size=(7, 2)))
    y = torch.zeros(7, dtype=torch.int64)
    mixer = BatchMixer(Beta(1.0), OTBlockPairing(7), 1, False, 2, np.random.default_rng(0))
    mixer(X, y)
    plan = mixer.last_plan_
    points = X.numpy()
    cost = np.sum((points[plan.anchors] - points[plan.partners]) ** 2)
    # Brute force over all derangements of the batch (a row never pairs itself).
    best = min(
        np.sum((points[plan.anchors] - points[plan.anchors][list(p)]) ** 2)
        for p in itertools.permutations(range(7))
        if all(i != j for i, j in enumerate(p))
    )
    assert cost == pytest.approx(best, rel=1e-12)


def test_multimix_multiplies_rows_per_step():
    X, y = _blobs(32)
    clf = MixupNeuralNetClassifier(
        Recorder(), mixer=MultiMixResampler(n_interpolations=5), **{**FAST, "max_epochs": 1}
    ).fit(X, y)
    sizes = [x.shape[0] for training, x, _ in clf.net_.module_.seen if training]
    assert sizes == [32 * 5]


def test_same_random_state_same_model():
    X, y = _blobs(64)
    for mixer in [None, KMixupResampler(k=4, alpha=0.4)]:
        first = MixupNeuralNetClassifier(mixer=mixer, **FAST).fit(X, y).predict_proba(X)
        second = MixupNeuralNetClassifier(mixer=mixer, **FAST).fit(X, y).predict_proba(X)
        other = MixupNeuralNetClassifier(mixer=mixer, **{**FAST, "random_state": 1})
        np.testing.assert_array_equal(first, second)
        assert not np.array_equal(first, other.fit(X, y).predict_proba(X))


def test_global_torch_rng_is_left_alone():
    X, y = _blobs(32)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    MixupNeuralNetClassifier(**FAST).fit(X, y)
    torch.testing.assert_close(torch.rand(3), expected)


def test_grid_search_over_mixer_parameters_refits():
    X, y = _blobs(90)
    pipeline = make_pipeline(
        StandardScaler(), MixupNeuralNetClassifier(mixer=KMixupResampler(), **FAST)
    )
    grid = {
        "mixupneuralnetclassifier__mixer__k": [1, 4],
        "mixupneuralnetclassifier__mixer__alpha": [0.5, 2.0],
    }
    search = GridSearchCV(pipeline, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    best = search.best_estimator_[-1]
    assert best.mixer_.k == search.best_params_["mixupneuralnetclassifier__mixer__k"]
    assert search.predict(X).shape == (90,)


def test_device_auto_resolves_and_tensors_live_on_the_net_device(monkeypatch):
    assert _resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert _resolve_device("auto") == "cuda"
    monkeypatch.undo()
    X, y = _blobs(16)
    clf = MixupNeuralNetClassifier(
        Recorder(), mixer=KMixupResampler(k=4), device="cpu", **FAST
    ).fit(X, y)
    assert clf.device_ == "cpu"
    assert {device.type for _, _, device in clf.net_.module_.seen} == {"cpu"}
    assert all(p.device.type == "cpu" for p in clf.net_.module_.parameters())


def test_string_and_non_contiguous_labels():
    X, y = _blobs(40)
    for labels in [np.array(["cat", "dog"])[y], np.array([3, 10])[y]]:
        clf = MixupNeuralNetClassifier(**{**FAST, "max_epochs": 20}).fit(X, labels)
        assert set(clf.classes_) == set(labels)
        assert set(clf.predict(X)) <= set(labels)
        assert np.mean(clf.predict(X) == labels) > 0.9


def test_epbeta_needs_within_class_for_labels_but_not_for_regression():
    X, y = _blobs(32)
    with pytest.raises(ValueError, match="negative mass"):
        MixupNeuralNetClassifier(mixer=EpBetaMixupResampler(), **FAST).fit(X, y)
    MixupNeuralNetClassifier(mixer=EpBetaMixupResampler(), within_class=True, **FAST).fit(X, y)
    MixupNeuralNetRegressor(mixer=EpBetaMixupResampler(), **FAST).fit(X, X[:, 0] * 2)


def test_regressor_targets_are_mixed_with_the_rows_weight():
    rng = np.random.default_rng(4)
    X = torch.from_numpy(rng.normal(size=(10, 2)))
    y = X @ torch.tensor([[1.0], [-2.0]], dtype=X.dtype)
    mixer = BatchMixer(Beta(1.0), RandomPairing(), 3, False, None, np.random.default_rng(0))
    X_mix, y_mix = mixer(X, y)
    torch.testing.assert_close(y_mix, X_mix @ torch.tensor([[1.0], [-2.0]], dtype=X.dtype))


def test_regressor_learns_and_keeps_output_shape():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    reg = MixupNeuralNetRegressor(
        mixer=KMixupResampler(k=8, alpha=0.4), **{**FAST, "max_epochs": 60}
    ).fit(X, y)
    assert reg.predict(X).shape == (200,) and reg.score(X, y) > 0.9
    Y = np.column_stack([y, -y])
    assert MixupNeuralNetRegressor(**FAST).fit(X, Y).predict(X).shape == (200, 2)


def test_skorch_prefixed_parameters_and_history():
    X, y = _blobs(32)
    clf = MixupNeuralNetClassifier(
        Recorder,
        module__n_features=2,
        module__n_outputs=2,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.5,
        **FAST,
    )
    assert clf.get_params()["optimizer__momentum"] == 0.5
    clf.set_params(optimizer__momentum=0.9).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["momentum"] == 0.9
    assert len(clf.history_) == FAST["max_epochs"]
    assert clone(clf).get_params()["module__n_features"] == 2
    with pytest.raises(ValueError, match="unknown parameter"):
        MixupNeuralNetClassifier(lerning_rate=0.1).fit(X, y)


def test_clone_and_pickle_after_fit():
    X, y = _blobs(32)
    clf = MixupNeuralNetClassifier(mixer=KMixupResampler(k=4), **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert not hasattr(fresh, "net_") and fresh.get_params()["mixer"].k == 4


def test_module_instance_is_never_trained():
    X, y = _blobs(32)
    module = Recorder()
    before = [p.detach().clone() for p in module.parameters()]
    MixupNeuralNetClassifier(module, **FAST).fit(X, y)
    assert all(torch.equal(a, b) for a, b in zip(before, module.parameters()))


def test_warm_start_continues_training():
    X, y = _blobs(32)
    clf = MixupNeuralNetClassifier(warm_start=True, **FAST).fit(X, y)
    net = clf.net_
    clf.fit(X, y)
    assert clf.net_ is net and len(clf.history_) == 2 * FAST["max_epochs"]
    with pytest.raises(ValueError, match="not among the classes"):
        clf.fit(X, np.where(y == 1, 2, y))


def test_bad_input_errors():
    X, y = _blobs(16)
    with pytest.raises(ValueError, match="at least 2 classes"):
        MixupNeuralNetClassifier(**FAST).fit(X, np.zeros(16))
    with pytest.raises(ValueError, match="NaN"):
        MixupNeuralNetClassifier(**FAST).fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="categorical_features"):
        MixupNeuralNetClassifier(mixer=KMixupResampler(categorical_features=[0])).fit(X, y)
    with pytest.raises(ValueError, match="'max_epochs' parameter"):
        MixupNeuralNetClassifier(max_epochs=0).fit(X, y)


def test_cross_class_mixup_fails_on_the_alternating_line():
    X, y = make_alternating_line(10)
    X = (X - X.mean()) / X.std()
    params = dict(hidden_layer_sizes=(64, 64), lr=0.01, max_epochs=600, batch_size=-1)
    plain = MixupNeuralNetClassifier(mixer=None, random_state=0, **params).fit(X, y)
    mixed = MixupNeuralNetClassifier(
        mixer=KMixupResampler(k=1, alpha=8.0), random_state=0, **params
    ).fit(X, y)
    assert plain.score(X, y) == 1.0
    assert mixed.score(X, y) <= 0.7
