"""Mixing inside skorch's training step, on the device of the batch."""

from __future__ import annotations

import functools
import numbers
import os

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from skmixup._engine import draw_device_batch_plan, interpolate, mix
from skmixup._operators import cut_probability
from skmixup._random import as_generator
from skmixup._torch_random import new_generator
from skmixup.neural_net._manifold import INPUT, SiteDraws, mixing_at

# Labels on the CPU are range-checked on the host, where reading them costs
# nothing and stalls no stream (tests of the device path turn this off).
_HOST_LABEL_CHECK_ON_CPU = True


@functools.lru_cache(maxsize=32)
def _identity(n_classes: int, dtype: torch.dtype, where: torch.device) -> torch.Tensor:
    return torch.eye(n_classes, dtype=dtype, device=where)


class BatchMixer:
    """Mix one training batch on its device: pairs, weights, rows and targets.

    The partner of each row and the weights are drawn on the batch's device
    from a ``torch.Generator`` seeded by ``random_state``; rows (of any
    trailing shape) are then interpolated (one fused ``torch.lerp``) or
    pasted with CutMix boxes, and the targets mixed with each row's label
    weight. Only k-mixup's small ``k x k`` cost blocks cross to the host,
    for the assignment solver.

    It works as well in a plain PyTorch loop (``x, y = mixer(x, y)``) or a
    ``DataLoader``'s ``collate_fn`` (``collate_fn=mixer.collate``) as inside
    :class:`MixupMixin`; :meth:`mixup` and :meth:`cutmix` build the common
    cases in one line.

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
        for the same batches. Inside a ``DataLoader`` worker the worker's
        seed, and in a distributed run the process rank, are folded in (see
        Notes).
    operator : {"lerp", "cutmix"} or dict, default="lerp"
        How a pair's rows are mixed. ``"lerp"`` interpolates,
        ``w x_a + (1 - w) x_p`` (integer rows come back as float32).
        ``"cutmix"`` pastes the partner's pixels inside one box per row over
        the last two dimensions of ``(n, ..., H, W)`` rows (side ratios
        ``sqrt(1 - w)``, uniform centre, clipped at the border); the
        anchor's label weight is then ``1 - (box area) / (H W)``, and
        integer images stay integer. A dict such as ``{"lerp": 0.5,
        "cutmix": 0.5}`` draws each row's operator. CutMix needs weights in
        [0, 1].
    label_smoothing : float in [0, 1], default=0.0
        ``e``: soft targets become ``(1 - e) * mixed + e / n_classes``
        (class labels only).
    p : float in [0, 1], default=1.0
        Probability that a row is mixed at all; an unmixed row keeps its
        own input and label (weight 1).
    weight_mode : {"row", "batch"}, default="row"
        One weight (and box, operator, mixed-or-not draw) per row, or one
        for the whole batch.

    Attributes
    ----------
    last_plan_ : MixPlan
        Pairs, label weights (and CutMix boxes) of the last mixed batch
        (tensors on its device).

    See Also
    --------
    BatchMixer.mixup, BatchMixer.cutmix : one-line constructors.
    BatchMixer.from_resampler : the recipe of a skmixup resampler.
    MixupMixin : adds a ``batch_mixer`` to any skorch net.

    Notes
    -----
    Seeds: the draws start from ``random_state`` in the main process of a
    single-process run. In a ``DataLoader`` worker (a copy of the mixer),
    the worker's seed (``torch.utils.data.get_worker_info().seed``, itself
    drawn from the loader's generator or torch's global seed) is folded in,
    so workers draw different plans while a rerun with the same seeds
    draws the same ones. So is the process rank of a distributed run
    (``torch.distributed``'s rank once initialised, else the ``RANK``
    environment variable): each rank draws its own plans, reproducibly.

    Labels: on CPU, class indices outside ``[0, n_classes)`` raise a
    ``ValueError``; on other devices the one-hot gather's own bounds check
    runs on the device (no wait for the host) and fails at a later
    synchronisation as a device-side assertion.

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
        operator="lerp",
        label_smoothing: float = 0.0,
        p: float = 1.0,
        weight_mode: str = "row",
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
        self.operator = operator
        self.label_smoothing = label_smoothing
        self.p = p
        self.weight_mode = weight_mode
        self.reset()

    @classmethod
    def mixup(cls, alpha: float = 1.0, n_classes: int | None = None, **kwargs) -> BatchMixer:
        """Classic mixup: ``Beta(alpha, alpha)`` weights, random partners.

        Parameters
        ----------
        alpha : float, default=1.0
            Shape of the symmetric Beta law of the weights.
        n_classes : int or None, default=None
            Number of classes of integer labels; ``None`` for float targets.
        **kwargs
            Any other :class:`BatchMixer` parameter (``pairing``,
            ``n_interpolations``, ``random_state``, ``label_smoothing``, ...).

        Returns
        -------
        mixer : BatchMixer

        Examples
        --------
        >>> import torch
        >>> from skmixup.neural_net import BatchMixer
        >>> mixer = BatchMixer.mixup(alpha=0.4, n_classes=10, random_state=0)
        >>> x, y = torch.rand(16, 3, 8, 8), torch.randint(0, 10, (16,))
        >>> x_mixed, y_soft = mixer(x, y)
        >>> tuple(x_mixed.shape), tuple(y_soft.shape)
        ((16, 3, 8, 8), (16, 10))
        >>> bool(torch.allclose(y_soft.sum(dim=1), torch.ones(16)))
        True
        """
        return cls._preset("lerp", alpha, n_classes, kwargs)

    @classmethod
    def cutmix(cls, alpha: float = 1.0, n_classes: int | None = None, **kwargs) -> BatchMixer:
        """CutMix: paste a box of the partner, ``Beta(alpha, alpha)`` weights.

        Parameters
        ----------
        alpha : float, default=1.0
            Shape of the symmetric Beta law of the weights (the box's area
            share is about ``1 - w``).
        n_classes : int or None, default=None
            Number of classes of integer labels; ``None`` for float targets.
        **kwargs
            Any other :class:`BatchMixer` parameter.

        Returns
        -------
        mixer : BatchMixer

        Examples
        --------
        >>> import torch
        >>> from skmixup.neural_net import BatchMixer
        >>> mixer = BatchMixer.cutmix(n_classes=10, random_state=0)
        >>> x = torch.randint(0, 256, (16, 3, 8, 8), dtype=torch.uint8)
        >>> x_mixed, y_soft = mixer(x, torch.randint(0, 10, (16,)))
        >>> x_mixed.dtype  # pasting keeps integer images integer
        torch.uint8
        >>> kept = (x_mixed == x).all(dim=1).float().mean(dim=(1, 2))
        >>> bool((kept >= mixer.last_plan_.weights.float() - 1e-6).all())
        True
        """
        return cls._preset("cutmix", alpha, n_classes, kwargs)

    @classmethod
    def _preset(cls, operator, alpha, n_classes, kwargs) -> BatchMixer:
        from skmixup.pairing import RandomPairing
        from skmixup.weights import Beta

        kwargs.setdefault("pairing", RandomPairing())
        kwargs.setdefault("operator", operator)
        return cls(Beta(alpha), n_classes=n_classes, **kwargs)

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
        # One stream per device, and per DataLoader worker and process rank:
        # the main process of a single-process run draws from the seed itself.
        worker, rank = torch.utils.data.get_worker_info(), _process_rank()
        if worker is None and rank == 0:
            key, seed = str(where), self._seed
        else:
            spawn_key = (rank,) if worker is None else (rank, int(worker.seed))
            sequence = np.random.SeedSequence(self._seed, spawn_key=spawn_key)
            seed = int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))
            key = f"{where}@{seed}"
        if key not in self._generators:
            self._generators[key] = new_generator(where, seed)
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
            where = torch.device(key.split("@")[0])
            if where.type == "cuda" and not torch.cuda.is_available():
                continue  # unpickled without the device: draws start again from the seed
            generator = torch.Generator(device=where)
            generator.set_state(generator_state)
            self._generators[key] = generator

    def _check_operator_options(self) -> float:
        """Check ``operator``, ``label_smoothing``, ``p`` and ``weight_mode``.

        Returns the probability that a row is pasted by CutMix.
        """
        cut = cut_probability(self.operator)
        if cut > 0.0 and not self.weight_law.within_unit_interval:
            low, high = self.weight_law.support
            raise ValueError(
                f"operator={self.operator!r} pastes boxes of area share 1 - w, which needs "
                f"weights in [0, 1]; {self.weight_law!r} reaches [{low:g}, {high:g}]. "
                "Use a Beta law, or operator='lerp'."
            )
        for name in ("label_smoothing", "p"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a float in [0, 1], got {value!r}.")
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a float in [0, 1], got {value!r}.")
        if self.label_smoothing and self.n_classes is None:
            raise ValueError(
                "label_smoothing applies to class labels: give n_classes (continuous "
                "targets are not smoothed)."
            )
        if self.weight_mode not in ("row", "batch"):
            raise ValueError(f"weight_mode must be 'row' or 'batch', got {self.weight_mode!r}.")
        return cut

    def _targets(self, y, n_rows: int, where: torch.device):
        """``y`` checked against the batch, on its device: class indices or float targets."""
        if not torch.is_tensor(y):
            y = torch.as_tensor(np.asarray(y))
        if y.ndim == 0 or y.shape[0] != n_rows:
            length = "a scalar" if y.ndim == 0 else f"{y.shape[0]} rows"
            raise ValueError(
                f"y has {length} but the batch X has {n_rows}: give one target per row."
            )
        integral = not (y.is_floating_point() or y.is_complex())
        if self.n_classes is None:
            if integral:
                raise ValueError(
                    f"y holds integers ({y.dtype}) but n_classes is None: give n_classes for "
                    "class labels (mixed as one-hot rows), or float targets to mix as they are."
                )
            return y.to(where)
        if not integral:
            raise ValueError(
                f"y holds floats ({y.dtype}) but n_classes={self.n_classes} expects class "
                "indices: pass integer labels, or n_classes=None to mix float targets as they are."
            )
        if y.ndim != 1:
            raise ValueError(f"class indices y must have shape (n,), got {tuple(y.shape)}.")
        if y.device.type == "cpu" and _HOST_LABEL_CHECK_ON_CPU:
            # Elsewhere, checked on the device in __call__.
            # No device to wait for: check the values on the host.
            values = y.numpy()
            bad = (values < 0) | (values >= self.n_classes)
            if bad.any():
                raise ValueError(
                    f"y holds class index {values[bad][0]}, outside [0, n_classes) with "
                    f"n_classes={self.n_classes}."
                )
        return y.to(where)

    def collate(self, samples):
        """``collate_fn`` for a ``DataLoader`` of ``(x, y)`` samples: stacks and mixes them.

        Examples
        --------
        >>> import torch
        >>> from torch.utils.data import DataLoader, TensorDataset
        >>> from skmixup.neural_net import BatchMixer
        >>> data = TensorDataset(torch.rand(32, 1, 8, 8), torch.randint(0, 4, (32,)))
        >>> mixer = BatchMixer.cutmix(n_classes=4, random_state=0)
        >>> x, y = next(iter(DataLoader(data, batch_size=8, collate_fn=mixer.collate)))
        >>> tuple(x.shape), tuple(y.shape)
        ((8, 1, 8, 8), (8, 4))
        """
        X, y = torch.utils.data.default_collate(samples)
        return self(X, y)

    def __call__(self, X, y):
        """Return the mixed rows and targets, on the device of ``X``.

        Parameters
        ----------
        X : torch.Tensor of shape (n, ...) or dict of such tensors
            The batch; a dict (skorch's way of passing several inputs, or a
            ``sample_weight`` beside ``data``) has every entry mixed with the
            same plan. With CutMix, entries of at least three dimensions are
            pasted, the others (sample weights) interpolated with the label
            weights.
        y : torch.Tensor of shape (n,) or (n, n_outputs)
            Class indices (with ``n_classes``) or float targets.

        Returns
        -------
        X_mixed : torch.Tensor or dict
            ``n * n_interpolations`` rows, same trailing shape; same dtype,
            except that interpolated integer rows are float32.
        y_mixed : torch.Tensor
            Soft labels of shape (rows, n_classes), or mixed continuous
            targets of ``y``'s trailing shape.
        """
        self._check_operator_options()
        rows = next(iter(X.values())) if isinstance(X, dict) else X
        if not torch.is_tensor(rows):
            raise TypeError(f"BatchMixer mixes torch tensors, got {type(rows).__name__}.")
        y = self._targets(y, rows.shape[0], rows.device)
        plan = draw_device_batch_plan(
            rows,
            y if self.within_class else None,
            self.weight_law,
            self.pairing,
            self._generator(rows.device),
            self.n_interpolations,
            operator=self.operator,
            p=self.p,
            weight_mode=self.weight_mode,
        )
        self.last_plan_ = plan
        if isinstance(X, dict):
            X_mixed = {
                name: mix(value, plan) if value.ndim >= 3 else interpolate(value, plan)
                for name, value in X.items()
            }
        else:
            X_mixed = mix(X, plan)
        if self.n_classes is None:
            return X_mixed, interpolate(y, plan)
        dtype = rows.dtype if rows.dtype.is_floating_point else torch.float32
        # One-hot rows gathered from a cached identity: one torch op and no
        # value read back (torch's one_hot checks the range on the host). On
        # a GPU a class index out of range fails the gather's own device-side
        # bounds check; on the CPU _targets has refused it already.
        y_mixed = interpolate(
            _identity(self.n_classes, dtype, rows.device).index_select(0, y), plan
        )
        if self.label_smoothing:
            e = float(self.label_smoothing)
            y_mixed = y_mixed.mul_(1.0 - e).add_(e / self.n_classes)
        return X_mixed, y_mixed

    def __repr__(self) -> str:
        options = "".join(
            f", {name}={getattr(self, name)!r}"
            for name, default in _OPTION_DEFAULTS.items()
            if getattr(self, name) != default
        )
        return (
            f"BatchMixer({self.weight_law!r}, {self.pairing!r}, "
            f"n_interpolations={self.n_interpolations}, within_class={self.within_class}, "
            f"n_classes={self.n_classes}{options})"
        )


_OPTION_DEFAULTS = {"operator": "lerp", "label_smoothing": 0.0, "p": 1.0, "weight_mode": "row"}


def _process_rank() -> int:
    """Rank of this process in a distributed run (0 outside one)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank()
    try:
        return int(os.environ.get("RANK", 0))
    except ValueError:
        return 0


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
    mix_layers : list of str or None, default=None
        Where batches are mixed (manifold mixup): ``None`` mixes the input
        rows; a list of submodule names, as in ``module.named_modules()``,
        and ``"input"`` draws one of them uniformly for each training batch
        (from the mixer's seed). The batch reaches a drawn submodule
        unmixed; its output ``h`` is replaced by the rows of
        ``batch_mixer(h, y)`` (the mixer's pairing, k-mixup included, sees
        ``h``) and the loss uses the targets mixed with the same plan. A
        site must output one floating-point tensor and be called once per
        forward pass, its output alone feeding the rest of the network
        (with ``n_interpolations`` K, the batch grows K times there).
        Token indices (int32 or int64 inputs) are mixed only at a layer that
        outputs floats, such as an ``nn.Embedding``. Checked when training
        starts; prediction and validation are never mixed.

    Notes
    -----
    Seeds in distributed runs (DDP, Accelerate): the mixer folds the
    process rank (``torch.distributed.get_rank()`` once the process group
    is initialised, else the ``RANK`` environment variable) into its seed,
    so ranks with the same ``random_state`` draw different plans for their
    shards, and a rerun draws the same ones on every rank; rank 0 draws as
    a single process does. ``DataLoader`` workers that mix in their
    ``collate_fn`` fold their worker seed in the same way.

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

    def __init__(self, *args, batch_mixer: BatchMixer | None = None, mix_layers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_mixer = batch_mixer
        self.mix_layers = mix_layers

    def initialize(self):
        """Initialise the net; a fresh net also starts the mixing draws again."""
        super().initialize()
        if self.batch_mixer is not None:
            self.batch_mixer.reset()
        self._mix_sites_ = None  # manifold mixup's site draws start again too
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
            site = self._mix_site(Xi)
            if site != INPUT:  # manifold mixup: mixed by a hook at that submodule
                with mixing_at(self, site, Xi, yi) as batch:
                    return super().train_step(batch, **fit_params)
            batch = self.mix_batch(Xi, yi)
        return super().train_step(batch, **fit_params)

    def _mix_site(self, Xi) -> str:
        """Where this training batch is mixed: ``"input"`` or a submodule name."""
        if getattr(self, "_mix_sites_", None) is None:
            self._mix_sites_ = SiteDraws(getattr(self.batch_mixer, "_seed", None))
        return self._mix_sites_.draw(self, Xi)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        hidden = getattr(self, "_hidden_mix_", None)
        if training and hidden is not None:
            y_true = hidden.loss_targets(y_true)
        return super().get_loss(y_pred, y_true, X=X, training=training)


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
