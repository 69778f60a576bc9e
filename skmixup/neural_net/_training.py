"""Mixing inside skorch's training step, on the device of the batch."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from skmixup._engine import draw_device_batch_plan, interpolate
from skmixup._random import as_generator
from skmixup._torch_random import new_generator


def _one_hot(labels, n_classes: int, dtype):
    """One-hot rows of ``dtype``, in two torch ops and without the value
    checks of ``torch.nn.functional.one_hot``, which read the labels back
    to the host on CPU (an index out of range still raises)."""
    return torch.eye(n_classes, dtype=dtype, device=labels.device).index_select(0, labels)


class BatchMixer:
    """Mix one training batch on its device: pairs, weights, rows and targets.

    The partner of each row and the weights are drawn on the batch's device
    from a ``torch.Generator`` seeded by ``random_state``; rows (of any
    trailing shape) and targets are then mixed with one fused
    ``torch.lerp`` each. Only k-mixup's small ``k x k`` cost blocks cross to
    the host, for the assignment solver.

    Parameters
    ----------
    weight_law : WeightLaw
        Law of the anchor's weight (:class:`~skmixup.weights.Beta`,
        :class:`~skmixup.weights.EpBeta`).
    pairing : RandomPairing or OTBlockPairing
        Who mixes with whom inside the batch.
    n_interpolations : int, default=1
        Rows emitted per pair; the mixed batch has this many times as many
        rows.
    within_class : bool, default=False
        Draw pairs within the classes of the batch (labels stay hard).
    n_classes : int or None, default=None
        Number of classes: integer targets (class indices) become one-hot
        rows before being mixed. ``None`` for continuous targets, mixed as
        they are.
    random_state : int, RandomState instance, Generator or None, default=None
        Seeds the generator of the draws; a fixed value gives the same draws
        for the same batches.

    Attributes
    ----------
    last_plan_ : MixPlan
        Pairs and weights of the last mixed batch (tensors on its device).

    See Also
    --------
    BatchMixer.from_resampler : the recipe of a skmixup resampler.
    MixupMixin : adds a ``batch_mixer`` to any skorch net.

    Examples
    --------
    >>> import torch
    >>> from skmixup.neural_net import BatchMixer
    >>> from skmixup.pairing import RandomPairing
    >>> from skmixup.weights import Beta
    >>> mixer = BatchMixer(Beta(1.0), RandomPairing(), n_classes=3, random_state=0)
    >>> X, y = torch.randn(8, 1, 4, 4), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    >>> X_mixed, y_soft = mixer(X, y)
    >>> tuple(X_mixed.shape), tuple(y_soft.shape)
    ((8, 1, 4, 4), (8, 3))
    """

    def __init__(
        self,
        weight_law,
        pairing,
        n_interpolations: int = 1,
        within_class: bool = False,
        n_classes: int | None = None,
        random_state=None,
    ):
        if isinstance(n_interpolations, bool) or not isinstance(n_interpolations, numbers.Integral):
            raise TypeError(f"n_interpolations must be an integer >= 1, got {n_interpolations!r}.")
        if n_interpolations < 1:
            raise ValueError(f"n_interpolations must be an integer >= 1, got {n_interpolations}.")
        if within_class and n_classes is None:
            raise ValueError("within_class=True needs class labels: give n_classes.")
        if n_classes is None and not weight_law.within_unit_interval and within_class:
            raise ValueError("within_class applies to class labels only.")
        self.weight_law = weight_law
        self.pairing = pairing
        self.n_interpolations = int(n_interpolations)
        self.within_class = bool(within_class)
        self.n_classes = n_classes
        self.random_state = random_state
        self.reset()

    @classmethod
    def from_resampler(
        cls,
        resampler,
        *,
        n_classes: int | None = None,
        within_class: bool = False,
        random_state=None,
        X=None,
        y=None,
    ) -> BatchMixer:
        """The batch mixer of a skmixup resampler's recipe.

        Parameters
        ----------
        resampler : EpBetaMixupResampler, KMixupResampler or MultiMixResampler
            Its weight law, pairing and ``n_interpolations`` are used (it is
            not modified); its counting parameters do not apply to batches.
        n_classes : int or None, default=None
            Number of classes of integer targets (mixed as one-hot rows);
            ``None`` for continuous targets.
        within_class : bool, default=False
            Pairs within the classes of each batch.
        random_state : int, RandomState instance, Generator or None, default=None
        X, y : array-like, default=None
            Training data, only for laws tuned on the data (k-mixup's
            ``fixed_perturbation``).

        Returns
        -------
        mixer : BatchMixer
        """
        from sklearn.base import clone

        from skmixup.resampling import BaseMixupResampler

        if not isinstance(resampler, BaseMixupResampler):
            raise TypeError(
                "resampler must be an EpBetaMixupResampler, KMixupResampler or "
                f"MultiMixResampler, got {type(resampler).__name__}."
            )
        kind = "regression" if n_classes is None else "classification"
        law, pairing, n_interpolations = clone(resampler)._batch_recipe(X, y, kind)
        if n_classes is not None and not within_class and not law.within_unit_interval:
            low, high = law.support
            raise ValueError(
                f"the weights of {law!r} reach [{low:g}, {high:g}], outside [0, 1]: "
                "mixing one-hot labels across classes would put negative mass on a "
                "class. Use within_class=True, or a Beta law."
            )
        return cls(law, pairing, n_interpolations, within_class, n_classes, random_state)

    def reset(self) -> BatchMixer:
        """Start the draws again from ``random_state`` (called when a net is (re)initialised)."""
        self._seed = int(as_generator(self.random_state).integers(np.iinfo(np.int32).max))
        self._generators: dict = {}
        return self

    def _generator(self, where: torch.device) -> torch.Generator:
        key = str(where)
        if key not in self._generators:
            self._generators[key] = new_generator(where, self._seed)
        return self._generators[key]

    def __getstate__(self):
        state = self.__dict__.copy()
        # Generators do not pickle; their states (byte tensors) do.
        state["_generators"] = {key: gen.get_state() for key, gen in self._generators.items()}
        return state

    def __setstate__(self, state):
        saved = state.pop("_generators")
        self.__dict__.update(state)
        self._generators = {}
        for key, generator_state in saved.items():
            where = torch.device(key)
            if where.type == "cuda" and not torch.cuda.is_available():
                continue  # unpickled without the device: draws start again from the seed
            self._generator(where).set_state(generator_state)

    def __call__(self, X, y):
        """Return the mixed rows and targets, on the device of ``X``.

        Parameters
        ----------
        X : torch.Tensor of shape (n, ...) or dict of such tensors
            The batch; a dict (skorch's way of passing several inputs, or a
            ``sample_weight`` beside ``data``) has every entry mixed with the
            same plan.
        y : torch.Tensor of shape (n,) or (n, n_outputs)
            Class indices (with ``n_classes``) or continuous targets.

        Returns
        -------
        X_mixed : torch.Tensor or dict
            ``n * n_interpolations`` rows, same trailing shape and dtype.
        y_mixed : torch.Tensor
            Soft labels of shape (rows, n_classes), or mixed continuous
            targets of ``y``'s trailing shape.
        """
        rows = next(iter(X.values())) if isinstance(X, dict) else X
        if not torch.is_tensor(rows):
            raise TypeError(f"BatchMixer mixes torch tensors, got {type(rows).__name__}.")
        labels = None
        if self.n_classes is not None:
            labels = y.long()
            if self.within_class:
                labels = labels.to(rows.device)
        plan = draw_device_batch_plan(
            rows,
            labels if self.within_class else None,
            self.weight_law,
            self.pairing,
            self._generator(rows.device),
            self.n_interpolations,
        )
        self.last_plan_ = plan
        if isinstance(X, dict):
            X_mixed = {name: interpolate(value, plan) for name, value in X.items()}
        else:
            X_mixed = interpolate(X, plan)
        if self.n_classes is not None:
            dtype = rows.dtype if rows.dtype.is_floating_point else torch.float32
            targets = _one_hot(labels.to(rows.device), self.n_classes, dtype)
            return X_mixed, interpolate(targets, plan)
        return X_mixed, interpolate(y.to(rows.device), plan)

    def __repr__(self) -> str:
        return (
            f"BatchMixer({self.weight_law!r}, {self.pairing!r}, "
            f"n_interpolations={self.n_interpolations}, within_class={self.within_class}, "
            f"n_classes={self.n_classes})"
        )


class MixupMixin:
    """skorch mixin that trains on mixup batches, mixed on the training device.

    Put it before the skorch net class: ``class Net(MixupMixin,
    NeuralNetClassifier)``. Every training batch is moved to the net's
    ``device`` and mixed by ``batch_mixer`` before the usual training step
    runs on it; validation, scoring and prediction see the original rows.
    It composes with skorch's :class:`~skorch.hf.AccelerateMixin`: put it
    first, ``class Net(MixupMixin, AccelerateMixin, NeuralNetClassifier)``,
    and each process mixes its own shard of the batch on its own device (it
    also keeps parameter-free criteria out of Accelerate's ``prepare``, which
    would wrap them in DistributedDataParallel and fail).

    Mixed class labels are soft (rows of class probabilities): the criterion
    must accept them, as ``torch.nn.CrossEntropyLoss`` on logits does (or
    :class:`SoftTargetCrossEntropy`); skorch's default ``NLLLoss`` does not.

    Parameters
    ----------
    *args, **kwargs
        Those of the skorch net.
    batch_mixer : BatchMixer or None, default=None
        How batches are mixed; ``None`` trains without mixing.

    Notes
    -----
    The override points are :meth:`mix_batch` (what is mixed) and
    :meth:`train_step`, which mixes once per batch, before the optimizer's
    closure, so an optimizer that evaluates the closure several times sees
    the same mixed batch.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from skmixup import KMixupResampler
    >>> from skmixup.neural_net import BatchMixer, MixupMixin
    >>> class MixupNet(MixupMixin, NeuralNetClassifier):
    ...     pass
    >>> X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> net = MixupNet(
    ...     torch.nn.Linear(2, 2),
    ...     criterion=torch.nn.CrossEntropyLoss,
    ...     batch_mixer=BatchMixer.from_resampler(KMixupResampler(k=8), n_classes=2,
    ...                                           random_state=0),
    ...     max_epochs=3, train_split=None, verbose=0,
    ... ).fit(X, y)
    >>> net.predict(X[:4]).shape
    (4,)
    """

    def __init__(self, *args, batch_mixer: BatchMixer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_mixer = batch_mixer

    def initialize(self):
        """Initialise the net; a fresh net also starts the mixing draws again."""
        super().initialize()
        if self.batch_mixer is not None:
            self.batch_mixer.reset()
        return self

    def _initialize_accelerator(self):
        # Only reached with skorch's AccelerateMixin after this mixin in the
        # MRO. Accelerate wraps every prepared module in DistributedDataParallel,
        # which refuses modules without trainable parameters, such as a
        # cross-entropy criterion: those stay out of prepare (they need no
        # gradient synchronisation).
        hidden = {}
        for name in self._criteria:
            criterion = getattr(self, name + "_", None)
            if isinstance(criterion, torch.nn.Module) and not any(
                parameter.requires_grad for parameter in criterion.parameters()
            ):
                hidden[name] = criterion
                setattr(self, name + "_", None)
        try:
            return super()._initialize_accelerator()
        finally:
            for name, criterion in hidden.items():
                setattr(self, name + "_", criterion)

    def mix_batch(self, Xi, yi):
        """Mixed ``(Xi, yi)`` of one training batch, on the net's device."""
        Xi = to_tensor(Xi, device=self.device)
        yi = to_tensor(yi, device=self.device)
        return self.batch_mixer(Xi, yi)

    def train_step(self, batch, **fit_params):
        if self.batch_mixer is not None:
            Xi, yi = unpack_data(batch)
            batch = self.mix_batch(Xi, yi)
        return super().train_step(batch, **fit_params)


