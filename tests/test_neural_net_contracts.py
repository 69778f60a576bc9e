"""Issue 17: the networks keep skorch's and scikit-learn's contracts with a mixer."""

import inspect
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from skorch import NeuralNetClassifier  # noqa: E402
from skorch.callbacks import EpochScoring  # noqa: E402

from skmixup.neural_net import (  # noqa: E402
    BatchMixer,
    MixupMixin,
    MixupNeuralNetClassifier,
    MixupNeuralNetRegressor,
)
from skmixup.pairing import OTBlockPairing, RandomPairing  # noqa: E402
from skmixup.weights import Beta, EpBeta  # noqa: E402


class Net(MixupMixin, NeuralNetClassifier):
    pass


def _blobs(n_per_class=30, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 0.7, size=(n_per_class, 2)) for c in (-1.5, 1.5)])
    y = np.repeat([0, 1], n_per_class)
    return X.astype(np.float32), y.astype(np.int64)


def _mixer(**kw):
    return BatchMixer(Beta(1.0), OTBlockPairing(4), n_classes=2, random_state=0, **kw)


def _net(**kw):
    params = dict(
        module=torch.nn.Linear,
        module__in_features=2,
        module__out_features=2,
        criterion=torch.nn.CrossEntropyLoss,
        batch_mixer=_mixer(),
        train_split=None,
        max_epochs=2,
        batch_size=16,
        verbose=0,
    )
    return Net(**{**params, **kw})


# -- nested parameters -------------------------------------------------------
def test_mixer_parts_follow_the_parameter_protocol():
    mixer = BatchMixer(EpBeta(1.0, 2.0, 0.1, 0.2), OTBlockPairing(8), within_class=True)
    params = mixer.get_params(deep=True)
    assert params["weight_law__eps1"] == 0.2 and params["pairing__k"] == 8
    copy = clone(mixer)
    assert copy is not mixer and copy.weight_law is not mixer.weight_law
    assert repr(copy) == repr(mixer)  # reprs kept as they were
    assert repr(Beta(0.4)) == "Beta(alpha=0.4, beta=0.4)"
    assert repr(RandomPairing()) == "RandomPairing()"
    # the four options of the shared contract are stored verbatim
    mixer = BatchMixer(operator="cutmix", label_smoothing=0.1, p=0.5, weight_mode="batch")
    assert (mixer.operator, mixer.label_smoothing, mixer.p, mixer.weight_mode) == (
        "cutmix",
        0.1,
        0.5,
        "batch",
    )
    # stored as given, refused when mixing starts, naming the parameter
    bad = BatchMixer(Beta(1.0), RandomPairing(), n_interpolations=0)
    with pytest.raises(ValueError, match="n_interpolations"):
        bad(torch.zeros(4, 2), torch.zeros(4))


def test_net_set_params_reaches_the_mixer_and_fit_leaves_it_unchanged():
    X, y = _blobs()
    net = _net()
    net.set_params(batch_mixer__random_state=3, batch_mixer__pairing__k=2)
    assert net.batch_mixer.random_state == 3 and net.batch_mixer.pairing.k == 2
    before = pickle.dumps(net.batch_mixer)
    net.fit(X, y)
    assert pickle.dumps(net.batch_mixer) == before  # parameter object not mutated
    assert not hasattr(net.batch_mixer, "last_plan_")
    assert net.batch_mixer_ is not net.batch_mixer and hasattr(net.batch_mixer_, "last_plan_")
    cloned = clone(net)
    assert cloned.batch_mixer is not net.batch_mixer
    assert cloned.batch_mixer.get_params()["pairing__k"] == 2


def test_grid_search_over_nested_mixer_names():
    X, y = _blobs(20)
    search = GridSearchCV(
        _net(max_epochs=1),
        {"batch_mixer__weight_law__alpha": [0.2, 1.0], "batch_mixer__pairing__k": [2, 4]},
        cv=2,
        scoring="accuracy",
    ).fit(X, y)
    assert set(search.best_params_) == {"batch_mixer__weight_law__alpha", "batch_mixer__pairing__k"}
    assert len(search.cv_results_["params"]) == 4


def test_composed_signature_is_the_nets_plus_mixer():
    names = list(inspect.signature(Net).parameters)
    skorch_names = set(inspect.signature(NeuralNetClassifier).parameters) - {"args", "kwargs"}
    assert skorch_names <= set(names)
    assert names[-3:] == ["batch_mixer", "mix_layers", "kwargs"]
    net = Net(torch.nn.Linear, mix_layers=["layer1"])
    assert net.mix_layers == ["layer1"] and net.get_params()["mix_layers"] == ["layer1"]


def test_nll_loss_is_refused_before_training():
    X, y = _blobs()
    with pytest.raises(ValueError, match="torch.nn.CrossEntropyLoss"):
        _net(criterion=torch.nn.NLLLoss).fit(X, y)


