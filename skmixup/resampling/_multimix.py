"""Multi-mix: several interpolations of every pair."""

from __future__ import annotations

from skmixup.resampling._base import _N_INTERPOLATIONS_DOC, _RESAMPLER_PARAMETERS_DOC
from skmixup.resampling._kmixup import _ALPHA_DOC, _BlockMatchedResampler


class MultiMixResampler(_BlockMatchedResampler):
    """Multi-mix: ``n_interpolations`` rows per pair, each with its own weight.

    Every pair (random partners by default, or partners matched by k-mixup's
    optimal transport with ``k > 1``) emits ``K = n_interpolations`` rows
    whose weights are drawn independently from the weight law. In training,
    averaging the loss over the K rows of a pair keeps the classic mixup
    objective in expectation and lowers the variance of the stochastic
    gradient: ``Var = Var_pair(E_w[g]) + E_pair[Var_w(g)] / K``.

    Parameters
    ----------
    {parameters}

    {n_interpolations}

    {alpha}

    k : int, default=1
        Pairing: ``1`` draws random partners; ``k > 1`` matches k-blocks by
        optimal transport, as :class:`KMixupResampler`.

    random_state : int, RandomState instance, numpy Generator or None, default=None
        Seed of the pairs and weights.

    Attributes
    ----------
    weight_law_ : WeightLaw
    alpha_ : float or None
        Beta parameter used; ``None`` when a weight law object was given.
    perturbation_capped_ : bool
    sampling_strategy_ : dict or None
    n_synthetic_ : int
    target_type_ : str or None
        'classification' or 'regression', as read from ``y``; ``None``
        when no ``y`` was given.
    categorical_features_ : ndarray of int
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup import MultiMixResampler
    >>> X = np.random.default_rng(0).normal(size=(40, 2))
    >>> y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    >>> X_new, y_new = MultiMixResampler(n_interpolations=5, synthetic_only=True,
    ...                                  random_state=0).fit_resample(X, y)
    >>> X_new.shape  # 20 new rows of class 1: 4 pairs x 5 interpolations
    (20, 2)
    """

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        factor=None,
        n_samples=None,
        n_interpolations=5,
        alpha=1.0,
        k=1,
        fixed_perturbation=False,
        categorical_features=None,
        synthetic_only=False,
        target_type="auto",
        single_row_classes="raise",
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            factor=factor,
            n_samples=n_samples,
            categorical_features=categorical_features,
            synthetic_only=synthetic_only,
            target_type=target_type,
            single_row_classes=single_row_classes,
            n_interpolations=n_interpolations,
            random_state=random_state,
        )
        self.alpha = alpha
        self.k = k
        self.fixed_perturbation = fixed_perturbation


MultiMixResampler.__doc__ = MultiMixResampler.__doc__.format(
    parameters=_RESAMPLER_PARAMETERS_DOC,
    alpha=_ALPHA_DOC.format(default="1.0"),
    n_interpolations=_N_INTERPOLATIONS_DOC.format(default=5),
)