class MixupNet(MixupMixin, NeuralNet):
    """skorch ``NeuralNet`` with :class:`MixupMixin`: mixes each training batch.

    What the scikit-learn estimators hold as ``net_``. Its criterion returns
    one loss per row (``reduction='none'``); :meth:`get_loss` averages them,
    weighted by ``X["sample_weight"]`` when ``X`` is a dict that holds one
    (mixed with the rows, so a mixed row's weight is its pair's weights
    mixed with the same ``w``).
    """

    def infer(self, x, **fit_params):
        if isinstance(x, dict) and "sample_weight" in x:
            x = x["data"]
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        per_row = super().get_loss(y_pred, y_true, X=X, training=training)
        if per_row.ndim > 1:  # per-element losses (MSE): mean over a row's outputs
            per_row = per_row.reshape(per_row.shape[0], -1).mean(dim=1)
        if isinstance(X, dict) and "sample_weight" in X:
            weights = to_tensor(X["sample_weight"], device=per_row.device).to(per_row.dtype)
            # EpBeta weights outside [0, 1] can mix two weights into a negative one.
            weights = weights.reshape(-1).clamp_min(0.0)
            total = weights.sum().clamp_min(torch.finfo(per_row.dtype).tiny)
            return (per_row * weights).sum() / total
        return per_row.sum() / per_row.shape[0]
