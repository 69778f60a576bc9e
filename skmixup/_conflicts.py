"""Will mixup hurt on this data? Distances from mixed points to third-class points.

``ALGORITHMS.md`` section 7. One epoch of mixed points is drawn as network
training draws it (a shuffled epoch cut into batches, each batch mixed by
the engine with the mixer's weight law, pairing and multiplicity); for every
mixed point of a pair of classes ``i`` and ``j`` the distance to the nearest
original point of any class other than ``i`` and ``j`` is found with one
scikit-learn ``NearestNeighbors`` index per class, queried in chunks with the
mixed points whose pair does not involve that class.

The features are measured after multiplying them by a power of two that
brings the largest absolute value into ``[0.5, 1)``: exact (distances are
multiplied back by the same power), and no square of a distance overflows
or underflows, whatever the features' unit (``1e300`` or ``1e-300``).
:mod:`skmixup._conflict_advice` grades the result and measures the advice.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from skmixup._conflict_advice import HIGH_FRACTION, Candidate, candidate_settings, grade
from skmixup._engine import MixPlan, draw_batch_plan, interpolate
from skmixup._random import as_generator

__all__ = ["MixupConflicts", "mixup_conflicts"]

# Mixed points are made and queried in chunks of about this many bytes.
_CHUNK_BYTES = 4 << 20
# The reference scale is a median: estimated on at most this many rows.
_SCALE_ROWS = 10_000
# A mixed point this close to a third-class point, relative to the spread of
# the data (root mean squared distance of the rows to their mean), is on it:
# networks train in float32, whose rounding (1.2e-7 relative) cannot tell
# such inputs apart. It makes distance-0 conflicts count when the scale is 0.
_NEAR_ZERO = 1e-6
# Feature scales (standard deviations) further apart than this are reported.
_SCALE_RATIO = 10.0


@dataclass(frozen=True, repr=False)
class MixupConflicts:
    """Result of :func:`mixup_conflicts`.

    Attributes
    ----------
    min_distance : float
        Smallest distance from a mixed point to an original point of a third
        class (the data-dependency paper's estimate of ``epsilon``); ``inf``
        when no mixed point has a third class (two classes, cross-class pairs
        only).
    quantiles : dict of float to float
        Quantiles of those distances (finite distances only).
    scale : float
        Reference distance: median distance from an original row to its
        nearest row of another class (0 when most rows have an identical
        row in another class).
    threshold : float
        A mixed point is a conflict when its distance is below
        ``threshold * scale`` (or at most ``near_zero``).
    conflict_fraction : float
        Share of all mixed points that are conflicts.
    n_mixed : int
        Mixed points drawn (one epoch).
    pair_conflicts : dict of (label, label) to int
        Conflicts per class pair of the mixed points (the smaller class
        first, in the order of ``numpy.unique``), largest first; pairs
        without conflicts are left out.
    near_zero : float
        Distances up to this are conflicts whatever the scale: ``1e-6``
        times the spread of the data (root mean squared distance of the rows
        to their mean), below what float32 inputs resolve.
    standardized : bool
        Whether the distances were measured on standardized features.
    shared_rows : int
        Rows whose features are identical to those of a row of another
        class (distance 0 between classes: no classifier fits them all).
    shared_groups : int
        Distinct feature vectors that carry several classes.
    n_rows : int
        Rows of ``X``.
    feature_scale_ratio : float
        Largest over smallest standard deviation of the non-constant
        features as given (before any standardization); 1 with one feature.
    scale_warning : str or None
        When that ratio exceeds 10 and the features were not standardized:
        which columns dominate the distances.
    advice : tuple of Candidate
        Other settings, each measured on the same data and seed (empty
        without conflicts or with ``advise=False``).
    test : MixupConflicts or None
        The same measures against the held-out points ``X_test`` (same mixed
        points, same ``scale``); ``None`` without ``X_test``.
    distances : ndarray of shape (n_mixed,)
        Distance of every mixed point (``inf`` when no class is eligible).
    nearest : ndarray of shape (n_mixed,), dtype intp
        Row of the nearest third-class point (of ``X``, or ``X_test`` for
        ``test``); ``-1`` where the distance is ``inf``.
    plan : MixPlan
        The mixed points: rows ``anchors`` and ``partners`` of ``X`` mixed
        with anchor weights ``weights`` (all batches of the epoch, in order).
    pair_classes : ndarray of shape (n_mixed, 2)
        Class labels of the anchor and the partner of every mixed point.
    """

    min_distance: float
    quantiles: dict
    scale: float
    threshold: float
    conflict_fraction: float
    n_mixed: int
    pair_conflicts: dict
    near_zero: float = 0.0
    standardized: bool = False
    shared_rows: int = 0
    shared_groups: int = 0
    n_rows: int = 0
    feature_scale_ratio: float = 1.0
    scale_warning: str | None = None
    advice: tuple = ()
    test: MixupConflicts | None = None
    distances: np.ndarray = field(default=None, compare=False)
    nearest: np.ndarray = field(default=None, compare=False)
    plan: MixPlan = field(default=None, compare=False)
    pair_classes: np.ndarray = field(default=None, compare=False)

    @property
    def is_conflict(self) -> np.ndarray:
        """Boolean mask of the conflicting mixed points."""
        return _conflict_mask(self.distances, self.threshold * self.scale, self.near_zero)

    @property
    def verdict(self) -> str:
        """``'none'``, ``'low'`` or ``'high'``: see :mod:`skmixup._conflict_advice`.

        ``high`` from 5% of conflicting mixed points (or of rows shared by
        several classes), the share of the mildest alternating-line setting
        on which mixup is known to fail; ``none`` when the data-dependency
        paper's condition holds at ``threshold x scale``.
        """
        return grade(self.conflict_fraction, self.shared_rows / max(self.n_rows, 1))

    @property
    def suggestions(self) -> tuple:
        """The measured settings with fewer conflicts, fewest first."""
        lower = [c for c in self.advice if c.lowers]
        return tuple(sorted(lower, key=lambda c: c.conflict_fraction))

    def mixed_points(self, X) -> np.ndarray:
        """The mixed points, recomputed from ``plan`` and the ``X`` that was checked.

        In the units of ``X`` as given, also after ``standardize=True``
        (standardizing is affine per column: it commutes with mixing).
        """
        X = check_array(X, dtype=np.float64, input_name="X")
        return interpolate(X, self.plan)

    def __repr__(self) -> str:
        test = "" if self.test is None else f", test={self.test!r}"
        return (
            f"MixupConflicts(min_distance={self.min_distance:.4g}, "
            f"conflict_fraction={self.conflict_fraction:.4g}, scale={self.scale:.4g}, "
            f"threshold={self.threshold:g}, n_mixed={self.n_mixed}, "
            f"verdict={self.verdict!r}{test})"
        )

    def summary(self) -> str:
        """The measures, the verdict and the measured advice, as text.

        ``skmixup check`` prints the same, with its options in place of
        Python arguments.
        """
        return self._format(lambda candidate: candidate.python)

    def _format(self, describe) -> str:
        """:meth:`summary`, each advised setting worded by ``describe(candidate)``."""
        if self.standardized:
            lines = ["measured on: standardized features (each centred, divided by its SD)"]
        else:
            lines = ["measured on: the features as given (Euclidean distances in their units)"]
        if self.scale_warning is not None:
            lines.append(f"warning: {self.scale_warning}")
        rows = [("mixed points (one epoch)", f"{self.n_mixed:,}")]
        rows += _measure_rows(self, "")
        if self.test is not None:
            rows += _measure_rows(self.test, "test: ")
        width = max(len(name) for name, _ in rows)
        lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
        if self.shared_rows:
            lines.append(
                f"rows shared by several classes: {self.shared_rows:,} of {self.n_rows:,} "
                f"({self.shared_groups:,} distinct feature vectors with more than one class)"
            )
        for label, report in [("", self), ("test ", self.test)]:
            if report is None or not report.pair_conflicts:
                continue
            lines.append(f"{label}conflicts by class pair:")
            shown = list(report.pair_conflicts.items())
            for (first, second), count in shown[:10]:
                lines.append(f"  {first!s} + {second!s}: {count:,}")
            if len(shown) > 10:
                lines.append(f"  ... and {len(shown) - 10} more pairs")
        lines += _verdict_lines(self)
        lines += _advice_lines(self, describe)
        return "\n".join(lines)


def _conflict_mask(distances, limit: float, near_zero: float) -> np.ndarray:
    return (distances < limit) | (distances <= near_zero)


def _relative(report: MixupConflicts) -> str:
    if report.scale > 0:
        return f"{report.min_distance / report.scale:.4g}"
    return "n/a (scale 0)"


def _closest(report: MixupConflicts) -> str:
    if report.scale > 0:
        return f"the closest at {_relative(report)} x the gap"
    return (
        f"the closest at distance {report.min_distance:.3g}; the gap is 0: most rows have a "
        "copy in another class"
    )


def _measure_rows(report: MixupConflicts, prefix: str) -> list[tuple[str, str]]:
    rows = [
        (f"{prefix}min distance to a third class", f"{report.min_distance:.4g}"),
        (f"{prefix}  relative to the scale", _relative(report)),
    ]
    rows += [(f"{prefix}  quantile {q:g}", f"{value:.4g}") for q, value in report.quantiles.items()]
    if not prefix:
        rows.append(("scale (median distance to another class)", f"{report.scale:.4g}"))
    rows.append(
        (
            f"{prefix}conflicts (closer than {report.threshold:g} x scale)",
            f"{report.conflict_fraction:.2%}",
        )
    )
    return rows


def _verdict_lines(report: MixupConflicts) -> list[str]:
    verdict = report.verdict
    shared = []
    if report.shared_rows:
        shared = [
            f"  {report.shared_rows:,} rows have the features of a row of another class: no "
            "classifier can fit them all, with or without mixup (deduplicate or relabel them)."
        ]
    if not np.isfinite(report.min_distance):
        first = (
            f"verdict: {verdict}. No mixed point has a third class to land on (two classes, "
            "every pair across them)"
        )
        if verdict == "none":
            return [first + ": the condition holds."]
        return [first + ", but:", *shared]
    if report.conflict_fraction == 0:
        near = (
            f"comes closer than {report.threshold:g} x the median gap between classes to"
            if report.scale > 0
            else "lies on"
        )
        first = (
            f"verdict: {verdict}. No mixed point {near} a point of a class it was not mixed "
            f"from ({_closest(report)})"
        )
        if verdict == "none":
            return [first + ": mixup should not keep the network from fitting the training rows."]
        return [first + ", but:", *shared]
    line = f"the alternating line, where mixup is known to fail ({HIGH_FRACTION:.0%} and more)"
    reading = (
        f"as many as on {line}: the network is asked for different labels at almost the "
        "same input and may not fit those rows."
        if verdict == "high"
        else f"fewer than on {line}: the network can usually fit around them."
    )
    return [
        f"verdict: {verdict}. {report.conflict_fraction:.2%} of the mixed points lie closer "
        f"than {report.threshold:g} x the median gap between classes to a point of a class "
        f"they were not mixed from ({_closest(report)}); " + reading,
        *shared,
    ]


def _advice_lines(report: MixupConflicts, describe) -> list[str]:
    if not report.advice:
        return []
    lines = [
        "advice (each setting measured on the same data and seed; this one: "
        f"{report.conflict_fraction:.2%}):"
    ]
    suggested = report.suggestions
    others = [c for c in report.advice if not c.lowers]
    width = max(len(describe(c)) for c in report.advice)
    if suggested:
        lines.append("  try (fewer conflicts):")
        lines += [f"    {describe(c).ljust(width)}  {c.conflict_fraction:.2%}" for c in suggested]
    else:
        lines.append("  no setting tried has fewer conflicts.")
    if others:
        lines.append("  not suggested (no fewer conflicts):")
        lines += [f"    {describe(c).ljust(width)}  {c.conflict_fraction:.2%}" for c in others]
    return lines


def mixup_conflicts(
    X,
    y,
    mixer,
    *,
    within_class: bool = False,
    standardize: bool = False,
    threshold: float = 0.5,
    batch_size: int = 128,
    quantiles=(0.01, 0.1, 0.5),
    X_test=None,
    y_test=None,
    advise: bool = True,
    random_state=None,
) -> MixupConflicts:
    """Distances from one epoch of mixed points to points of a third class.

    Cross-class mixup can fail to fit the training data when a mixed point
    of classes ``i`` and ``j`` lands on, or next to, an original point of a
    third class: the network is asked for two different labels at almost
    the same input. Mixup is safe (Chidambaram et al., ICLR 2022,
    Assumption 2.9) when no mixed point comes within some ``epsilon > 0`` of
    such a point; this function estimates ``epsilon`` as they do, from one
    epoch of mixed points, and says how many mixed points are close.

    The mixed points are drawn as :class:`~skmixup.neural_net.MixupNeuralNetClassifier`
    draws them: the rows are shuffled and cut into batches of ``batch_size``
    rows, and every batch is mixed with the mixer's weight law, pairing
    (random, or k-mixup's matching inside the batch) and
    ``n_interpolations``, across classes by default. For a pair of classes
    ``i`` and ``j`` the distance is to the nearest point of any class other
    than ``i`` and ``j``; for a pair within class ``i``, of any class other
    than ``i``. A cross-class pair of a two-class problem has no third class
    (distance ``inf``, never a conflict). Rows whose features equal those of
    a row of another class are counted (``shared_rows``).

    The result is graded (``verdict``: ``'none'``, ``'low'`` from the first
    conflict or shared row, ``'high'`` from 5%: the thresholds and why are
    in :mod:`skmixup._conflict_advice`) and, when there are conflicts,
    other settings are measured on the same data with the same seed
    (``advice``): pairs within classes, standardized features, a larger
    k-mixup block, a smaller ``alpha``. ``summary()`` shows both.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Numeric features, without missing values (scale them as the network
        will see them, or pass ``standardize=True``: distances are
        Euclidean). A DataFrame's column names appear in the warnings.
    y : array-like of shape (n_samples,)
        Class labels, at least 2 classes.
    mixer : BaseMixupResampler
        A skmixup resampler (e.g. ``KMixupResampler(k=1, alpha=1.0)`` for
        classic mixup); only its weight law, pairing and ``n_interpolations``
        are used, on a clone. A law with weights outside ``[0, 1]``
        (EpBeta) needs ``within_class=True``, as in the classifier.
    within_class : bool, default=False
        Pair rows within the classes of each batch, as
        ``MixupNeuralNetClassifier(within_class=True)`` does.
    standardize : bool, default=False
        Measure on the features standardized by
        :class:`~sklearn.preprocessing.StandardScaler` fitted on ``X``
        (``X_test`` transformed with it): the same result as passing
        ``StandardScaler().fit_transform(X)``. Without it, a ``UserWarning``
        names the dominating columns when the features' standard deviations
        differ by more than 10x.
    threshold : float, default=0.5
        A mixed point is a conflict when it is closer to a third-class point
        than ``threshold * scale``, where ``scale`` is the median distance
        from a row to its nearest row of another class (estimated on at most
        10 000 rows drawn at random), or when it lies on one (within
        ``1e-6`` times the spread of the data, whatever the scale). With 0.5
        a conflict lies nearer to a point of another class than half the
        typical gap between classes.
    batch_size : int, default=128
        Rows per training batch before mixing (``-1``: the whole data as one
        batch); 128 is the neural-network estimators' default. It matters for
        k-mixup, which matches blocks inside each batch.
    quantiles : sequence of float, default=(0.01, 0.1, 0.5)
        Quantiles of the distances to report, each in ``[0, 1]``.
    X_test, y_test : array-like, default=None
        Held-out rows and labels: the same distances are also measured to
        their points (result's ``test``), with the training ``scale``.
    advise : bool, default=True
        When there are conflicts, measure the other settings (up to four
        more epochs of the same cost, without ``X_test``).
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the epoch (shuffle, pairs, weights) and of the rows the scale
        is estimated on; the advice reuses it (a seed drawn once when it is
        not an int).

    Returns
    -------
    result : MixupConflicts
        ``min_distance``, ``quantiles``, ``scale``, ``conflict_fraction``,
        ``pair_conflicts``, ``shared_rows``, ``verdict``, ``advice`` and,
        per mixed point, ``distances`` and the ``plan`` that made it;
        ``summary()`` formats them.

    Notes
    -----
    Memory is O(rows): the indexes hold the rows once, and mixed points are
    made and queried in chunks, never an ``n x n`` matrix. Time is that of
    the nearest-neighbour queries, about ``n_mixed x n_samples x
    n_features`` operations in many dimensions (scikit-learn's exact
    brute-force search; trees in few dimensions).

    Examples
    --------
    >>> from skmixup import KMixupResampler
    >>> from skmixup.datasets import make_alternating_line
    >>> from skmixup.metrics import mixup_conflicts
    >>> X, y = make_alternating_line(20)
    >>> mixer = KMixupResampler(k=1, alpha=1024.0)  # weights very close to 1/2
    >>> result = mixup_conflicts(X, y, mixer, random_state=0)
    >>> bool(result.min_distance < 0.1)  # a midpoint falls on a point of the other class
    True
    >>> result.scale  # neighbours of another class are 1 apart
    1.0
    >>> result.verdict
    'high'
    >>> result.conflict_fraction
    0.2
    >>> result.suggestions  # settings measured with fewer conflicts: none here
    ()
    """
    from skmixup.resampling import BaseMixupResampler

    if not isinstance(mixer, BaseMixupResampler):
        raise TypeError(
            f"mixer must be a skmixup resampler (e.g. KMixupResampler), got {type(mixer).__name__}."
        )
    within_class = _check_flag("within_class", within_class)
    standardize = _check_flag("standardize", standardize)
    advise = _check_flag("advise", advise)
    threshold = _check_positive("threshold", threshold)
    quantiles = _check_quantiles(quantiles)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise TypeError(f"batch_size must be an integer >= 1 or -1, got {batch_size!r}.")
    if batch_size != -1 and batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1 or -1, got {batch_size!r}.")
    if getattr(mixer, "categorical_features", None) not in (None, "auto"):
        raise ValueError(
            "the mixer's categorical_features do not apply here: encode categorical "
            "columns as numbers first and leave it 'auto'."
        )
    columns = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    X = _check_features(X, "X", columns, ensure_min_samples=2)
    labels = _check_labels(y, X.shape[0], "y")
    classes, codes = np.unique(labels, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"y has a single class ({classes[0]!r}): a third-class distance needs at "
            "least 2 classes."
        )
    test = None
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither.")
    if X_test is not None:
        X_test = _check_features(X_test, "X_test", columns)
        if X_test.shape[1] != X.shape[1]:
            raise ValueError(f"X_test has {X_test.shape[1]} features but X has {X.shape[1]}.")
        test_labels = _check_labels(y_test, X_test.shape[0], "y_test")
        if (classes.dtype.kind in "OSU") != (test_labels.dtype.kind in "OSU"):
            raise TypeError(
                f"y_test holds labels of dtype {test_labels.dtype} but y of dtype "
                f"{classes.dtype}: give labels of one kind (all numbers or all strings)."
            )
        # Test labels unseen in y are a third class of every pair.
        all_classes = np.unique(np.concatenate([classes, np.unique(test_labels)]))
        test_codes = np.searchsorted(all_classes, test_labels)
        train_in_all = np.searchsorted(all_classes, classes)
        test = (X_test, test_codes, train_in_all, all_classes.shape[0])
    raw, _ = _power_of_two_scaled(X)
    _check_law(mixer, raw, codes, within_class)
    seed = random_state
    if not isinstance(seed, numbers.Integral) and advise:
        seed = int(as_generator(random_state).integers(2**32))

    sds = raw.std(axis=0)
    ratio, scale_warning = _feature_scales(sds, columns)
    shared_rows, shared_groups = _shared_rows(raw, codes)
    measured = {False: (X, None if test is None else test[0])}
    if standardize or advise:
        scaler = StandardScaler().fit(raw)
        measured[True] = (
            scaler.transform(raw),
            None if test is None else scaler.transform(_power_of_two_scaled(X_test, like=X)),
        )
    X_measured, X_test_measured = measured[standardize]
    if test is not None:
        test = (X_test_measured, *test[1:])
    common = dict(threshold=threshold, batch_size=batch_size, quantiles=quantiles)
    result = _measure(
        X_measured, codes, classes, mixer, within_class, seed=seed, test=test, **common
    )
    if scale_warning is not None and not standardize:
        warnings.warn(scale_warning, UserWarning, stacklevel=2)
    advice = ()
    if advise and result.conflict_fraction > 0:
        n_batch_rows = X.shape[0] if batch_size == -1 else min(batch_size, X.shape[0])
        advice = []
        for change, value, other, pairs_within, scaled in candidate_settings(
            mixer, within_class, standardize, n_batch_rows
        ):
            try:
                other_result = _measure(
                    measured[scaled][0], codes, classes, other, pairs_within, seed=seed, **common
                )
            except ValueError:  # a setting this data cannot run (e.g. k above a class)
                continue
            fraction = other_result.conflict_fraction
            advice.append(
                Candidate(
                    change,
                    value,
                    other,
                    pairs_within,
                    scaled,
                    fraction,
                    fraction < result.conflict_fraction,
                )
            )
        advice = tuple(advice)
    return dataclasses.replace(
        result,
        standardized=standardize,
        shared_rows=shared_rows,
        shared_groups=shared_groups,
        n_rows=X.shape[0],
        feature_scale_ratio=ratio,
        scale_warning=None if standardize else scale_warning,
        advice=advice,
    )


def _check_features(X, name: str, columns, ensure_min_samples: int = 1) -> np.ndarray:
    """A float64 matrix; NaN and inf refused by column (scikit-learn's own check sums
    the values, which overflows with a RuntimeWarning near the float64 limit)."""
    X = check_array(
        X,
        dtype=np.float64,
        ensure_min_samples=ensure_min_samples,
        ensure_all_finite=False,
        input_name=name,
    )
    finite = np.isfinite(X)
    if not finite.all():
        bad = np.flatnonzero(~finite.all(axis=0))
        names = [columns[i] if columns is not None else i for i in bad[:5]]
        more = f" and {bad.shape[0] - 5} more" if bad.shape[0] > 5 else ""
        kind = "NaN" if np.isnan(X).any() else "infinity"
        raise ValueError(f"{name} contains {kind}: column(s) {names}{more}; fill or drop them.")
    return X


def _check_law(mixer, X, codes, within_class: bool) -> None:
    """Refuse what ``MixupNeuralNetClassifier`` refuses: cross-class weights outside [0, 1]."""
    law, _, _ = clone(mixer)._batch_recipe(X, codes, "classification")
    if not within_class and not law.within_unit_interval:
        low, high = law.support
        raise ValueError(
            f"the mixer's weights {law!r} reach [{low:g}, {high:g}], outside [0, 1]: "
            "mixing one-hot labels across classes would put negative mass on a class "
            "(cross-entropy unbounded below), and the classifier refuses it. Use "
            "within_class=True, or a Beta law."
        )


def _power_of_two_scaled(X, like=None):
    """``X`` times the power of two that brings ``max |X|`` (or ``max |like|``) into [0.5, 1).

    Exact: only the exponents change. Returns the scaled copy and the
    exponent ``e`` (``X == ldexp(scaled, e)``); with ``like``, the copy alone.
    """
    reference = X if like is None else like
    largest = float(np.max(np.abs(reference))) if reference.size else 0.0
    exponent = math.frexp(largest)[1] if largest > 0 else 0
    scaled = np.ldexp(X, -exponent)
    return scaled if like is not None else (scaled, exponent)


def _feature_scales(sds, columns):
    """Largest over smallest non-zero standard deviation, and a warning naming the columns."""
    moving = np.flatnonzero(sds > 0)
    if moving.shape[0] < 2:
        return 1.0, None
    ratio = float(sds[moving].max() / sds[moving].min())
    if ratio <= _SCALE_RATIO:
        return ratio, None
    names = columns if columns is not None else [f"column {i}" for i in range(sds.shape[0])]
    largest = sds[moving].max()
    order = moving[np.argsort(-sds[moving], kind="stable")]
    dominant = [i for i in order if sds[i] * _SCALE_RATIO >= largest]
    faint = [i for i in order[::-1] if sds[i] * _SCALE_RATIO < largest]

    def listed(rows):
        text = ", ".join(f"{names[i]} (SD {sds[i]:.3g})" for i in rows[:3])
        return text + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")

    return ratio, (
        f"feature scales differ by {ratio:.3g}x (largest over smallest standard deviation): "
        f"distances are dominated by {listed(dominant)} and barely see {listed(faint)} "
        "(SD below a tenth of the largest). Standardize the features (standardize=True) "
        "unless the network sees them as they are."
    )


def _shared_rows(X, codes):
    """Rows whose features are those of a row of another class, and how many such vectors."""
    _, group = np.unique(X, axis=0, return_inverse=True)
    group = group.ravel()
    pairs = np.unique(np.column_stack([group, codes]), axis=0)
    classes_per_group = np.bincount(pairs[:, 0], minlength=group.max() + 1)
    shared = classes_per_group[group] > 1
    return int(shared.sum()), int(np.count_nonzero(classes_per_group > 1))


def _measure(
    X, codes, classes, mixer, within_class, *, threshold, batch_size, quantiles, seed, test=None
) -> MixupConflicts:
    """The distances of one epoch of ``mixer`` on ``X`` (and to ``test``'s points)."""
    everything = X if test is None else np.vstack([X, test[0]])
    largest = float(np.max(np.abs(everything)))
    if largest * 4 * math.sqrt(X.shape[1]) > np.finfo(np.float64).max:
        raise ValueError(
            f"X holds values up to {largest:.3g}: distances between its rows could exceed "
            "the float64 range. Rescale the features, or pass standardize=True."
        )
    exponent = _power_of_two_scaled(everything)[1]
    scaled = np.ldexp(X, -exponent)
    rng = as_generator(seed)
    law, pairing, n_interpolations = clone(mixer)._batch_recipe(scaled, codes, "classification")
    plan = _draw_epoch(scaled, codes, law, pairing, n_interpolations, within_class, batch_size, rng)
    pair_codes = np.column_stack([codes[plan.anchors], codes[plan.partners]])

    indexes = _class_indexes(scaled, codes, classes.shape[0])
    scale = np.ldexp(_reference_scale(scaled, codes, indexes, rng), exponent)
    spread = math.sqrt(float(np.sum(scaled.var(axis=0))))
    near_zero = float(np.ldexp(_NEAR_ZERO * spread, exponent))
    distances, nearest = _nearest_third_class(scaled, plan, pair_codes, scaled, indexes)
    distances = np.ldexp(distances, exponent)
    summarise = dict(
        threshold=threshold,
        near_zero=near_zero,
        quantiles=quantiles,
        plan=plan,
        pair_codes=pair_codes,
        classes=classes,
    )
    test_result = None
    if test is not None:
        X_test, test_codes, train_in_all, n_test_classes = test
        test_scaled = np.ldexp(X_test, -exponent)
        test_indexes = _class_indexes(test_scaled, test_codes, n_test_classes)
        test_distances, test_nearest = _nearest_third_class(
            scaled, plan, train_in_all[pair_codes], test_scaled, test_indexes
        )
        test_result = _summarise(
            np.ldexp(test_distances, exponent), test_nearest, float(scale), **summarise
        )
    return _summarise(distances, nearest, float(scale), test=test_result, **summarise)


def _check_flag(name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _check_positive(name, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}.")
    return float(value)


def _check_quantiles(quantiles) -> tuple[float, ...]:
    values = np.atleast_1d(np.asarray(quantiles, dtype=np.float64))
    if values.ndim != 1 or not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"quantiles must be numbers in [0, 1], got {quantiles!r}.")
    return tuple(float(q) for q in values)


def _check_labels(y, n_rows: int, name: str) -> np.ndarray:
    if y is None:
        raise ValueError(f"{name} is required: class labels of the rows.")
    labels = column_or_1d(y, warn=True)
    if labels.shape[0] != n_rows:
        x_name = "X_test" if name == "y_test" else "X"
        raise ValueError(
            f"{x_name} and {name} have inconsistent numbers of rows: {n_rows} and "
            f"{labels.shape[0]}."
        )
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError(f"{name} contains NaN: every row needs a class label.")
    if labels.dtype.kind == "O" and any(label is None or label != label for label in labels):
        raise ValueError(f"{name} contains missing values: every row needs a class label.")
    if type_of_target(labels, input_name=name) == "continuous":
        raise ValueError(f"{name} must hold class labels, got non-integer numbers.")
    return labels


def _draw_epoch(X, codes, law, pairing, n_interpolations, within_class, batch_size, rng):
    """One shuffled epoch, batch after batch, mixed by the engine (as training does)."""
    n_rows = X.shape[0]
    order = rng.permutation(n_rows)
    step = n_rows if batch_size == -1 else batch_size
    data = X if pairing.needs_data else None
    plans = []
    for start in range(0, n_rows, step):
        batch = order[start : start + step]
        if within_class:
            batch_codes = codes[batch]
            groups = [batch[batch_codes == code] for code in np.unique(batch_codes)]
        else:
            groups = [batch]
        plans.append(draw_batch_plan(data, groups, law, pairing, rng, n_interpolations))
    return MixPlan(
        np.concatenate([p.anchors for p in plans]),
        np.concatenate([p.partners for p in plans]),
        np.concatenate([p.weights for p in plans]),
        n_interpolations,
    )


@dataclass(frozen=True)
class _ClassIndex:
    """A fitted ``NearestNeighbors`` over one class's rows, and a ball holding them."""

    search: NearestNeighbors
    rows: np.ndarray
    centre: np.ndarray
    radius: float


def _class_indexes(points, codes, n_codes: int) -> list:
    """One :class:`_ClassIndex` per class code (``None`` when the class is absent)."""
    indexes = []
    for code in range(n_codes):
        rows = np.flatnonzero(codes == code)
        if not rows.size:
            indexes.append(None)
            continue
        members = points[rows]
        centre = members.mean(axis=0)
        radius = float(np.sqrt(np.max(np.sum((members - centre) ** 2, axis=1))))
        search = NearestNeighbors(n_neighbors=1).fit(members)
        indexes.append(_ClassIndex(search, rows, centre, radius))
    return indexes


def _chunk_rows(n_features: int) -> int:
    return max(1, _CHUNK_BYTES // (8 * max(1, n_features)))


def _nearest_eligible(queries, eligible, indexes):
    """Distance from each query to its nearest indexed row of an eligible class, and that row.

    ``eligible`` is a boolean ``(n_queries, n_codes)`` matrix; a query with
    no eligible class gets ``inf`` and ``-1``. Every row of class ``c`` lies
    within ``radius`` of its ``centre``, so ``|q - centre| - radius`` bounds
    the distance from ``q`` to class ``c`` from below. Classes are searched
    in increasing order of that bound, and a class whose bound exceeds the
    best distance found so far (plus a margin far above rounding) cannot
    hold a nearer row and is skipped: the result is that of searching every
    eligible class, at a fraction of the cost when classes are apart.
    """
    n_queries, n_codes = eligible.shape
    best = np.full(n_queries, np.inf)
    which = np.full(n_queries, -1, dtype=np.intp)
    lower = np.full((n_queries, n_codes), np.inf)
    reach = 0.0
    for code, index in enumerate(indexes):
        if index is None:
            continue
        lower[:, code] = np.linalg.norm(queries - index.centre, axis=1) - index.radius
        reach = max(reach, float(np.linalg.norm(index.centre)) + index.radius)
    lower[~eligible] = np.inf
    # The search's distances come from |a|^2 + |b|^2 - 2 a.b, good to about
    # 1e-8 (|a| + |b|): the margin is a hundred times that.
    margin = 1e-6 * (np.linalg.norm(queries, axis=1) + reach)
    order = np.argsort(lower, axis=1, kind="stable")
    ordered_lower = np.take_along_axis(lower, order, axis=1)
    for rank in range(n_codes):
        bound = ordered_lower[:, rank]
        # Bounds only grow with the rank and ``best`` only falls: a query
        # left out here is left out for good.
        todo = np.flatnonzero(np.isfinite(bound) & (bound <= best + margin))
        if not todo.size:
            break
        codes_here = order[todo, rank]
        for code in np.unique(codes_here):
            members = todo[codes_here == code]
            index = indexes[code]
            distance, position = index.search.kneighbors(queries[members])
            distance, row = distance[:, 0], index.rows[position[:, 0]]
            closer = distance < best[members]
            best[members[closer]] = distance[closer]
            which[members[closer]] = row[closer]
    return best, which


def _reference_scale(X, codes, indexes, rng) -> float:
    """Median distance from a row to its nearest row of another class."""
    rows = np.arange(X.shape[0])
    if rows.shape[0] > _SCALE_ROWS:
        rows = np.sort(rng.choice(rows, _SCALE_ROWS, replace=False))
    best = np.full(rows.shape[0], np.inf)
    all_codes = np.arange(len(indexes))
    step = _chunk_rows(X.shape[1])
    for start in range(0, rows.shape[0], step):
        chunk = rows[start : start + step]
        eligible = codes[chunk][:, None] != all_codes[None, :]
        best[start : start + chunk.shape[0]], _ = _nearest_eligible(X[chunk], eligible, indexes)
    return float(np.median(best))


def _nearest_third_class(X, plan, pair_codes, reference, indexes):
    """Distance of every mixed point to its nearest eligible reference point, and that point."""
    n_mixed = len(plan)
    distances = np.full(n_mixed, np.inf)
    nearest = np.full(n_mixed, -1, dtype=np.intp)
    all_codes = np.arange(len(indexes))
    step = _chunk_rows(X.shape[1])
    for start in range(0, n_mixed, step):
        stop = min(start + step, n_mixed)
        chunk_plan = MixPlan(
            plan.anchors[start:stop], plan.partners[start:stop], plan.weights[start:stop]
        )
        mixed = interpolate(X, chunk_plan)
        first, second = pair_codes[start:stop, :1], pair_codes[start:stop, 1:]
        eligible = (first != all_codes[None, :]) & (second != all_codes[None, :])
        best, which = _nearest_eligible(mixed, eligible, indexes)
        # The search's distances come from |a|^2 + |b|^2 - 2 a.b; recompute the
        # winners' directly so that small distances keep their precision.
        found = np.flatnonzero(which >= 0)
        if found.shape[0]:
            best[found] = np.linalg.norm(mixed[found] - reference[which[found]], axis=1)
        distances[start:stop], nearest[start:stop] = best, which
    return distances, nearest


def _summarise(
    distances,
    nearest,
    scale,
    *,
    threshold,
    near_zero,
    quantiles,
    plan,
    pair_codes,
    classes,
    test=None,
) -> MixupConflicts:
    finite = distances[np.isfinite(distances)]
    min_distance = float(finite.min()) if finite.size else float("inf")
    quantile_values = (
        np.quantile(finite, quantiles) if finite.size else np.full(len(quantiles), np.inf)
    )
    conflicts = _conflict_mask(distances, threshold * scale, near_zero)
    ordered = np.sort(pair_codes[conflicts], axis=1)
    pairs, counts = np.unique(ordered, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    pair_conflicts = {
        (_plain(classes[pairs[i, 0]]), _plain(classes[pairs[i, 1]])): int(counts[i]) for i in order
    }
    return MixupConflicts(
        min_distance=min_distance,
        quantiles=dict(zip(quantiles, (float(v) for v in quantile_values))),
        scale=scale,
        threshold=threshold,
        conflict_fraction=float(conflicts.mean()) if distances.size else 0.0,
        n_mixed=int(distances.shape[0]),
        pair_conflicts=pair_conflicts,
        near_zero=near_zero,
        test=test,
        distances=distances,
        nearest=nearest,
        plan=plan,
        pair_classes=classes[pair_codes],
    )


def _plain(label):
    """A numpy scalar as its Python value (object arrays already hold Python values)."""
    return label.item() if isinstance(label, np.generic) else label
