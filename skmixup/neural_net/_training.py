"""Mixing inside skorch's training step, on the device of the batch."""

from __future__ import annotations

import functools
import inspect
import numbers
import os

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from skmixup._engine import draw_device_batch_plan, interpolate, mix
from skmixup._operators import check_operator
from skmixup._random import as_generator
from skmixup._torch_random import new_generator
from skmixup.neural_net._manifold import INPUT, SiteDraws, mixing_at
from skmixup.pairing import RandomPairing
from skmixup.weights import Beta

# Labels on the CPU are range-checked on the host, where reading them costs
# nothing and stalls no stream (tests of the device path turn this off).
_HOST_LABEL_CHECK_ON_CPU = True


@functools.lru_cache(maxsize=32)
def _identity(n_classes: int, dtype: torch.dtype, where: torch.device) -> torch.Tensor:
    return torch.eye(n_classes, dtype=dtype, device=where)


class BatchMixer(BaseEstimator):
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

    A scikit-learn style object: ``__init__`` stores its arguments as given,
    they are checked when mixing starts, and ``get_params``/``set_params``
    reach the law and the pairing (``batch_mixer__weight_law__alpha``,
    ``batch_mixer__pairing__k`` in a net's search).

    Parameters
    ----------
    weight_law : WeightLaw or None, default=None
        Law of the anchor's weight (:class:`~skmixup.weights.Beta`,
        :class:`~skmixup.weights.EpBeta`); ``None`` is ``Beta(1.0)``.
    pairing : RandomPairing, OTBlockPairing or None, default=None
        Who mixes with whom inside the batch; ``None`` is ``RandomPairing()``.
    n_interpolations : int, default=1
        Rows emitted per pair; the mixed batch has this many times as many
        rows.
    within_class : bool, default=False
        Draw pairs within the classes of the batch (labels stay hard).
    n_classes : int or None, default=None
        Number of classes: integer targets (class indices) become one-hot
        rows before being mixed, and float targets of shape
        ``(n, n_classes)`` are mixed as class probabilities. ``None`` for
        continuous targets, mixed as they are.
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
        (tensors on its device; not pickled).

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

    Inputs: interpolated integer rows (``uint8`` images, ``int64`` tensors)
    come back as float32, without rescaling (divide ``uint8`` pixels by 255
    in your module if it expects ``[0, 1]``); CutMix keeps them integer.
    Integer entries of a dict, list or tuple that would be interpolated are
    refused (token ids cannot be interpolated: embed them and mix the
    embeddings with ``mix_layers``).

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
    >>> mixer.set_params(weight_law__alpha=0.4).weight_law
    Beta(alpha=0.4, beta=0.4)
    """

    def __init__(
        self,
        weight_law=None,
        pairing=None,
        n_interpolations: int = 1,
        within_class: bool = False,
        n_classes: int | None = None,
        random_state=None,
        operator="lerp",
        label_smoothing: float = 0.0,
        p: float = 1.0,
        weight_mode: str = "row",
    ):
        self.weight_law = weight_law
        self.pairing = pairing
        self.n_interpolations = n_interpolations
        self.within_class = within_class
        self.n_classes = n_classes
        self.random_state = random_state
        self.operator = operator
        self.label_smoothing = label_smoothing
        self.p = p
        self.weight_mode = weight_mode

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
        return cls(
            law, pairing, n_interpolations, within_class, n_classes, random_state
        )._validate()

    def _resolved(self):
        """The law and pairing used (``None`` means the defaults)."""
        law = Beta(1.0) if self.weight_law is None else self.weight_law
        pairing = RandomPairing() if self.pairing is None else self.pairing
        return law, pairing

    def _validate(self) -> BatchMixer:
        """Check every parameter (called when mixing starts); return self."""
        n = self.n_interpolations
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"n_interpolations must be an integer >= 1, got {n!r}.")
        if n < 1:
            raise ValueError(f"n_interpolations must be an integer >= 1, got {n}.")
        classes = self.n_classes
        if classes is not None and (
            isinstance(classes, bool) or not isinstance(classes, numbers.Integral) or classes < 1
        ):
            raise ValueError(f"n_classes must be an integer >= 1 or None, got {classes!r}.")
        if self.within_class and classes is None:
            raise ValueError("within_class=True needs class labels: give n_classes.")
        law, pairing = self._resolved()
        if not hasattr(law, "_validate") or not hasattr(law, "sample_on_device"):
            raise TypeError(f"weight_law must be a skmixup WeightLaw, got {law!r}.")
        if not hasattr(pairing, "pair_on_device"):
            raise TypeError(
                f"pairing must be RandomPairing or OTBlockPairing, got {type(pairing).__name__}."
            )
        law._validate()
        pairing._validate()
        if classes is not None and not self.within_class and not law.within_unit_interval:
            low, high = law.support
            raise ValueError(
                f"the weights of {law!r} reach [{low:g}, {high:g}], outside [0, 1]: "
                "mixing one-hot labels across classes would put negative mass on a "
                "class. Use within_class=True, or a Beta law."
            )
        self._check_operator_options()
        return self

    def reset(self) -> BatchMixer:
        """Start the draws again from ``random_state`` (called when a net is (re)initialised)."""
        self._validate()
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
        state = super().__getstate__().copy()
        # A plan holds tensors on the training device: kept out of the pickle,
        # so that a net trained on CUDA loads where there is none.
        state.pop("last_plan_", None)
        # Generators do not pickle; their states (CPU byte tensors) do.
        if "_generators" in state:
            state["_generators"] = {key: gen.get_state() for key, gen in self._generators.items()}
        return state

    def __setstate__(self, state):
        saved = state.pop("_generators", None)
        super().__setstate__(state)
        if saved is None:
            return
        self._generators = {}
        for key, generator_state in saved.items():
            where = torch.device(key.split("@")[0])
            if where.type != "cpu" and not _device_present(where):
                continue  # unpickled without the device: draws start again from the seed
            generator = torch.Generator(device=where)
            generator.set_state(generator_state)
            self._generators[key] = generator

    def _check_operator_options(self) -> float:
        """Check ``operator``, ``label_smoothing``, ``p`` and ``weight_mode``.

        Returns the probability that a row is pasted by CutMix.
        """
        cut = check_operator(self.operator, self._resolved()[0], self.weight_mode)
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
        return cut

    def _targets(self, y, n_rows: int, where: torch.device):
        """``y`` checked against the batch, on its device, and whether it holds
        class probabilities: class indices, probabilities or float targets."""
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
            return y.to(where), False
        if not integral:
            if y.ndim == 2 and y.shape[1] == self.n_classes:
                return y.to(where), True  # class probabilities (or one-hot rows)
            raise ValueError(
                f"y holds floats ({y.dtype}) of shape {tuple(y.shape)} but n_classes="
                f"{self.n_classes} expects class indices of shape (n,) or class "
                f"probabilities of shape (n, {self.n_classes}): pass integer labels, or "
                "n_classes=None to mix float targets as they are."
            )
        if y.ndim != 1:
            raise ValueError(f"class indices y must have shape (n,), got {tuple(y.shape)}.")
        if y.device.type == "cpu" and _HOST_LABEL_CHECK_ON_CPU:
            # No device to wait for: check the values on the host (on a GPU
            # the one-hot gather checks them on the device, in __call__).
            values = y.numpy()
            bad = (values < 0) | (values >= self.n_classes)
            if bad.any():
                raise ValueError(
                    f"y holds class index {values[bad][0]}, outside [0, n_classes) with "
                    f"n_classes={self.n_classes}."
                )
        return y.to(where), False

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
        X : torch.Tensor of shape (n, ...), dict, list or tuple of such tensors
            The batch; a dict (skorch's way of passing several inputs, or a
            ``sample_weight`` beside ``data``), list or tuple has every entry
            mixed with the same plan. With CutMix, entries of at least three
            dimensions are pasted, the others (sample weights) interpolated
            with the label weights.
        y : torch.Tensor of shape (n,), (n, n_classes) or (n, n_outputs)
            Class indices (with ``n_classes``), class probabilities or
            one-hot rows ``(n, n_classes)`` (mixed as probabilities), or float
            targets.

        Returns
        -------
        X_mixed : torch.Tensor, dict, list or tuple
            ``n * n_interpolations`` rows, same trailing shape; same dtype,
            except that interpolated integer rows are float32.
        y_mixed : torch.Tensor
            Soft labels of shape (rows, n_classes), or mixed continuous
            targets of ``y``'s trailing shape.
        """
        if not hasattr(self, "_seed"):
            self.reset()
        else:
            self._validate()
        law, pairing = self._resolved()
        rows = _first_tensor(X)
        _check_entries(X, self.operator)
        y, probabilities = self._targets(y, rows.shape[0], rows.device)
        labels = y.argmax(dim=1) if probabilities else y
        plan = draw_device_batch_plan(
            rows,
            labels if self.within_class else None,
            law,
            pairing,
            self._generator(rows.device),
            int(self.n_interpolations),
            operator=self.operator,
            p=self.p,
            weight_mode=self.weight_mode,
        )
        self.last_plan_ = plan
        if isinstance(X, (dict, list, tuple)):
            X_mixed = _map_inputs(X, lambda value: _mix_entry(value, plan))
        else:
            X_mixed = mix(X, plan)
        if self.n_classes is None:
            return X_mixed, interpolate(y, plan)
        dtype = rows.dtype if rows.dtype.is_floating_point else torch.float32
        if probabilities:
            y_mixed = interpolate(y.to(dtype), plan)
        else:
            # One-hot rows gathered from a cached identity: one torch op and
            # no value read back (torch's one_hot checks the range on the
            # host). On a GPU a class index out of range fails the gather's
            # own device-side bounds check; on the CPU _targets refused it.
            y_mixed = interpolate(
                _identity(self.n_classes, dtype, rows.device).index_select(0, y), plan
            )
        if self.label_smoothing:
            e = float(self.label_smoothing)
            y_mixed = y_mixed.mul_(1.0 - e).add_(e / self.n_classes)
        return X_mixed, y_mixed

    def __repr__(self, N_CHAR_MAX=700) -> str:
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