# -- training scores on the original rows -------------------------------------
@pytest.mark.parametrize("n_interpolations", [1, 2])
def test_on_train_accuracy_is_the_models_accuracy_on_the_training_rows(n_interpolations):
    X, _ = _blobs()
    y = np.random.default_rng(1).integers(0, 2, X.shape[0])  # untrained model: about half right
    torch.manual_seed(0)
    net = _net(
        batch_mixer=_mixer(n_interpolations=n_interpolations),
        lr=0.0,  # the model never changes: its training accuracy is predict's
        max_epochs=1,
        callbacks=[EpochScoring("accuracy", on_train=True, name="train_acc")],
    ).fit(X, y)
    expected = accuracy_score(y, net.predict(X))
    assert 0.2 < expected < 0.95  # an untrained model: the check can fail
    assert net.history[-1, "train_acc"] == pytest.approx(expected)


# -- estimators: default mixing and scorers -----------------------------------
class _Recorder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 2)
        self.seen = []

    def forward(self, X):
        if self.training:
            self.seen.append(X.detach().clone())
        return self.linear(X)


def test_default_classifier_mixes():
    X, y = _blobs(16)
    clf = MixupNeuralNetClassifier(_Recorder(), max_epochs=1, random_state=0).fit(X, y)
    rows = torch.cat(clf.net_.module_.seen).numpy()
    originals = {tuple(r) for r in X}
    assert sum(tuple(r) not in originals for r in rows) > 0.9 * len(rows)
    assert clf.mixer_.alpha == 0.2 and clf.mixer_.k == 1  # classic mixup, Beta(0.2, 0.2)
    plain = MixupNeuralNetClassifier(_Recorder(), mixer=None, max_epochs=1).fit(X, y)
    assert {tuple(r) for r in torch.cat(plain.net_.module_.seen).numpy()} == originals


def test_default_mixer_is_searchable():
    X, y = _blobs(20)
    net = MixupNeuralNetClassifier(random_state=0, max_epochs=2, hidden_layer_sizes=(8,))
    search = GridSearchCV(net, {"mixer__alpha": [0.2, 1.0]}, cv=2).fit(X, y)
    assert search.best_params_["mixer__alpha"] in (0.2, 1.0)
    assert net.mixer == "mixup"  # the search worked on clones


@pytest.mark.parametrize("scoring", ["accuracy", "f1_macro", "neg_log_loss"])
def test_classifier_takes_skorch_scorers(scoring):
    from skorch.dataset import ValidSplit

    X, y = _blobs()
    clf = MixupNeuralNetClassifier(
        max_epochs=2,
        random_state=0,
        hidden_layer_sizes=(8,),
        train_split=ValidSplit(4, stratified=True),
        callbacks=[
            EpochScoring(scoring, on_train=True, name="tr"),
            EpochScoring(scoring, lower_is_better=False, name="va"),
        ],
    ).fit(X, y)
    for name in ("tr", "va"):
        score = clf.history_[-1, name]
        assert -np.log(2) - 1 < score <= 0 if scoring == "neg_log_loss" else 0 <= score <= 1


def test_regressor_takes_r2():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)).astype(np.float32)
    y = X @ np.array([1.0, -1.0])
    reg = MixupNeuralNetRegressor(
        max_epochs=3,
        random_state=0,
        callbacks=[EpochScoring("r2", on_train=True, use_caching=False, name="r2")],
    ).fit(X, y)
    assert reg.history_[-1, "r2"] == pytest.approx(reg.score(X, y), abs=1e-5)


# -- inputs, datasets, devices -------------------------------------------------
def test_integer_images_are_mixed_as_float32():
    rng = np.random.default_rng(0)
    X = torch.from_numpy(rng.integers(0, 256, size=(24, 1, 4, 4)).astype(np.uint8))
    y = np.repeat([0, 1], 12)
    clf = MixupNeuralNetClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert clf.net_.batch_mixer_.last_plan_ is not None
    mixed, _ = BatchMixer(n_classes=2, random_state=0)(X, torch.as_tensor(y))
    assert mixed.dtype == torch.float32 and float(mixed.max()) <= 255.0


def test_list_inputs_are_mixed_entry_by_entry_with_one_plan():
    a, b = torch.randn(6, 3), torch.randn(6, 2)
    mixer = BatchMixer(random_state=0)
    (ma, mb), _ = mixer([a, b], torch.randn(6))
    plan = mixer.last_plan_
    w = plan.weights.to(a.dtype)[:, None]
    torch.testing.assert_close(ma, w * a[plan.anchors] + (1 - w) * a[plan.partners])
    torch.testing.assert_close(mb, w * b[plan.anchors] + (1 - w) * b[plan.partners])
    with pytest.raises(TypeError, match=r"X\['ids'\].*mix_layers"):
        mixer({"x": a, "ids": torch.arange(6)}, torch.randn(6))


