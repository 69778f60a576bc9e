"""EpBeta mixup: synthetic rows that keep the variance and covariance."""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from skmixup.resampling._base import (
    _MISSING_VALUES_DOC,
    _N_INTERPOLATIONS_DOC,
    _RESAMPLER_PARAMETERS_DOC,
    BaseMixupResampler,
)
from skmixup.weights import EpBeta


class EpBetaMixupResampler(BaseMixupResampler):
    """Structure-preserving mixup with weights from an expanded Beta law.

    New rows are ``w x_i + (1 - w) x_j`` for pairs of rows of one class (or
    of the whole table for a continuous target, which is mixed with the same
    weight). The weight follows ``EpBeta(alpha, beta, eps0, eps1)`` on
    ``[-eps0, 1 + eps1]``; by default ``alpha`` and ``beta`` are solved in
    closed form so that ``E[W^2] = E[W] = mean``, which keeps the mean, the
    variance and the whole covariance matrix of the data. Classic mixup
    (weights in ``[0, 1]``) shrinks the covariance at every synthesis.

    Parameters
    ----------
    {parameters}

    eps0, eps1 : float, default=0.3
        Expansion of the weights' support below 0 and above 1 (``>= 0``,
        not both 0 when ``alpha``/``beta`` are solved).

    mean : float or None, default=None
        Mean of the weight, in ``(0, 1)``; ``None`` means 0.5. A mean near 1
        keeps new rows close to their anchor row: a categorical column
        (copied from the anchor) then has its conditional mean biased by at
        most ``1 - mean`` times the gap between its group's mean and the
        overall mean, while the variance stays exact.

    alpha, beta : float or None, default=None
        Give both to use ``EpBeta(alpha, beta, eps0, eps1)`` as it is
        instead of the variance-preserving solution (then leave ``mean``
        unset).

    {n_interpolations}

    {missing_values}

    random_state : int, RandomState instance, numpy Generator or None, default=None
        Seed of the pairs and weights.

    Attributes
    ----------
    weight_law_ : EpBeta
        The law the weights were drawn from.
    alpha_, beta_ : float
        Its shape parameters (solved or given).
    sampling_strategy_ : dict or None
        New rows per class; ``None`` for a continuous target.
    n_synthetic_ : int
        Number of new rows.
    target_type_ : str or None
        'classification' or 'regression', as read from ``y``; ``None``
        when no ``y`` was given (the whole table is one group).
    categorical_features_ : ndarray of int
        Positions of the columns copied from the anchor row.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when ``X`` has string column names.

    See Also
    --------
    skmixup.weights.EpBeta : the weight law.

    Notes
    -----
    Pairs: the anchor is drawn uniformly in its class and the partner
    uniformly among the *other* rows of that class, so a class with a single
    row cannot receive new rows (a ``ValueError`` says so; pass
    ``single_row_classes='skip'`` to give it none, or leave it out of
    ``sampling_strategy``).

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup import EpBetaMixupResampler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> y = np.r_[np.zeros(80, dtype=int), np.ones(20, dtype=int)]
    >>> X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((160, 3), [80, 80])
    """

    _parameter_constraints: dict = {
        **BaseMixupResampler._parameter_constraints,
        "eps0": [Interval(numbers.Real, 0, None, closed="left")],
        "eps1": [Interval(numbers.Real, 0, None, closed="left")],
        "mean": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "alpha": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "beta": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "missing_values": [StrOptions({"refuse", "keep"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        factor=None,
        n_samples=None,
        eps0=0.3,
        eps1=0.3,
        mean=None,
        alpha=None,
        beta=None,
        categorical_features="auto",
        clip="dtype",
        synthetic_only=False,
        target_type="auto",
        single_row_classes="raise",
        n_interpolations=1,
        random_state=None,
        missing_values="refuse",
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
        self.missing_values = missing_values
        self.eps0 = eps0
        self.eps1 = eps1
        self.mean = mean
        self.alpha = alpha
        self.beta = beta

    def _make_weight_law(self, X, y) -> EpBeta:
        explicit = (self.alpha is not None, self.beta is not None)
        if any(explicit) and not all(explicit):
            raise ValueError("give both alpha and beta, or neither (to solve them from mean).")
        if all(explicit):
            if self.mean is not None:
                raise ValueError(
                    "give either mean (alpha and beta are then solved) or alpha and beta, not both."
                )
            law = EpBeta(self.alpha, self.beta, self.eps0, self.eps1)._validate()
        else:
            mean = 0.5 if self.mean is None else self.mean
            law = EpBeta.variance_preserving(self.eps0, self.eps1, mean)
        self.alpha_, self.beta_ = float(law.alpha), float(law.beta)
        return law


EpBetaMixupResampler.__doc__ = EpBetaMixupResampler.__doc__.format(
    parameters=_RESAMPLER_PARAMETERS_DOC,
    n_interpolations=_N_INTERPOLATIONS_DOC.format(default=1),
    missing_values=_MISSING_VALUES_DOC,
)