def _device_present(where: torch.device) -> bool:
    if where.type == "cuda":
        return torch.cuda.is_available() and (where.index or 0) < torch.cuda.device_count()
    if where.type == "mps":
        return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    return False


def _map_inputs(X, function):
    """``function`` applied to every tensor of a tensor, dict, list or tuple."""
    if isinstance(X, dict):
        return {name: function(value) for name, value in X.items()}
    if isinstance(X, (list, tuple)):
        return type(X)(function(value) for value in X)
    return function(X)


def _first_tensor(X):
    if isinstance(X, dict):
        if not X:
            raise ValueError("X is an empty dict: nothing to mix.")
        rows = next(iter(X.values()))
    elif isinstance(X, (list, tuple)):
        if not X:
            raise ValueError(f"X is an empty {type(X).__name__}: nothing to mix.")
        rows = X[0]
    else:
        rows = X
    return rows


def _mix_entry(value, plan):
    """One entry of a dict, list or tuple ``X``: images (3 or more dims) by
    the plan's operator, the rest (features, sample weights) interpolated."""
    return mix(value, plan) if value.ndim >= 3 else interpolate(value, plan)


def _check_entries(X, operator) -> None:
    """Tensors only; integer entries of a container refused where interpolated."""
    if not isinstance(X, (dict, list, tuple)):
        if not torch.is_tensor(X):
            raise TypeError(f"BatchMixer mixes torch tensors, got {type(X).__name__}.")
        return
    names = X.keys() if isinstance(X, dict) else range(len(X))
    for name in names:
        value = X[name]
        if not torch.is_tensor(value):
            raise TypeError(
                f"BatchMixer mixes torch tensors, got {type(value).__name__} in X[{name!r}]."
            )
        pasted = operator == "cutmix" and value.ndim >= 3
        if not (value.dtype.is_floating_point or pasted):
            raise TypeError(
                f"X[{name!r}] holds integers ({value.dtype}): indices or token ids "
                "cannot be interpolated. Embed them in your module and mix the "
                "embeddings with mix_layers, or give float features."
            )


