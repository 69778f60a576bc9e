"""scikit-learn estimators that train a torch network on mixed batches (skorch)."""

from __future__ import annotations

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from skmixup._random import as_generator
from skmixup.neural_net._inputs import (
    dataset_labels,
    validate_fit_inputs,
    validate_predict_inputs,
)
from skmixup.neural_net._inputs import (
    first_item as _first_target,
)
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
        return raw outputs (logits for classification). A net fitted on
        CUDA unpickles on a CPU-only machine either way (the trained copy is
        remapped with skorch's ``cuda_dependent_attributes_``), provided the
        instance you pass is itself on the CPU: it is pickled as given.

    mixer : "mixup", EpBetaMixupResampler, KMixupResampler, MultiMixResampler or None, \
default="mixup"
        Where the mixing recipe comes from: its weight law, its pairing
        (random, or k-mixup's optimal-transport matching within the batch,
        computed on the batch's device) and its ``n_interpolations``. Its
        counting parameters (``sampling_strategy``, ``factor``, ...) do not
        apply to training. The default ``"mixup"`` is classic mixup (Zhang et
        al., 2018): random partners, one row per pair, weights
        ``Beta(0.2, 0.2)``, i.e. ``KMixupResampler(k=1, alpha=0.2)``;
        ``alpha=0.2`` (the paper's ImageNet value) keeps most weights near 0
        or 1, which regularises without making small networks or short
        trainings underfit, as ``alpha=1`` (uniform weights) can. Setting a
        nested parameter (``mixer__alpha``) turns ``"mixup"`` into that
        resampler first, so searches work on the default. ``None`` trains
        without mixing (plain empirical risk minimisation).

    mix_layers : list of str or None, default=None
        Manifold mixup: where each training batch is mixed. ``None`` mixes
        the input rows; a list of names of ``module``'s submodules (as in
        ``module.named_modules()``) and ``"input"`` draws one site per
        batch, uniformly (reproducibly with ``random_state``). At a
        submodule, the batch reaches it unmixed and its output is mixed
        with the mixer's pairing (k-mixup matches the hidden rows), weights
        and multiplicity; the targets are mixed with the same plan. A site
        must output one floating-point tensor that alone feeds the rest of
        the network. Unknown names raise a ValueError listing the valid ones
        when ``fit`` starts training. Prediction is never mixed.

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
        mixing draws: a fixed value gives identical models."""

_KWARGS_DOC = """**kwargs
        skorch prefixed parameters (``module__*``, ``optimizer__*``,
        ``iterator_train__*``, ...), passed to the inner net. ``module__*``
        apply to a ``module`` you pass (the default MLP takes only
        ``hidden_layer_sizes``)."""

_INPUTS_DOC = """Inputs: a table ``(n_samples, n_features)`` (numpy, pandas), rows of any
    trailing shape as a numpy array or torch tensor (images ``(n, C, H, W)``,
    sequences ``(n, T, F)``; the default MLP flattens them, a module you pass
    sees them as they are), or a torch ``Dataset`` of ``(x, y)`` pairs with
    ``y=None``. Integer and ``uint8`` rows are cast to float32 (not
    rescaled), float16/bfloat16 tensors to float32, the default network's
    dtype. Rows are mixed as flat vectors on the training device, and
    k-mixup matches them by the Euclidean distance of the flat rows."""


DEFAULT_ALPHA = 0.2


def default_mixer():
    """The resampler that ``mixer="mixup"`` stands for: classic mixup."""
    from skmixup.resampling import KMixupResampler

    return KMixupResampler(k=1, alpha=DEFAULT_ALPHA)


class _ClassifierNet(MixupNet, NeuralNetClassifier):
    """The classifier's inner net: skorch's classifier, so its scorers
    ("accuracy", "f1_macro", "neg_log_loss") read class indices from
    ``predict``; labels of a Dataset are checked on the host before they
    reach the device (an out-of-range index asserts on CUDA)."""

    #: Set by the estimator when it checked every label of the Dataset at fit.
    batch_labels_checked_ = False

    def _check_labels(self, yi) -> None:
        if self.batch_labels_checked_:
            return
        if self.classes is None or not torch.is_tensor(yi) or yi.device.type != "cpu":
            return
        if yi.dtype.is_floating_point or yi.numel() == 0:
            return
        n_classes = len(self.classes)
        low, high = int(yi.min()), int(yi.max())
        if low < 0 or high >= n_classes:
            bad = low if low < 0 else high
            raise ValueError(
                f"the Dataset returned the label {bad}, outside the class indices "
                f"0 .. {n_classes - 1} of classes: return each row's index into classes."
            )

    def train_step(self, batch, **fit_params):
        self._check_labels(unpack_data(batch)[1])
        return super().train_step(batch, **fit_params)

    def validation_step(self, batch, **fit_params):
        self._check_labels(unpack_data(batch)[1])
        return super().validation_step(batch, **fit_params)


class _RegressorNet(MixupNet, NeuralNetRegressor):
    """The regressor's inner net: targets shaped like the module's output."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=y_pred.device)
        if not y_true.dtype.is_floating_point:
            y_true = y_true.to(y_pred.dtype)
        if y_true.ndim == 1 and y_pred.ndim == 2 and y_pred.shape[1] == 1:
            y_true = y_true[:, None]  # scalar targets of a Dataset
        if tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError(
                f"the targets have shape {tuple(y_true.shape)} but the module's output has "
                f"shape {tuple(y_pred.shape)}: return targets of shape (n_outputs,) (or "
                "scalars for one output) from the Dataset, matching the module."
            )
        return super().get_loss(y_pred, y_true, X=X, training=training)


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
        "mixer": [None, BaseMixupResampler, StrOptions({"mixup"})],
        "mix_layers": [None, list, tuple],
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
        "device": [str, torch.device],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        module=None,
        *,
        mixer="mixup",
        mix_layers=None,
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
        self.mix_layers = mix_layers
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
        if isinstance(self.mixer, str) and "mixer" not in params:
            if any(key.startswith("mixer__") for key in params):
                self.mixer = default_mixer()
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
    def fit(self, X, y=None, sample_weight=None):
        """Train the network, mixing every training batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), torch.Tensor or torch Dataset
            A table (n_samples, n_features), or rows of any trailing shape
            (images ``(n, C, H, W)``, sequences ``(n, T, F)``) as a numpy
            array or a torch tensor (float32 for torch), or a torch
            ``Dataset`` returning ``(x, y)`` pairs (then ``y=None``; see the
            class documentation for what must be given with it). Rows are
            mixed as flat vectors on the training device.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; ``None`` only when ``X`` is a Dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row in the loss (a weighted mean per
            batch). A mixed row's weight is its pair's weights mixed with
            the same ``w`` (clipped at 0 for weights outside [0, 1]); all-ones
            weights give exactly the unweighted model.

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight, partial=False)

    def partial_fit(self, X, y=None, sample_weight=None, **kwargs):
        """Train for ``max_epochs`` more epochs, starting from the fitted network.

        The first call builds the network (and, for a classifier, needs
        every class: pass ``classes`` there or set the ``classes``
        parameter). Same arguments as :meth:`fit`.

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight, partial=True, **kwargs)

    def _fit(self, X, y, sample_weight, *, partial: bool, classes=None):
        self._validate_params()
        self._check_prefixed()
        self._check_module_params()
        device = self._checked_device()
        reset = not ((self.warm_start or partial) and hasattr(self, "net_"))
        inputs = validate_fit_inputs(
            self,
            X,
            y,
            reset=reset,
            y_numeric=not isinstance(self, ClassifierMixin),
            multi_output=self._multi_output(),
        )
        if not reset and tuple(inputs.row_shape) != tuple(self.input_shape_):
            raise ValueError(
                f"X has rows of shape {tuple(inputs.row_shape)}, but the fitted network "
                f"takes rows of shape {tuple(self.input_shape_)}."
            )
        y_encoded, n_outputs = self._encode_targets(inputs, reset=reset, classes=classes)
        labels_checked = self._check_dataset_labels(inputs, n_outputs)
        weights = self._check_sample_weight(sample_weight, inputs)
        self.input_shape_ = tuple(inputs.row_shape)
        self.device_ = device
        seed = int(as_generator(self.random_state).integers(np.iinfo(np.int32).max))
        recipe = self._mixing_recipe(inputs, y_encoded, seed)
        X_train = inputs.X if weights is None else {"data": inputs.X, "sample_weight": weights}
        cuda_devices = [torch.device(device)] if str(device).startswith("cuda") else []
        # Weights, batch order and mixing draws all come from this seed; the
        # caller's global torch RNG state is left as it was.
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(seed)
            if reset:
                self.net_ = self._build_net(self.input_shape_, n_outputs)
            self.net_.batch_mixer = (
                None
                if recipe is None
                else BatchMixer(*recipe, n_classes=self._mixer_targets(), random_state=seed)
            )
            self.net_.mix_layers = self.mix_layers
            self.net_.batch_labels_checked_ = labels_checked
            if reset:
                self.net_.fit(X_train, y_encoded)
            else:
                self.net_.partial_fit(X_train, y_encoded)
        return self

    def _check_dataset_labels(self, inputs, n_outputs: int) -> bool:
        """Whether every label of a Dataset ``X`` was checked here, once."""
        return False

    def _check_sample_weight(self, sample_weight, inputs):
        if sample_weight is None:
            return None
        if inputs.kind == "dataset":
            raise ValueError(
                "sample_weight cannot be combined with a Dataset X: return the weights "
                "from the Dataset and weigh the loss in your own criterion."
            )
        n_rows = inputs.X.shape[0]
        weights = _check_sample_weight(sample_weight, np.empty((n_rows, 1)), dtype=np.float32)
        if (weights < 0).any():
            raise ValueError("sample_weight must be non-negative.")
        if not weights.sum() > 0:
            raise ValueError("sample_weight sums to 0: no row would count in the loss.")
        return np.array(weights, dtype=np.float32)

    def _checked_device(self):
        device = _resolve_device(self.device)
        try:
            resolved = torch.device(device)
        except (RuntimeError, TypeError) as error:
            raise ValueError(
                f"device={self.device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
            ) from error
        if resolved.type == "cuda":
            count = torch.cuda.device_count() if torch.cuda.is_available() else 0
            if count == 0:
                raise ValueError(
                    f"device={self.device!r} but torch sees no CUDA device here; use "
                    "device='auto' (CUDA when present, else the CPU) or 'cpu'."
                )
            if resolved.index is not None and resolved.index >= count:
                raise ValueError(
                    f"device={self.device!r} but torch sees {count} CUDA device(s) here "
                    f"(cuda:0 .. cuda:{count - 1})."
                )
        elif resolved.type == "mps":
            mps = getattr(torch.backends, "mps", None)
            if mps is None or not mps.is_available():
                raise ValueError(
                    f"device={self.device!r} but MPS is not available in this torch build or "
                    "on this machine; use device='auto' or 'cpu'."
                )
        elif resolved.type != "cpu":
            raise ValueError(
                f"device={self.device!r}: only 'auto', 'cpu', 'cuda[:index]' and 'mps' "
                "are supported."
            )
        return device

    def _check_module_params(self) -> None:
        sizes = self.hidden_layer_sizes
        if not all(
            isinstance(size, numbers.Integral) and not isinstance(size, bool) and size >= 1
            for size in sizes
        ):
            raise ValueError(f"hidden_layer_sizes must hold integers >= 1, got {tuple(sizes)!r}.")
        if self.module is None:
            given = sorted(k for k in self._prefixed_params() if k.startswith("module__"))
            if given:
                raise ValueError(
                    f"{', '.join(given)} configure a module you pass as `module`; the "
                    "default MLP is sized from the data and takes only "
                    "hidden_layer_sizes (e.g. hidden_layer_sizes=(16,))."
                )

    def _multi_output(self) -> bool:
        return False

    def _mixing_recipe(self, inputs, y, seed: int):
        if self.mixer is None:
            self.mixer_ = None
            return None
        mixer = default_mixer() if isinstance(self.mixer, str) else self.mixer
        if getattr(mixer, "categorical_features", None) not in (None, "auto"):
            raise ValueError(
                "the mixer's categorical_features do not apply to network training: "
                "encode categorical columns before the network and leave it 'auto'."
            )
        self.mixer_ = clone(mixer)
        if self.mixer_.random_state is None:
            # The mixer's own draws (k-mixup's fixed_perturbation search) follow
            # the network's random_state, so a fixed value fixes the whole fit.
            self.mixer_.set_params(random_state=seed)
        X_recipe = inputs.X if inputs.kind == "table" else None
        if X_recipe is None and getattr(self.mixer_, "fixed_perturbation", False):
            raise ValueError(
                "fixed_perturbation tunes alpha on a table of features; with image, "
                "sequence, tensor or Dataset input, set alpha yourself."
            )
        law, pairing, n_interpolations = self.mixer_._batch_recipe(X_recipe, y, self._target_kind())
        self._check_mixing_law(law)
        return law, pairing, n_interpolations, self._within_class()

    def _within_class(self) -> bool:
        return False

    def _target_kind(self) -> str:
        raise NotImplementedError

    _net_class = MixupNet

    def _build_net(self, row_shape: tuple, n_outputs: int) -> MixupNet:
        module_args = {}
        if self.module is None:
            # The class and its arguments, not an instance: skorch then pickles
            # the trained weights with its device remapping, so a net fitted on
            # CUDA loads on a machine without one.
            module = MLP
            module_args = {
                "module__n_features": int(np.prod(row_shape)),
                "module__n_outputs": n_outputs,
                "module__hidden_layer_sizes": tuple(self.hidden_layer_sizes),
            }
        elif isinstance(self.module, torch.nn.Module):
            module = copy.deepcopy(self.module)
        else:
            module = self.module
        return self._net_class(
            module=module,
            **module_args,
            criterion=self._criterion(),
            criterion__reduction="none",
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=self.train_split,
            callbacks=self.callbacks,
            device=self.device_,
            verbose=self.verbose,
            **{"iterator_train__shuffle": True, **self._prefixed_params()},
        )

    # -- inference --------------------------------------------------------
    def _forward(self, X) -> np.ndarray:
        X = validate_predict_inputs(self, X)
        return self.net_.predict_proba(X).astype(np.float64)

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

    {inputs} A Dataset's labels cannot be read up front: give
    ``classes`` (the labels, in the order you index them), and have the
    Dataset return each row's class *index* into them
    (``0 .. n_classes - 1``); an index outside that range is refused with a
    ``ValueError`` on the host, before it reaches the device. When the
    Dataset already holds its labels in memory (``TensorDataset(X, y)``,
    skorch's ``Dataset``, a ``targets`` attribute as in torchvision without
    a ``target_transform``, or a ``Subset`` of these) and its first and last
    items return those labels, they are checked once per ``fit``, before
    training starts; otherwise each batch is checked on the host (a CPU
    min/max per batch, no device synchronisation) before it is moved to the
    device, since reading every label up front would load every item.

    Parameters
    ----------
    {parameters}

    within_class : bool, default=False
        Draw pairs within the classes of each batch (labels stay hard).
        By default pairs cross classes with soft labels (classic mixup
        training); a weight law with weights outside ``[0, 1]`` (EpBeta)
        would put negative mass on a class there, so it needs
        ``within_class=True``.

    classes : array-like of shape (n_classes,) or None, default=None
        Every class label, in the order of ``predict_proba``'s columns (kept
        as given, not sorted). ``None`` reads them from ``y`` (sorted);
        needed with a Dataset ``X``, whose labels are then indices into
        this list, and to declare classes absent from a first
        ``partial_fit``.

    {kwargs}

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
    input_shape_ : tuple of int
        Trailing shape of one row.
    n_features_in_ : int
        Only for table input.
    feature_names_in_ : ndarray of str
        Only for a DataFrame with string column names.

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
        "classes": ["array-like", None],
    }

    def __init__(
        self,
        module=None,
        *,
        mixer="mixup",
        mix_layers=None,
        within_class=False,
        classes=None,
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
            mix_layers=mix_layers,
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
        self.classes = classes

    def _target_kind(self) -> str:
        return "classification"

    def _within_class(self) -> bool:
        return self.within_class

    def _encode_targets(self, inputs, *, reset, classes=None):
        declared = classes if classes is not None else self.classes
        if declared is not None:
            declared = np.asarray(declared)
            if declared.ndim != 1 or np.unique(declared).shape[0] != declared.shape[0]:
                raise ValueError(f"classes must list each label once, got {declared.tolist()!r}.")
        if not reset:
            if declared is not None and not np.array_equal(declared, self.classes_):
                raise ValueError(
                    f"classes {declared.tolist()} differ from those of the fitted network, "
                    f"{self.classes_.tolist()}."
                )
            known = self.classes_
        else:
            known = declared
        if inputs.kind == "dataset":
            if known is None:
                raise ValueError(
                    "X is a torch Dataset, whose labels cannot be read up front: give "
                    "classes=[...] (every label) and have the Dataset return each row's "
                    "index into classes, 0 .. n_classes - 1."
                )
            encoded = None
        else:
            y = inputs.y
            check_classification_targets(y)
            if known is None:
                known, encoded = np.unique(y, return_inverse=True)
            else:
                unseen = np.setdiff1d(np.unique(y), known)
                if unseen.size:
                    raise ValueError(
                        f"y holds labels {unseen.tolist()} that are not among the classes "
                        f"{known.tolist()}."
                    )
                # The order given is kept: predict_proba's columns follow it.
                order = np.argsort(known, kind="stable")
                encoded = order[np.searchsorted(known[order], np.asarray(y).ravel())]
            encoded = encoded.astype(np.int64).ravel()
        if known.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, "
                f"but the data contain only one class: {known[0]!r}."
            )
        self.classes_ = known
        return encoded, known.shape[0]

    def _check_dataset_labels(self, inputs, n_outputs: int) -> bool:
        # Labels the Dataset holds in memory are range-checked once, here,
        # before any training; otherwise each batch is checked on the host
        # (a CPU min/max) before it is moved to the device.
        if inputs.kind != "dataset":
            return False
        labels = dataset_labels(inputs.X)
        if labels is None or not self._labels_match_items(inputs.X, labels):
            return False
        outside = np.flatnonzero((labels < 0) | (labels >= n_outputs))
        if outside.size:
            row = int(outside[0])
            raise ValueError(
                f"the Dataset holds the label {int(labels[row])} (item {row}), outside the "
                f"class indices 0 .. {n_outputs - 1} of classes: return each row's index "
                "into classes."
            )
        return True

    @staticmethod
    def _labels_match_items(dataset, labels) -> bool:
        # The attribute must be what the items return: spot-check the first
        # and last item (two loads), else fall back to checking batches.
        for row in {0, len(labels) - 1}:
            item = dataset[row]
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                return False
            target = item[1]
            if torch.is_tensor(target):
                target = target.detach().cpu()
            target = np.asarray(target)
            if target.shape != () or target.dtype.kind not in "iu" or target != labels[row]:
                return False
        return True

    def partial_fit(self, X, y=None, classes=None, sample_weight=None):
        """Train for ``max_epochs`` more epochs, starting from the fitted network.

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.
        classes : array-like of shape (n_classes,), default=None
            Every class label, needed on the first call when ``y`` does not
            hold them all (or set the ``classes`` parameter).

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight, partial=True, classes=classes)

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

    _net_class = _ClassifierNet

    def _build_net(self, row_shape, n_outputs):
        net = super()._build_net(row_shape, n_outputs)
        net.set_params(predict_nonlinearity=_softmax, classes=list(range(n_outputs)))
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

    {inputs} With a Dataset, the targets it returns are float tensors; the
    first item's target sets the number of outputs.

    Parameters
    ----------
    {parameters}

    {kwargs}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    history_ : skorch.History
    mixer_ : resampler or None
    device_ : str or torch.device
    input_shape_ : tuple of int
        Trailing shape of one row.
    n_outputs_ : int
    n_features_in_ : int
        Only for table input.
    feature_names_in_ : ndarray of str
        Only for a DataFrame with string column names.

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

    def _encode_targets(self, inputs, *, reset, classes=None):
        if inputs.kind == "dataset":
            _, target = _first_target(inputs.X)
            target = torch.as_tensor(target)
            n_outputs, y_ndim = max(1, target.numel()), 1 if target.ndim == 0 else 2
            encoded = None
        else:
            y = inputs.y
            if np.issubdtype(np.asarray(y).dtype, np.number) and (
                np.abs(np.asarray(y, dtype=np.float64)).max() > np.finfo(np.float32).max
            ):
                raise ValueError(
                    "y holds values beyond float32's range (about 3.4e38), in which the "
                    "network trains: rescale the target (e.g. with "
                    "sklearn.compose.TransformedTargetRegressor)."
                )
            if type_of_target(y) not in (
                "continuous",
                "continuous-multioutput",
                "binary",
                "multiclass",
                "multiclass-multioutput",
                "multilabel-indicator",
            ):
                raise ValueError(f"y must hold numbers, got type {type_of_target(y)!r}.")
            y = np.asarray(y, dtype=np.float64)
            y_ndim = y.ndim
            encoded = np.array(y.reshape(y.shape[0], -1), dtype=np.float32)
            n_outputs = encoded.shape[1]
        if not reset and n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} outputs, but the fitted network has {self.n_outputs_}."
            )
        self._y_ndim, self.n_outputs_ = y_ndim, n_outputs
        return encoded, n_outputs

    _net_class = _RegressorNet

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
    parameters=_PARAMETERS_DOC, kwargs=_KWARGS_DOC, inputs=_INPUTS_DOC
)
MixupNeuralNetRegressor.__doc__ = MixupNeuralNetRegressor.__doc__.format(
    parameters=_PARAMETERS_DOC, kwargs=_KWARGS_DOC, inputs=_INPUTS_DOC
)
