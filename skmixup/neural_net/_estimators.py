"""scikit-learn estimators that train a torch network on mixed batches (skorch)."""

from __future__ import annotations

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from skmixup._random import as_generator
from skmixup.neural_net._modules import MLP, SoftTargetCrossEntropy
from skmixup.neural_net._training import BatchMixer, MixupNet
from skmixup.resampling import BaseMixupResampler

# skorch's prefixed parameters, forwarded to the inner net as they are.
SKORCH_PREFIXES = (
    "module__",
    "optimizer__",
    "criterion__",
    "iterator_train__",
    "iterator_valid__",
    "dataset__",
    "callbacks__",
)

_PARAMETERS_DOC = """module : torch.nn.Module class or instance, default=None
        The network. ``None`` builds an MLP (ReLU) sized from the data with
        ``hidden_layer_sizes``. A class is instantiated with the
        ``module__*`` parameters; an instance is deep-copied at every
        ``fit`` (the instance you pass is never trained). The module must
        return raw outputs (logits for classification).

    mixer : EpBetaMixupResampler, KMixupResampler, MultiMixResampler or None
        Where the mixing recipe comes from: its weight law, its pairing
        (random, or k-mixup's optimal-transport matching within the batch,
        computed on the batch's device) and its ``n_interpolations``. Its
        counting parameters (``sampling_strategy``, ``factor``, ...) do not
        apply to training. ``None`` trains without mixing.

    hidden_layer_sizes : tuple of int, default=(100,)
        Hidden widths of the default MLP (ignored when ``module`` is given).

    optimizer : torch optimizer class, default=torch.optim.Adam

    lr : float, default=0.001

    max_epochs : int, default=50

    batch_size : int, default=128
        Rows per training batch before mixing (``-1``: the whole data).

    train_split : callable or None, default=None
        skorch's internal validation split (e.g.
        ``skorch.dataset.ValidSplit(5)``); ``None`` trains on every row.
        Validation always sees un-mixed rows.

    callbacks : list of skorch callbacks or None, default=None

    device : str or torch.device, default="auto"
        ``"auto"`` is CUDA when available, else the CPU; the resolved device
        is ``device_``. Batches are mixed there.

    warm_start : bool, default=False
        When True, a new ``fit`` continues training the fitted network for
        ``max_epochs`` more epochs (same classes and features required)
        instead of starting from a fresh one.

    verbose : int, default=0
        skorch's per-epoch table when ``>= 1``.

    random_state : int, RandomState instance, Generator or None, default=None
        Seeds torch (weights, batch order) inside a forked RNG state, and the
        mixing draws: a fixed value gives identical models.

    **kwargs
        skorch prefixed parameters (``module__*``, ``optimizer__*``,
        ``iterator_train__*``, ...), passed to the inner net."""


def _softmax(logits):
    return torch.softmax(logits, dim=1)