class MixupMixin:
    """skorch mixin that trains on mixup batches, mixed on the training device.

    Put it before the skorch net class: ``class Net(MixupMixin,
    NeuralNetClassifier)``. Every training batch is moved to the net's
    ``device`` and mixed by a fitted copy of ``batch_mixer`` (``batch_mixer_``;
    the parameter itself is never changed) before the usual training step
    runs on it; validation, scoring and prediction see the original rows.
    It composes with skorch's :class:`~skorch.hf.AccelerateMixin`: put it
    first, ``class Net(MixupMixin, AccelerateMixin, NeuralNetClassifier)``,
    and each process mixes its own shard of the batch on its own device (it
    also keeps parameter-free criteria out of Accelerate's ``prepare``, which
    would wrap them in DistributedDataParallel and fail).

    Mixed class labels are soft (rows of class probabilities): the criterion
    must accept them, as ``torch.nn.CrossEntropyLoss`` on logits does (or
    :class:`SoftTargetCrossEntropy`); skorch's default ``NLLLoss`` does not,
    and is refused before training when a mixer is active.

    Parameters
    ----------
    *args, **kwargs
        Those of the skorch net; the composed class's signature lists them
        with the two below, so scikit-learn sees the net's parameters.
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
        Token indices (int32 or int64 inputs to a module with an
        ``nn.Embedding``) are mixed only at a layer that outputs floats, such
        as the embedding; other integer inputs are interpolated as float32.
        Checked when training starts; prediction and validation are never
        mixed.

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

    **Pickles across devices.** skorch remaps to the CPU, when the training
    device is missing, only the attributes in ``cuda_dependent_attributes_``
    (``module_``, ...). A module, criterion or tensor passed as an instance
    is the object skorch trains, so the mixin pickles it in that same
    remapped part: a net trained on CUDA with ``module=MyNet()`` loads on a
    CPU-only machine, and ``module is module_`` still holds after loading.

    **Training scores.** skorch caches each training step's ``y_pred`` for
    on-train scoring (``EpochScoring(..., on_train=True)``, caching on by
    default). The mixed batch's predictions belong to the mixed rows (and
    there are ``n_interpolations`` times as many), so they cannot be scored
    against the original targets. When such a cached scorer is present,
    :meth:`train_step` also predicts the batch's original rows, without
    gradient and in evaluation mode (before the optimizer step), and returns
    those as ``y_pred``. Its cost is one forward pass over the original
    rows per batch (about a third of a training step with
    ``n_interpolations=1``, less with more), paid only when an on-train
    scorer caches; a scorer with ``use_caching=False`` instead predicts the
    whole training set once at the end of the epoch. Without such a scorer,
    ``y_pred`` is the mixed rows' output, as used by the loss.

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
    >>> net.set_params(batch_mixer__pairing__k=4).batch_mixer.pairing
    OTBlockPairing(k=4)
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Only where the inherited __init__ is ours: a subclass of a net whose
        # own class defines __init__ (custom parameters) inherits that one.
        inherited = next(
            k.__dict__["__init__"] for k in cls.__mro__[1:] if "__init__" in k.__dict__
        )
        if "__init__" not in cls.__dict__ and (
            inherited is MixupMixin.__init__ or getattr(inherited, "_composed", False)
        ):
            cls.__init__ = _composed_init(cls)

    def __init__(self, *args, batch_mixer: BatchMixer | None = None, mix_layers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch_mixer = batch_mixer
        self.mix_layers = mix_layers

    def __getstate__(self):
        # skorch maps to the CPU, when unpickled without the training device,
        # only the attributes listed in cuda_dependent_attributes_ (module_,
        # criterion_, optimizer_, ...). A module, criterion or tensor given as
        # an instance is the very object skorch trains (module_ is module), so
        # it travels in the same remapped part: a net trained on CUDA then
        # loads on a CPU-only machine, and module and module_ stay one object.
        instances = [
            name
            for name, value in vars(self).items()
            if not name.endswith("_") and isinstance(value, (torch.nn.Module, torch.Tensor))
        ]
        if not instances:
            return super().__getstate__()
        listed = vars(self).get("cuda_dependent_attributes_")
        self.cuda_dependent_attributes_ = [*self.cuda_dependent_attributes_, *instances]
        try:
            state = super().__getstate__()
        finally:
            if listed is None:
                del self.cuda_dependent_attributes_
            else:
                self.cuda_dependent_attributes_ = listed
        if listed is None:
            state.pop("cuda_dependent_attributes_", None)
        else:
            state["cuda_dependent_attributes_"] = listed
        return state

    def set_params(self, **kwargs):
        # skorch stores any name with "__" as an attribute of its own; the
        # mixer's nested parameters go to the mixer (scikit-learn's protocol).
        if "batch_mixer" in kwargs:
            self.batch_mixer = kwargs.pop("batch_mixer")
        nested = {k: kwargs.pop(k) for k in list(kwargs) if k.startswith("batch_mixer__")}
        if nested:
            if self.batch_mixer is None:
                raise ValueError(
                    f"cannot set {', '.join(sorted(nested))}: batch_mixer is None; set "
                    "batch_mixer=BatchMixer(...) first."
                )
            self.batch_mixer.set_params(**{k[len("batch_mixer__") :]: v for k, v in nested.items()})
        return super().set_params(**kwargs) if kwargs else self

    def initialize(self):
        """Initialise the net; a fresh net also starts the mixing draws again."""
        super().initialize()
        self._initialize_mixer()
        self._mix_sites_ = None  # manifold mixup's site draws start again too
        return self

    def _initialize_mixer(self) -> None:
        """Fitted copy of ``batch_mixer``, checked before any training."""
        if self.batch_mixer is None:
            self.batch_mixer_ = None
        else:
            self.batch_mixer_ = clone(self.batch_mixer).reset()
            self._check_soft_label_criterion()
        self._mixer_source = self.batch_mixer

    def _check_soft_label_criterion(self) -> None:
        if self.batch_mixer_.n_classes is None:
            return
        criterion = getattr(self, "criterion_", None)
        hard_only = (torch.nn.NLLLoss, torch.nn.MultiMarginLoss)
        # torch's own forward takes class indices only (a subclass may override it)
        if any(
            isinstance(criterion, loss) and type(criterion).forward is loss.forward
            for loss in hard_only
        ):
            raise ValueError(
                f"the criterion {type(criterion).__name__} takes class indices, but an "
                "active batch_mixer with n_classes gives soft labels (class "
                "probabilities): use criterion=torch.nn.CrossEntropyLoss (on logits) "
                "or skmixup.neural_net.SoftTargetCrossEntropy, or batch_mixer=None."
            )

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        if not getattr(self, "initialized_", False):
            self.initialize()
        elif getattr(self, "_mixer_source", None) is not self.batch_mixer:
            self._initialize_mixer()  # a new mixer given between two partial fits
        return super().partial_fit(X, y, classes=classes, **fit_params)

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
        return self.batch_mixer_(Xi, yi)

    def _caches_train_predictions(self) -> bool:
        """Whether a callback scores cached training predictions."""
        if self.use_caching is False:
            return False
        for _, callback in getattr(self, "callbacks_", []):
            if (
                getattr(callback, "on_train", False)
                and hasattr(callback, "use_caching")
                and (callback.use_caching or self.use_caching is True)
            ):
                return True
        return False

    def train_step(self, batch, **fit_params):
        if getattr(self, "batch_mixer_", None) is None:
            return super().train_step(batch, **fit_params)
        Xi, yi = unpack_data(batch)
        original_pred = None
        if self._caches_train_predictions():
            # Before any mixing hook is registered: the original rows' output.
            original_pred = self.evaluation_step((Xi, yi), training=False)
        site = self._mix_site(Xi)
        if site != INPUT:  # manifold mixup: mixed by a hook at that submodule
            with mixing_at(self, site, Xi, yi) as mixed:
                step = super().train_step(mixed, **fit_params)
        else:
            step = super().train_step(self.mix_batch(Xi, yi), **fit_params)
        if original_pred is not None:
            step["y_pred"] = original_pred
        return step

    def _mix_site(self, Xi) -> str:
        """Where this training batch is mixed: ``"input"`` or a submodule name."""
        if getattr(self, "_mix_sites_", None) is None:
            self._mix_sites_ = SiteDraws(getattr(self.batch_mixer_, "_seed", None))
        return self._mix_sites_.draw(self, Xi)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        hidden = getattr(self, "_hidden_mix_", None)
        if training and hidden is not None:
            y_true = hidden.loss_targets(y_true)
        return super().get_loss(y_pred, y_true, X=X, training=training)


def _composed_init(cls):
    """``__init__`` of a class composed with MixupMixin, with the net's signature.

    scikit-learn reads an estimator's parameters from ``inspect.signature``:
    the composed class shows the net's parameters (those of every ``__init__``
    after MixupMixin in the MRO, down to the first without ``*args``) plus
    ``batch_mixer`` and ``mix_layers``.
    """
    mro = cls.__mro__
    positional, keyword, var_keyword = [], [], None
    seen = {"self", "batch_mixer", "mix_layers"}
    open_positional = True  # where a class passes *args on, later ones are keyword-only
    for klass in mro[mro.index(MixupMixin) + 1 :]:
        if "__init__" not in klass.__dict__ or klass is object:
            continue
        more = False
        for param in inspect.signature(klass.__dict__["__init__"]).parameters.values():
            if param.kind is param.VAR_POSITIONAL:
                more, open_positional = True, False
            elif param.kind is param.VAR_KEYWORD:
                var_keyword, more = var_keyword or param, True
            elif param.name not in seen:
                seen.add(param.name)
                if open_positional and param.kind is param.POSITIONAL_OR_KEYWORD:
                    positional.append(param)
                else:
                    keyword.append(param.replace(kind=param.KEYWORD_ONLY))
        open_positional = False
        if not more:
            break
    ours = [
        inspect.Parameter("batch_mixer", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("mix_layers", inspect.Parameter.KEYWORD_ONLY, default=None),
    ]
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + positional
        + keyword
        + ours
        + ([var_keyword] if var_keyword is not None else [])
    )

    def __init__(self, *args, **kwargs):
        MixupMixin.__init__(self, *args, **kwargs)

    __init__.__signature__ = signature
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__doc__ = MixupMixin.__init__.__doc__
    __init__._composed = True
    return __init__


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
