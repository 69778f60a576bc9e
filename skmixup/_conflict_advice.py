"""The conflict check's reading: graded verdict and measured advice.

``ALGORITHMS.md`` section 7. :func:`skmixup.metrics.mixup_conflicts`
measures; this module says what the figures mean and which other settings
to try. Every candidate setting is measured on the same data with the same
seed, and only those that lower the conflict fraction are suggested.

Verdict thresholds
------------------
The data-dependency paper (Chidambaram et al., ICLR 2022, Assumption 2.9)
proves mixup harmless when no mixed point comes within ``epsilon > 0`` of a
third-class point, and checks it on MNIST and CIFAR with one epoch of mixed
points. With ``threshold=0.5`` the check reads that condition at
``epsilon = 0.5 x`` the median gap between classes:

* ``none``: no mixed point within that distance and no row shared by
  several classes, the paper's condition holds. On ``load_digits`` (8 x 8
  digits, the closest data set at hand to the paper's MNIST setting, raw
  pixels), classic mixup with ``Beta(1, 1)`` and ``Beta(1024, 1024)`` gives
  0 conflicts for seeds 0-2, the closest mixed point at 0.59-0.64 x the gap.
* ``high``: at least :data:`HIGH_FRACTION` (5%) of the mixed points, or of
  the rows shared by several classes. The alternating line of section 6,
  where mixup is known to fail, gives 5.0% (``alpha=0.1``), 17.5%
  (``alpha=1``) and 25% (``alpha=1024``): its mildest setting marks the
  boundary.
* ``low``: anything in between: some mixed points sit on another class,
  fewer than on the known failure; the network can usually fit around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["HIGH_FRACTION", "Candidate", "candidate_settings", "grade"]

#: A share of conflicting mixed points (or of rows shared by several
#: classes) from which the verdict is ``high``.
HIGH_FRACTION = 0.05


def grade(conflict_fraction: float, shared_fraction: float) -> str:
    """``'none'``, ``'low'`` or ``'high'`` (see the module's thresholds).

    Examples
    --------
    >>> grade(0.0, 0.0), grade(0.011, 0.0), grade(0.12, 0.0), grade(0.0, 0.01)
    ('none', 'low', 'high', 'low')
    """
    if conflict_fraction >= HIGH_FRACTION or shared_fraction >= HIGH_FRACTION:
        return "high"
    if conflict_fraction > 0 or shared_fraction > 0:
        return "low"
    return "none"


@dataclass(frozen=True)
class Candidate:
    """One other setting, measured on the same data and seed.

    Attributes
    ----------
    change : str
        What differs from the checked setting: ``'within_class'``,
        ``'standardize'``, ``'k'`` (larger block, k-mixup's matching),
        ``'alpha'`` (smaller Beta parameter) or ``'kmixup'`` (k-mixup in
        place of an EpBeta mixer).
    value : object
        The new value (``True``, the new ``k`` or ``alpha``).
    mixer : BaseMixupResampler
        The mixer of this setting.
    within_class, standardize : bool
        The flags of this setting.
    conflict_fraction : float
        Its share of conflicting mixed points.
    lowers : bool
        Whether it has fewer conflicts than the checked setting (only those
        are suggested).
    """

    change: str
    value: object
    mixer: object = field(compare=False)
    within_class: bool = False
    standardize: bool = False
    conflict_fraction: float = 0.0
    lowers: bool = False

    @property
    def python(self) -> str:
        """The setting as Python arguments of :func:`~skmixup.metrics.mixup_conflicts`."""
        if self.change in ("within_class", "standardize"):
            return f"{self.change}=True"
        text = f"mixer={self.mixer!r}"
        if self.change in ("k", "kmixup") and "k=" not in text:
            text += f" (k={self.value})"
        return text


def candidate_settings(mixer, within_class: bool, standardize: bool, n_batch_rows: int) -> list:
    """``(change, value, mixer, within_class, standardize)`` of the settings worth measuring.

    One change each from the checked setting: pairs within classes, the
    features standardized, a larger k-mixup block (matched pairs stay on
    the data; capped at the rows of a batch), a smaller Beta ``alpha``
    (weights near 0 or 1 keep mixed points near one end of their pair).
    """
    from sklearn.base import clone

    from skmixup.resampling import EpBetaMixupResampler, KMixupResampler

    settings = []
    if not within_class:
        settings.append(("within_class", True, mixer, True, standardize))
    if not standardize:
        settings.append(("standardize", True, mixer, within_class, True))
    params = mixer.get_params()
    if isinstance(mixer, EpBetaMixupResampler):
        k = min(16, n_batch_rows)
        if k > 1:
            settings.append(("kmixup", k, KMixupResampler(k=k), within_class, standardize))
    elif "k" in params:
        k = min(max(16, 4 * params["k"]), n_batch_rows)
        if k > params["k"]:
            settings.append(("k", k, clone(mixer).set_params(k=k), within_class, standardize))
    if params.get("alpha") is not None and not isinstance(mixer, EpBetaMixupResampler):
        alpha = params["alpha"] / 4
        settings.append(
            ("alpha", alpha, clone(mixer).set_params(alpha=alpha), within_class, standardize)
        )
    return settings
