"""k-mixup: mix rows matched by optimal transport between random k-blocks."""

from __future__ import annotations

import numbers
import warnings

from sklearn.utils._param_validation import Interval

from skmixup._random import as_generator
from skmixup.pairing import OTBlockPairing, fixed_perturbation_alpha
from skmixup.resampling._base import (
    _N_INTERPOLATIONS_DOC,
    _RESAMPLER_PARAMETERS_DOC,
    BaseMixupResampler,
    within_product_range,
)
from skmixup.weights import Beta, WeightLaw

_ALPHA_DOC = """alpha : float or WeightLaw, default={default}
        A number means ``Beta(alpha, alpha)`` weights; any law of
        :mod:`skmixup.weights` is accepted (e.g. an ``EpBeta`` law).

    fixed_perturbation : bool, default=False
        Raise ``alpha`` to ``alpha_k`` so that the root-mean-square
        perturbation equals that of classic mixup (``k = 1``) at ``alpha``;
        see :func:`skmixup.pairing.fixed_perturbation_alpha`. Needs a
        numeric ``alpha``. The value used is ``alpha_``."""


class _BlockMatchedResampler(BaseMixupResampler):
    """Resamplers whose weights are ``Beta(alpha, alpha)`` or any law, and
    whose partners come from k-block matching (random pairs at ``k = 1``)."""

    _parameter_constraints: dict = {
        **BaseMixupResampler._parameter_constraints,
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="neither"), WeightLaw],
        "fixed_perturbation": ["boolean"],
    }

    def _make_pairing(self):
        return OTBlockPairing(self.k)

    def _make_weight_law(self, X, y) -> WeightLaw:
        self.perturbation_capped_ = False
        if isinstance(self.alpha, WeightLaw):
            if self.fixed_perturbation:
                raise ValueError(
                    "fixed_perturbation adjusts the parameter of a Beta(alpha, alpha) "
                    f"law; it needs a numeric alpha, got {self.alpha!r}."
                )
            self.alpha_ = None
            return self.alpha._validate()
        alpha = float(self.alpha)
        if self.fixed_perturbation:
            labels = y if self.target_type_ == "classification" else None
            seed = as_generator(self.random_state).integers(2**31 - 1)
            alpha, capped = fixed_perturbation_alpha(
                within_product_range(X), self.k, alpha, y=labels, random_state=seed
            )
            self.perturbation_capped_ = capped
            if capped:
                warnings.warn(
                    f"fixed_perturbation: k={self.k} matches rows so closely that even "
                    f"alpha={alpha:g} gives a smaller perturbation than classic mixup at "
                    f"alpha={self.alpha:g}; using alpha={alpha:g}.",
                    UserWarning,
                    stacklevel=4,
                )
        self.alpha_ = alpha
        return Beta(alpha)


class KMixupResampler(_BlockMatchedResampler):
    """k-mixup: interpolate rows matched by optimal transport of k-blocks.

    Each class (or the whole table, for a continuous target) is shuffled
    twice and cut into blocks of ``k`` rows; block ``t`` of one shuffle is
    matched with block ``t`` of the other by the permutation of least total
    squared distance, and matched rows are mixed with weights from the weight
    law. Partners are therefore near neighbours: synthetic rows follow the
    data's clusters and manifolds, while still bridging nearby clusters.
    ``k = 1`` is classic mixup with random partners.

    Parameters
    ----------
    {parameters}

    k : int, default=16
        Block size. A class with no more than ``k`` rows is matched as one
        block, with itself: each row is then matched with the nearest
        arrangement of the *other* rows of its class (never with itself).

    {alpha}

    {n_interpolations}

    random_state : int, RandomState instance, numpy Generator or None, default=None
        Seed of the shuffles and weights.

    Attributes
    ----------
    weight_law_ : WeightLaw
        The law the weights were drawn from.
    alpha_ : float or None
        Its Beta parameter (after adjustment with ``fixed_perturbation``);
        ``None`` when a weight law object was given.
    perturbation_capped_ : bool
        True when the ``fixed_perturbation`` search stopped at its cap.
    sampling_strategy_ : dict or None
        New rows per class; ``None`` for a continuous target.
    n_synthetic_ : int
    target_type_ : str or None
        'classification' or 'regression', as read from ``y``; ``None``
        when no ``y`` was given.
    categorical_features_ : ndarray of int
        Copied from the anchor row and ignored by the matching distances.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    See Also
    --------
    skmixup.pairing.match_blocks : the block matching.
    skmixup.pairing.perturbation_size : compare settings of ``k`` and ``alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup import KMixupResampler
    >>> from skmixup.datasets import make_rings
    >>> X, y = make_rings(300, random_state=0)
    >>> X_new, y_new = KMixupResampler(k=16, factor=1.0, synthetic_only=True,
    ...                                random_state=0).fit_resample(X, y)
    >>> X_new.shape
    (300, 2)
    """

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        factor=None,
        n_samples=None,
        k=16,
        alpha=1.0,
        fixed_perturbation=False,
        categorical_features="auto",
        clip="dtype",
        synthetic_only=False,
        target_type="auto",
        single_row_classes="raise",
        n_interpolations=1,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            factor=factor,
            n_samples=n_samples,
            categorical_features=categorical_features,
            clip=clip,
            synthetic_only=synthetic_only,
            target_type=target_type,
            single_row_classes=single_row_classes,
            n_interpolations=n_interpolations,
            random_state=random_state,
        )
        self.k = k
        self.alpha = alpha
        self.fixed_perturbation = fixed_perturbation


KMixupResampler.__doc__ = KMixupResampler.__doc__.format(
    parameters=_RESAMPLER_PARAMETERS_DOC,
    alpha=_ALPHA_DOC.format(default="1.0"),
    n_interpolations=_N_INTERPOLATIONS_DOC.format(default=1),
)