def test_probability_targets_are_mixed_as_probabilities():
    y = torch.softmax(torch.randn(6, 3), dim=1)
    mixer = BatchMixer(n_classes=3, random_state=0)
    _, y_mixed = mixer(torch.randn(6, 2), y)
    plan = mixer.last_plan_
    w = plan.weights.to(y.dtype)[:, None]
    assert y_mixed.shape == (6, 3)
    torch.testing.assert_close(y_mixed, w * y[plan.anchors] + (1 - w) * y[plan.partners])


class _PairDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


def test_regression_dataset_with_scalar_targets_matches_arrays():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 2)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0])).astype(np.float32)
    params = dict(max_epochs=30, lr=0.01, random_state=0, mixer=None, batch_size=32)
    arrays = MixupNeuralNetRegressor(**params).fit(X, y)
    dataset = MixupNeuralNetRegressor(**params).fit(_PairDataset(X, y))
    assert arrays.score(X, y) > 0.95
    assert dataset.score(X, y) == pytest.approx(arrays.score(X, y), abs=1e-3)


def test_classes_order_is_honoured_and_labels_range_checked():
    X, y = _blobs(16)
    labels = np.array(["c", "a"])[y]
    clf = MixupNeuralNetClassifier(
        classes=["c", "a"], mixer=None, max_epochs=20, lr=0.05, random_state=0
    ).fit(X, labels)
    assert clf.classes_.tolist() == ["c", "a"]
    assert clf.score(X, labels) > 0.9
    ds = MixupNeuralNetClassifier(
        classes=["c", "a"], mixer=None, max_epochs=20, lr=0.05, random_state=0
    ).fit(_PairDataset(X, torch.as_tensor(y)))
    assert ds.score(X, labels) > 0.9  # indices into the list as given, not sorted
    with pytest.raises(ValueError, match="label 2"):
        MixupNeuralNetClassifier(classes=["c", "a"], max_epochs=1).fit(
            _PairDataset(X, torch.as_tensor(y + 1))
        )
    with pytest.raises(ValueError, match="each label once"):
        MixupNeuralNetClassifier(classes=["a", "a"], max_epochs=1).fit(X, labels)


@pytest.mark.parametrize("device, match", [("cuda:7", "CUDA"), ("mps", "MPS"), ("tpu", "tpu")])
def test_device_strings_are_validated(device, match):
    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.skip("this machine has 8 CUDA devices")
    X, y = _blobs(8)
    if device == "mps" and torch.backends.mps.is_available():
        pytest.skip("MPS present")
    with pytest.raises(ValueError, match=match):
        MixupNeuralNetClassifier(device=device, max_epochs=1).fit(X, y)


def test_pickle_keeps_plans_and_module_instances_out():
    X, y = _blobs(8)
    clf = MixupNeuralNetClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert isinstance(clf.net_.module, type)  # class + module__ args: skorch remaps devices
    restored = pickle.loads(pickle.dumps(clf))
    assert not hasattr(restored.net_.batch_mixer_, "last_plan_")
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


# -- scikit-learn checks that failed on MixupMixin nets (issue 17, item 3) -----
class _LazyModule(torch.nn.Module):
    def __init__(self, n_outputs=3):
        super().__init__()
        self.linear = torch.nn.LazyLinear(n_outputs)

    def forward(self, X):
        return self.linear(X.float().reshape(X.shape[0], -1))


@pytest.mark.parametrize(
    "check_name",
    [
        "check_parameters_default_constructible",
        "check_estimators_overwrite_params",
        "check_estimators_dtypes",
        "check_fit1d",
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
    ],
)
def test_sklearn_checks_pass_as_on_the_plain_skorch_net(check_name):
    from sklearn.utils import estimator_checks

    check = getattr(estimator_checks, check_name)
    params = dict(
        module=_LazyModule,
        criterion=torch.nn.CrossEntropyLoss,
        train_split=None,
        max_epochs=2,
        verbose=0,
    )

    def outcome(estimator):
        try:
            torch.manual_seed(0)
            check(type(estimator).__name__, estimator)
        except Exception as error:  # noqa: BLE001 - the check's outcome is compared
            return type(error).__name__
        return "passed"

    plain = outcome(NeuralNetClassifier(**params))
    assert outcome(Net(**params, batch_mixer=BatchMixer(n_classes=3, random_state=0))) == plain
    assert outcome(Net(**params)) == plain


class _SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.head = torch.nn.Linear(4 * 6 * 6, 10)
        self.dtypes = set()

    def forward(self, X):
        self.dtypes.add(X.dtype)
        return self.head(torch.relu(self.conv(X / 16.0)).flatten(1))


