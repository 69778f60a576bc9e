"""Weight laws for mixup: exact moments, sampling and the EpBeta solver.

A weight law is the distribution of the weight ``W`` in
``x_new = W * x_i + (1 - W) * x_j``. Every law exposes its exact first two
moments and the factor ``1 - 2 E[W] + 2 E[W^2]`` by which mixing i.i.d. rows
multiplies their covariance matrix (see ``ALGORITHMS.md`` section 1).
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator

from skmixup._random import as_generator

__all__ = ["WeightLaw", "Beta", "EpBeta"]


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    return value


def _check_non_negative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return value


def _representable(value: float) -> bool:
    """Finite and not within the smallest floats."""
    return bool(np.isfinite(value)) and abs(value) >= 1e-300


def _check_shapes(alpha: float, beta: float) -> None:
    # numpy's Beta sampler needs alpha + beta finite (1e308 each draws only 0).
    if not np.isfinite(alpha + beta + 1.0) or min(alpha, beta) < 1e-300:
        raise ValueError(
            f"alpha={alpha!r} and beta={beta!r} cannot be sampled in floating "
            "point: keep them between 1e-300 and about 1e300 (alpha + beta finite)."
        )


# W = c V - eps0 carries a rounding error of about c * 1e-16: past this width
# the weights (and their moments) are no longer what the law says.
_MAX_WIDTH = 1e8


def _check_width(eps0: float, eps1: float) -> None:
    if not 1.0 + eps0 + eps1 <= _MAX_WIDTH:
        raise ValueError(
            f"eps0={eps0!r} and eps1={eps1!r} are too large: weights on "
            f"[-eps0, 1 + eps1] wider than {_MAX_WIDTH:g} lose their precision in "
            "floating point (rounding error about (1 + eps0 + eps1) * 1e-16)."
        )


class WeightLaw(BaseEstimator, ABC):
    """Distribution of the mixing weight ``W``.

    Subclasses provide the exact moments and a sampler; everything derived
    from the moments lives here. Laws follow scikit-learn's parameter
    protocol (``get_params``/``set_params``, ``clone``): ``__init__`` stores
    its arguments as given and they are validated when the law is used
    (moments, draws) or by :meth:`_validate`, so a search may set
    ``..._weight_law__alpha``.
    """

    def _validate(self) -> WeightLaw:
        """Check the parameters (raises ValueError/TypeError naming one); return self."""
        self._shape_parameters()
        return self

    @abstractmethod
    def _shape_parameters(self) -> tuple:
        """Validated parameters as floats (raises on an invalid one)."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Closed interval that contains every drawn weight."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """Exact ``E[W]``."""

    @property
    @abstractmethod
    def second_moment(self) -> float:
        """Exact ``E[W^2]``."""

    @abstractmethod
    def _affine_beta(self) -> tuple[float, float, float, float]:
        """``(a, b, scale, offset)`` such that ``W = scale * V - offset``, ``V ~ Beta(a, b)``."""

    def _from_unit(self, unit):
        """Map ``Beta(a, b)`` draws (numpy or torch, modified in place) to weights."""
        _, _, scale, offset = self._affine_beta()
        if scale != 1.0:
            unit *= scale
        if offset != 0.0:
            unit -= offset
        return unit

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` weights with a validated numpy generator."""
        a, b, _, _ = self._affine_beta()
        return self._from_unit(rng.beta(a, b, size=n))

    def sample_on_device(self, n: int, generator):
        """Draw ``n`` weights from a ``torch.Generator``, on its device.

        The mixing of training batches uses this so that no draw crosses
        from the host; the law is the same as :meth:`sample`'s.

        Parameters
        ----------
        n : int
            Number of weights, ``n >= 0``.
        generator : torch.Generator

        Returns
        -------
        weights : torch.Tensor of shape (n,)
            float64 (float32 on MPS), on ``generator.device``.
        """
        from skmixup._torch_random import standard_beta

        a, b, scale, offset = self._affine_beta()
        return standard_beta(a, b, int(n), generator, scale, offset)

    @property
    def variance(self) -> float:
        """Exact ``Var[W]``."""
        return self.second_moment - self.mean**2

    @property
    def covariance_factor(self) -> float:
        """Factor ``1 - 2 E[W] + 2 E[W^2]`` applied to the covariance by mixing.

        Equal to 1 exactly when ``E[W^2] = E[W]`` (variance preservation).
        """
        return 1.0 - 2.0 * self.mean + 2.0 * self.second_moment

    @property
    def within_unit_interval(self) -> bool:
        """Whether every weight lies in ``[0, 1]`` (safe for soft labels)."""
        low, high = self.support
        return low >= 0.0 and high <= 1.0

    def sample(self, n: int, random_state=None) -> np.ndarray:
        """Draw ``n`` independent weights.

        Parameters
        ----------
        n : int
            Number of weights, ``n >= 0``.
        random_state : int, RandomState instance, Generator or None, default=None
            Source of randomness.

        Returns
        -------
        weights : ndarray of shape (n,), dtype float64
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}.")
        return self._sample(int(n), as_generator(random_state))

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    @abstractmethod
    def _key(self) -> tuple:
        """Parameters that identify the law."""


class Beta(WeightLaw):
    """Beta law of classic mixup, ``W ~ Beta(alpha, beta)`` on ``[0, 1]``.

    Parameters
    ----------
    alpha : float
        First shape parameter, ``> 0``.
    beta : float or None, default=None
        Second shape parameter, ``> 0``; ``None`` means ``beta = alpha``
        (the symmetric law of the mixup paper). ``Beta(1)`` is uniform.

    Examples
    --------
    >>> from skmixup.weights import Beta
    >>> law = Beta(1.0)  # uniform weights
    >>> round(law.covariance_factor, 4)  # uniform mixup keeps 2/3 of the covariance
    0.6667
    >>> law.sample(3, random_state=0).shape
    (3,)
    """

    def __init__(self, alpha: float, beta: float | None = None):
        self.alpha = alpha
        self.beta = beta

    def _shape_parameters(self) -> tuple[float, float]:
        alpha = _check_positive("alpha", self.alpha)
        beta = alpha if self.beta is None else _check_positive("beta", self.beta)
        _check_shapes(alpha, beta)
        return alpha, beta

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    @property
    def mean(self) -> float:
        a, b = self._shape_parameters()
        return a / (a + b)

    @property
    def second_moment(self) -> float:
        a, b = self._shape_parameters()
        return a * (a + 1.0) / ((a + b) * (a + b + 1.0))

    def _affine_beta(self):
        return (*self._shape_parameters(), 1.0, 0.0)

    def _key(self):
        return (self.alpha, self.alpha if self.beta is None else self.beta)

    def __repr__(self) -> str:
        alpha, beta = self._key()
        try:
            return f"Beta(alpha={alpha:g}, beta={beta:g})"
        except (TypeError, ValueError):  # not numbers: shown as given
            return f"Beta(alpha={alpha!r}, beta={beta!r})"


class EpBeta(WeightLaw):
    """Expanded Beta law on ``[-eps0, 1 + eps1]`` (structure-preserving mixup).

    ``W = c V - eps0`` with ``V ~ Beta(alpha, beta)`` and
    ``c = 1 + eps0 + eps1``. Weights below 0 or above 1 extrapolate past one
    row of the pair; that is what lets ``E[W^2] = E[W]`` hold, which keeps the
    covariance matrix of the mixed data equal to the original's.

    Parameters
    ----------
    alpha, beta : float
        Shape parameters of the underlying Beta law, ``> 0``.
    eps0, eps1 : float
        Expansion below 0 and above 1, ``>= 0``.

    See Also
    --------
    EpBeta.variance_preserving : the closed-form member with ``E[W^2] = E[W]``.

    Examples
    --------
    >>> from skmixup.weights import EpBeta
    >>> law = EpBeta.variance_preserving(eps0=0.3, eps1=0.3, mean=0.5)
    >>> round(law.alpha, 4), round(law.beta, 4)  # alpha = beta = 2 e (1 + e)
    (0.78, 0.78)
    >>> round(law.covariance_factor, 12)
    1.0
    """

    def __init__(self, alpha: float, beta: float, eps0: float, eps1: float):
        self.alpha = alpha
        self.beta = beta
        self.eps0 = eps0
        self.eps1 = eps1

    def _shape_parameters(self) -> tuple[float, float, float, float]:
        alpha = _check_positive("alpha", self.alpha)
        beta = _check_positive("beta", self.beta)
        eps0 = _check_non_negative("eps0", self.eps0)
        eps1 = _check_non_negative("eps1", self.eps1)
        _check_shapes(alpha, beta)
        _check_width(eps0, eps1)
        return alpha, beta, eps0, eps1

    @classmethod
    def variance_preserving(cls, eps0: float = 0.3, eps1: float = 0.3, mean: float = 0.5) -> EpBeta:
        """Closed-form member of the family with ``E[W^2] = E[W] = mean``.

        Parameters
        ----------
        eps0, eps1 : float, default=0.3
            Expansion of the support below 0 and above 1; ``>= 0`` and not
            both 0 (a law on ``[0, 1]`` cannot preserve the variance).
        mean : float, default=0.5
            Mean of the weight, in ``(0, 1)``. Values near 1 keep synthetic
            rows close to their anchor row: when something is copied from the
            anchor (a hard label, a categorical column) its conditional mean
            is biased by at most ``1 - mean`` times the gap between group and
            overall means.

        Returns
        -------
        law : EpBeta
        """
        eps0 = _check_non_negative("eps0", eps0)
        eps1 = _check_non_negative("eps1", eps1)
        if isinstance(mean, bool) or not isinstance(mean, numbers.Real):
            raise TypeError(f"mean must be a real number, got {type(mean).__name__}.")
        mean = float(mean)
        if not 0.0 < mean < 1.0:
            raise ValueError(f"mean must lie in the open interval (0, 1), got {mean!r}.")
        if eps0 == 0.0 and eps1 == 0.0:
            raise ValueError(
                "eps0 and eps1 are both 0: no law on [0, 1] has E[W^2] = E[W] "
                "apart from the degenerate one; give eps0 > 0 or eps1 > 0."
            )
        _check_width(eps0, eps1)
        c = 1.0 + eps0 + eps1
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            total = (eps0 * (1.0 - mean) + eps1 * mean + eps0 * eps1) / (mean * (1.0 - mean))
            alpha = (mean + eps0) * total / c
            beta = (1.0 + eps1 - mean) * total / c
        if not all(_representable(v) for v in (c, alpha, beta, alpha + beta + 1.0)):
            raise ValueError(
                f"eps0={eps0!r}, eps1={eps1!r} and mean={mean!r} are too extreme: the "
                f"variance-preserving law would need shape parameters alpha={alpha:g} "
                f"and beta={beta:g}, beyond what floating point can sample. Keep eps0 "
                "and eps1 above about 1e-100 (or exactly 0) and mean further from 0 and 1."
            )
        return cls(alpha, beta, eps0, eps1)

    @property
    def scale(self) -> float:
        """Width ``c = 1 + eps0 + eps1`` of the support."""
        _, _, eps0, eps1 = self._shape_parameters()
        return 1.0 + eps0 + eps1

    @property
    def support(self) -> tuple[float, float]:
        _, _, eps0, eps1 = self._shape_parameters()
        return (0.0 - eps0, 1.0 + eps1)  # 0.0 - 0.0 avoids -0.0

    @property
    def mean(self) -> float:
        a, b, e0, e1 = self._shape_parameters()
        return (1.0 + e0 + e1) * a / (a + b) - e0

    @property
    def second_moment(self) -> float:
        a, b, e0, e1 = self._shape_parameters()
        c = 1.0 + e0 + e1
        m1 = a / (a + b)
        m2 = a * (a + 1.0) / ((a + b) * (a + b + 1.0))
        return c * c * m2 - 2.0 * e0 * c * m1 + e0 * e0

    def _affine_beta(self):
        a, b, e0, e1 = self._shape_parameters()
        return (a, b, 1.0 + e0 + e1, e0)

    def _key(self):
        return (self.alpha, self.beta, self.eps0, self.eps1)

    def __repr__(self) -> str:
        try:
            return (
                f"EpBeta(alpha={self.alpha:g}, beta={self.beta:g}, "
                f"eps0={self.eps0:g}, eps1={self.eps1:g})"
            )
        except (TypeError, ValueError):  # not numbers: shown as given
            return (
                f"EpBeta(alpha={self.alpha!r}, beta={self.beta!r}, "
                f"eps0={self.eps0!r}, eps1={self.eps1!r})"
            )