def _resolve_device(device):
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class _BaseMixupNeuralNet(BaseEstimator):
    """Shared fitting logic; subclasses encode targets and decode outputs."""

    _parameter_constraints: dict = {
        "module": [None, type, torch.nn.Module],
        "mixer": [None, BaseMixupResampler],
        "hidden_layer_sizes": [tuple, list],
        "optimizer": [type],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Options(numbers.Integral, {-1}),
        ],
        "train_split": [None, callable],
        "callbacks": [None, list],
        "device": [StrOptions({"auto", "cpu", "cuda"}), str, torch.device],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        module=None,
        *,
        mixer=None,
        hidden_layer_sizes=(100,),
        optimizer=torch.optim.Adam,
        lr=0.001,
        max_epochs=50,
        batch_size=128,
        train_split=None,
        callbacks=None,
        device="auto",
        warm_start=False,
        verbose=0,
        random_state=None,
        **kwargs,
    ):
        self.module = module
        self.mixer = mixer
        self.hidden_layer_sizes = hidden_layer_sizes
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.train_split = train_split
        self.callbacks = callbacks
        self.device = device
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state
        for key, value in kwargs.items():
            setattr(self, key, value)

    # -- skorch prefixed parameters ---------------------------------------
    def _extra_params(self) -> dict:
        """Parameters given through ``**kwargs`` (validated in ``fit``)."""
        declared = set(self._get_param_names())
        return {
            key: value
            for key, value in vars(self).items()
            if key not in declared and not key.startswith("_") and not key.endswith("_")
        }

    def _prefixed_params(self) -> dict:
        return {k: v for k, v in self._extra_params().items() if k.startswith(SKORCH_PREFIXES)}

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params):
        extra = set(self._extra_params())
        for key in list(params):
            if key.startswith(SKORCH_PREFIXES) or key in extra:
                setattr(self, key, params.pop(key))
        return super().set_params(**params) if params else self

    def _check_prefixed(self) -> None:
        bad = sorted(set(self._extra_params()) - set(self._prefixed_params()))
        if bad:
            raise ValueError(
                f"unknown parameter(s) {bad} for {type(self).__name__}; extra parameters "
                f"must be skorch prefixed ones, starting with one of {', '.join(SKORCH_PREFIXES)}"
            )

    # -- override points ------------------------------------------------
    def _encode_targets(self, y):
        """Validated targets for torch, and the network's output width."""
        raise NotImplementedError

    def _criterion(self):
        raise NotImplementedError

    def _mixer_targets(self):
        """``n_classes`` for BatchMixer (one-hot mixing) or None."""
        raise NotImplementedError

    def _check_mixing_law(self, law) -> None:
        """Refuse laws that are invalid for this estimator's targets."""

    # -- fitting ----------------------------------------------------------
    def fit(self, X, y):
        """Train the network, mixing every training batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Converted to float32 for torch.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
        """
        self._validate_params()
        self._check_prefixed()
        reset = not (self.warm_start and hasattr(self, "net_"))
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=[np.float32, np.float64],
            multi_output=self._multi_output(),
            y_numeric=not isinstance(self, ClassifierMixin),
        )
        X = X.astype(np.float32, copy=False)
        y_encoded, n_outputs = self._encode_targets(y)
        recipe = self._mixing_recipe(X, y_encoded)
        self.device_ = _resolve_device(self.device)
        seed = int(as_generator(self.random_state).integers(np.iinfo(np.int32).max))
        cuda_devices = [torch.device(self.device_)] if str(self.device_).startswith("cuda") else []
        # Weights, batch order and mixing draws all come from this seed; the
        # caller's global torch RNG state is left as it was.
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(seed)
            if reset:
                self.net_ = self._build_net(X.shape[1], n_outputs)
            self.net_.batch_mixer = (
                None
                if recipe is None
                else BatchMixer(
                    *recipe, n_classes=self._mixer_targets(), rng=np.random.default_rng(seed)
                )
            )
            if reset:
                self.net_.fit(X, y_encoded)
            else:
                self.net_.partial_fit(X, y_encoded)
        return self

    def _multi_output(self) -> bool:
        return False

    def _mixing_recipe(self, X, y):
        if self.mixer is None:
            self.mixer_ = None
            return None
        if getattr(self.mixer, "categorical_features", None) not in (None, "auto"):
            raise ValueError(
                "the mixer's categorical_features do not apply to network training: "
                "encode categorical columns before the network and leave it 'auto'."
            )
        self.mixer_ = clone(self.mixer)
        law, pairing, n_interpolations = self.mixer_._batch_recipe(X, y, self._target_kind())
        self._check_mixing_law(law)
        return law, pairing, n_interpolations, self._within_class()

    def _within_class(self) -> bool:
        return False

    def _target_kind(self) -> str:
        raise NotImplementedError

    def _build_net(self, n_features: int, n_outputs: int) -> MixupNet:
        if self.module is None:
            module = MLP(n_features, n_outputs, tuple(self.hidden_layer_sizes))
        elif isinstance(self.module, torch.nn.Module):
            module = copy.deepcopy(self.module)
        else:
            module = self.module
        return MixupNet(
            module=module,
            criterion=self._criterion(),
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=self.train_split,
            callbacks=self.callbacks,
            device=self.device_,
            verbose=self.verbose,
            iterator_train__shuffle=True,
            **self._prefixed_params(),
        )

    # -- inference --------------------------------------------------------
    def _forward(self, X) -> np.ndarray:
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        return self.net_.predict_proba(X.astype(np.float32, copy=False)).astype(np.float64)

    @property
    def history_(self):
        """skorch's training history of the fitted net."""
        check_is_fitted(self, "net_")
        return self.net_.history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags


class MixupNeuralNetClassifier(ClassifierMixin, _BaseMixupNeuralNet):
    """Torch network classifier trained on mixup batches (built on skorch).

    Every training batch is moved to the training device and mixed there with
    the mixer's weight law, pairing and multiplicity; labels become soft
    (``w y_i + (1 - w) y_j`` of one-hot rows) and the loss is cross-entropy
    against them, averaged per pair. Validation, scoring, ``predict`` and
    ``predict_proba`` see the original rows.

    Parameters
    ----------
    {parameters}

    within_class : bool, default=False
        Draw pairs within the classes of each batch (labels stay hard).
        By default pairs cross classes with soft labels (classic mixup
        training); a weight law with weights outside ``[0, 1]`` (EpBeta)
        would put negative mass on a class there, so it needs
        ``within_class=True``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of ``predict_proba``'s columns.
    net_ : skorch.NeuralNet
        The trained skorch net (``net_.module_`` is the torch module).
    history_ : skorch.History
        Its training history.
    mixer_ : resampler or None
        Validated copy of ``mixer`` (with ``weight_law_``).
    device_ : str or torch.device
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    This is a scikit-learn estimator that *holds* a skorch net rather than a
    subclass of one: ``__init__`` stores parameters only, ``fit`` validates
    and builds the net, so the estimator passes scikit-learn's checks.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from skmixup import KMixupResampler
    >>> from skmixup.neural_net import MixupNeuralNetClassifier
    >>> X, y = make_moons(200, noise=0.1, random_state=0)
    >>> clf = MixupNeuralNetClassifier(mixer=KMixupResampler(k=8, alpha=0.4), lr=0.01,
    ...                                max_epochs=30, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        **_BaseMixupNeuralNet._parameter_constraints,
        "within_class": ["boolean"],
    }

    def __init__(
        self,
        module=None,
        *,
        mixer=None,
        within_class=False,
        hidden_layer_sizes=(100,),
        optimizer=torch.optim.Adam,
        lr=0.001,
        max_epochs=50,
        batch_size=128,
        train_split=None,
        callbacks=None,
        device="auto",
        warm_start=False,
        verbose=0,
        random_state=None,
        **kwargs,
    ):
        super().__init__(
            module,
            mixer=mixer,
            hidden_layer_sizes=hidden_layer_sizes,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            device=device,
            warm_start=warm_start,
            verbose=verbose,
            random_state=random_state,
            **kwargs,
        )
        self.within_class = within_class

    def _target_kind(self) -> str:
        return "classification"

    def _within_class(self) -> bool:
        return self.within_class

    def _encode_targets(self, y):
        check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                f"but the data contain only one class: {classes[0]!r}."
            )
        if self.warm_start and hasattr(self, "classes_") and hasattr(self, "net_"):
            if not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start=True needs the classes of the first fit; got "
                    f"{classes.tolist()} instead of {self.classes_.tolist()}."
                )
        self.classes_ = classes
        return encoded.astype(np.int64), classes.shape[0]

    def _criterion(self):
        return SoftTargetCrossEntropy

    def _mixer_targets(self):
        return self.classes_.shape[0]

    def _check_mixing_law(self, law) -> None:
        if not self.within_class and not law.within_unit_interval:
            low, high = law.support
            raise ValueError(
                f"the mixer's weights {law!r} reach [{low:g}, {high:g}], outside [0, 1]: "
                "mixing one-hot labels across classes would put negative mass on a class "
                "(cross-entropy unbounded below). Use within_class=True, or a Beta law."
            )

    def _build_net(self, n_features, n_outputs):
        net = super()._build_net(n_features, n_outputs)
        net.set_params(predict_nonlinearity=_softmax)
        return net

    def predict_proba(self, X):
        """Class probabilities of the original (un-mixed) rows.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
        """
        check_is_fitted(self, "net_")
        proba = self._forward(X)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Most probable class of each row, as the original labels."""
        check_is_fitted(self, "net_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class MixupNeuralNetRegressor(RegressorMixin, _BaseMixupNeuralNet):
    """Torch network regressor trained on mixup batches (built on skorch).

    Rows and targets of each training batch are mixed with the same weight
    on the training device; the loss is the mean squared error. Targets are
    numbers, so any weight law works across all pairs (EpBeta included).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    history_ : skorch.History
    mixer_ : resampler or None
    device_ : str or torch.device
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup import EpBetaMixupResampler
    >>> from skmixup.neural_net import MixupNeuralNetRegressor
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5])
    >>> reg = MixupNeuralNetRegressor(mixer=EpBetaMixupResampler(), lr=0.01, max_epochs=20,
    ...                               random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def _target_kind(self) -> str:
        return "regression"

    def _multi_output(self) -> bool:
        return True

    def _encode_targets(self, y):
        if type_of_target(y) not in (
            "continuous",
            "continuous-multioutput",
            "binary",
            "multiclass",
            "multiclass-multioutput",
            "multilabel-indicator",
        ):
            raise ValueError(f"y must hold numbers, got type {type_of_target(y)!r}.")
        y = np.asarray(y, dtype=np.float32)
        self._y_ndim = y.ndim
        y = y.reshape(y.shape[0], -1)
        return y, y.shape[1]

    def _criterion(self):
        return torch.nn.MSELoss

    def _mixer_targets(self):
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X):
        """Predicted targets of the original rows (1-D when ``y`` was 1-D)."""
        check_is_fitted(self, "net_")
        output = self._forward(X)
        return output[:, 0] if self._y_ndim == 1 else output


MixupNeuralNetClassifier.__doc__ = MixupNeuralNetClassifier.__doc__.format(
    parameters=_PARAMETERS_DOC
)
MixupNeuralNetRegressor.__doc__ = MixupNeuralNetRegressor.__doc__.format(parameters=_PARAMETERS_DOC)