def test_uint8_digits_train_a_cnn():
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = torch.from_numpy(digits.images[:300].astype(np.uint8)[:, None])  # 0 .. 16
    y = digits.target[:300]
    clf = MixupNeuralNetClassifier(
        _SmallCNN(), lr=0.02, max_epochs=8, batch_size=64, random_state=0
    ).fit(X, y)
    assert clf.net_.module_.dtypes == {torch.float32}  # cast, not refused
    assert clf.score(X, y) > 0.8  # chance is 0.1


def test_dataset_of_three_values_gets_a_clear_error():
    class Triples(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return torch.zeros(2), 0, 1.0

    with pytest.raises(ValueError, match=r"\(x, y\) pairs.*tuple of 3 values"):
        MixupNeuralNetClassifier(classes=[0, 1], max_epochs=1).fit(Triples())


# -- Dataset labels checked once per fit when the Dataset holds them ------------
class _CallCounter(torch.nn.Module):
    def __init__(self, n_features=2, n_outputs=3):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_outputs)
        self.calls = 0

    def forward(self, X):
        self.calls += 1
        return self.linear(X)


class _Targets(_PairDataset):
    """torchvision-style: labels in ``targets``; ``shift`` makes items disagree."""

    def __init__(self, X, y, shift=0):
        super().__init__(X, y)
        self.targets, self.shift = list(y.tolist()), shift

    def __getitem__(self, i):
        return self.X[i], self.y[i] + self.shift


def _label_datasets(X, y, reverse=True):
    tensors = torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    order = list(range(len(y)))
    return {
        "tensor": tensors,
        "subset": torch.utils.data.Subset(tensors, order[::-1] if reverse else order),
        "skorch": skorch.dataset.Dataset(X, y),
        "targets": _Targets(X, torch.as_tensor(y)),
    }


@pytest.mark.parametrize("kind", ["tensor", "subset", "skorch", "targets"])
def test_dataset_labels_in_memory_are_checked_once_before_training(kind):
    X, y = _blobs(16)
    y = y.copy()
    bad_row = len(y) - 3  # in the last batch: a per-batch check would train first
    y[bad_row] = 3
    module = _CallCounter()
    clf = MixupNeuralNetClassifier(
        module=module, classes=[0, 1, 2], max_epochs=1, batch_size=8, random_state=0
    )
    dataset = _label_datasets(X, y)[kind]
    item = bad_row if kind != "subset" else len(y) - 1 - bad_row
    with pytest.raises(ValueError, match=rf"label 3 \(item {item}\)"):
        clf.fit(dataset)
    assert module.calls == 0  # the estimator's copy was never built either


@pytest.mark.parametrize("kind", ["tensor", "subset", "skorch", "targets"])
def test_checked_dataset_labels_skip_the_per_batch_check(kind):
    X, y = _blobs(16)
    params = dict(classes=[0, 1], max_epochs=2, batch_size=8, random_state=0)
    clf = MixupNeuralNetClassifier(**params).fit(_label_datasets(X, y, reverse=False)[kind])
    assert clf.net_.batch_labels_checked_
    # the same data through a Dataset that holds no labels: checked per batch,
    # and trained identically
    plain = MixupNeuralNetClassifier(**params).fit(_PairDataset(X, torch.as_tensor(y)))
    assert not plain.net_.batch_labels_checked_
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X), atol=1e-6)


def test_labels_attribute_that_disagrees_with_items_falls_back_to_batches():
    X, y = _blobs(16)
    dataset = _Targets(X, torch.as_tensor(y), shift=1)  # items return label + 1
    with pytest.raises(ValueError, match="the Dataset returned the label 2"):
        MixupNeuralNetClassifier(classes=[0, 1], max_epochs=1, random_state=0).fit(dataset)


def test_subclass_of_a_net_with_its_own_init_keeps_that_init():
    # skorch's test_set_params_on_custom_module_triggers_reinit_...: a net
    # class with custom parameters, subclassed without an __init__.
    class WithCustom(MixupMixin, NeuralNetClassifier):
        def __init__(self, *args, custom=torch.nn.Linear, **kwargs):
            self.custom = custom
            super().__init__(*args, **kwargs)

    class Sub(WithCustom):
        pass

    class Plain(MixupMixin, NeuralNetClassifier):
        pass

    class PlainSub(Plain):
        pass

    net = Sub(torch.nn.Linear(2, 2), custom=torch.nn.ReLU)
    assert net.custom is torch.nn.ReLU
    assert Sub.__init__ is WithCustom.__init__
    # without a custom __init__ the composed signature is still given
    assert "batch_mixer" in inspect.signature(PlainSub).parameters
    assert "module" in inspect.signature(PlainSub).parameters
