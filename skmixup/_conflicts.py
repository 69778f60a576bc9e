"""Will mixup hurt on this data? Distances from mixed points to third-class points.

``ALGORITHMS.md`` section 7. One epoch of mixed points is drawn as network
training draws it (a shuffled epoch cut into batches, each batch mixed by
the engine with the mixer's weight law, pairing and multiplicity); for every
mixed point of a pair of classes ``i`` and ``j`` the distance to the nearest
original point of any class other than ``i`` and ``j`` is found with one
scikit-learn ``NearestNeighbors`` index per class, queried in chunks with the
mixed points whose pair does not involve that class.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from skmixup._engine import MixPlan, draw_batch_plan, interpolate
from skmixup._random import as_generator

__all__ = ["MixupConflicts", "mixup_conflicts"]

# Mixed points are made and queried in chunks of about this many bytes.
_CHUNK_BYTES = 4 << 20
# The reference scale is a median: estimated on at most this many rows.
_SCALE_ROWS = 10_000


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
        nearest row of another class.
    threshold : float
        A mixed point is a conflict when its distance is below
        ``threshold * scale``.
    conflict_fraction : float
        Share of all mixed points that are conflicts.
    n_mixed : int
        Mixed points drawn (one epoch).
    pair_conflicts : dict of (label, label) to int
        Conflicts per class pair of the mixed points (the smaller class
        first, in the order of ``numpy.unique``), largest first; pairs
        without conflicts are left out.
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
    test: MixupConflicts | None = None
    distances: np.ndarray = field(default=None, compare=False)
    nearest: np.ndarray = field(default=None, compare=False)
    plan: MixPlan = field(default=None, compare=False)
    pair_classes: np.ndarray = field(default=None, compare=False)

    @property
    def is_conflict(self) -> np.ndarray:
        """Boolean mask of the mixed points closer than ``threshold * scale``."""
        return self.distances < self.threshold * self.scale

    def mixed_points(self, X) -> np.ndarray:
        """The mixed points, recomputed from ``plan`` and the ``X`` that was checked."""
        X = check_array(X, dtype=np.float64, input_name="X")
        return interpolate(X, self.plan)

    def __repr__(self) -> str:
        test = "" if self.test is None else f", test={self.test!r}"
        return (
            f"MixupConflicts(min_distance={self.min_distance:.4g}, "
            f"conflict_fraction={self.conflict_fraction:.4g}, scale={self.scale:.4g}, "
            f"threshold={self.threshold:g}, n_mixed={self.n_mixed}{test})"
        )

    def summary(self) -> str:
        """The measures as a small text table (what ``skmixup check`` prints)."""
        rows = [("mixed points (one epoch)", f"{self.n_mixed:,}")]
        rows += _measure_rows(self, "")
        if self.test is not None:
            rows += _measure_rows(self.test, "test: ")
        width = max(len(name) for name, _ in rows)
        lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
        for label, report in [("", self), ("test ", self.test)]:
            if report is None or not report.pair_conflicts:
                continue
            lines.append(f"{label}conflicts by class pair:")
            shown = list(report.pair_conflicts.items())
            for (first, second), count in shown[:10]:
                lines.append(f"  {first!s} + {second!s}: {count:,}")
            if len(shown) > 10:
                lines.append(f"  ... and {len(shown) - 10} more pairs")
        return "\n".join(lines)


def _measure_rows(report: MixupConflicts, prefix: str) -> list[tuple[str, str]]:
    ratio = report.min_distance / report.scale if report.scale > 0 else float("nan")
    rows = [
        (f"{prefix}min distance to a third class", f"{report.min_distance:.4g}"),
        (f"{prefix}  relative to the scale", f"{ratio:.4g}"),
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


def mixup_conflicts(
    X,
    y,
    mixer,
    *,
    within_class: bool = False,
    threshold: float = 0.5,
    batch_size: int = 128,
    quantiles=(0.01, 0.1, 0.5),
    X_test=None,
    y_test=None,
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
    (distance ``inf``, never a conflict).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric features, without missing values (scale them as the network
        will see them: distances are Euclidean).
    y : array-like of shape (n_samples,)
        Class labels, at least 2 classes.
    mixer : BaseMixupResampler
        A skmixup resampler (e.g. ``KMixupResampler(k=1, alpha=1.0)`` for
        classic mixup); only its weight law, pairing and ``n_interpolations``
        are used, on a clone.
    within_class : bool, default=False
        Pair rows within the classes of each batch, as
        ``MixupNeuralNetClassifier(within_class=True)`` does.
    threshold : float, default=0.5
        A mixed point is a conflict when it is closer to a third-class point
        than ``threshold * scale``, where ``scale`` is the median distance
        from a row to its nearest row of another class (estimated on at most
        10 000 rows drawn at random). With 0.5 a conflict lies nearer to a
        point of another class than half the typical gap between classes.
    batch_size : int, default=128
        Rows per training batch before mixing (``-1``: the whole data as one
        batch); 128 is the neural-network estimators' default. It matters for
        k-mixup, which matches blocks inside each batch.
    quantiles : sequence of float, default=(0.01, 0.1, 0.5)
        Quantiles of the distances to report, each in ``[0, 1]``.
    X_test, y_test : array-like, default=None
        Held-out rows and labels: the same distances are also measured to
        their points (result's ``test``), with the training ``scale``.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed of the epoch (shuffle, pairs, weights) and of the rows the scale
        is estimated on.

    Returns
    -------
    result : MixupConflicts
        ``min_distance``, ``quantiles``, ``scale``, ``conflict_fraction``,
        ``pair_conflicts`` and, per mixed point, ``distances`` and the
        ``plan`` that made it; ``summary()`` formats them.

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
    """
    from skmixup.resampling import BaseMixupResampler

    if not isinstance(mixer, BaseMixupResampler):
        raise TypeError(
            f"mixer must be a skmixup resampler (e.g. KMixupResampler), got {type(mixer).__name__}."
        )
    within_class = _check_flag("within_class", within_class)
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
    X = check_array(X, dtype=np.float64, ensure_min_samples=2, input_name="X")
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
        X_test = check_array(X_test, dtype=np.float64, input_name="X_test")
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

    rng = as_generator(random_state)
    law, pairing, n_interpolations = clone(mixer)._batch_recipe(X, codes, "classification")
    plan = _draw_epoch(X, codes, law, pairing, n_interpolations, within_class, batch_size, rng)
    pair_codes = np.column_stack([codes[plan.anchors], codes[plan.partners]])

    indexes = _class_indexes(X, codes, classes.shape[0])
    scale = _reference_scale(X, codes, indexes, rng)
    distances, nearest = _nearest_third_class(X, plan, pair_codes, X, indexes)
    test_result = None
    if test is not None:
        X_test, test_codes, train_in_all, n_test_classes = test
        test_indexes = _class_indexes(X_test, test_codes, n_test_classes)
        test_distances, test_nearest = _nearest_third_class(
            X, plan, train_in_all[pair_codes], X_test, test_indexes
        )
        test_result = _summarise(
            test_distances, test_nearest, scale, threshold, quantiles, plan, pair_codes, classes
        )
    return _summarise(
        distances, nearest, scale, threshold, quantiles, plan, pair_codes, classes, test_result
    )


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
    distances, nearest, scale, threshold, quantiles, plan, pair_codes, classes, test=None
) -> MixupConflicts:
    finite = distances[np.isfinite(distances)]
    min_distance = float(finite.min()) if finite.size else float("inf")
    quantile_values = (
        np.quantile(finite, quantiles) if finite.size else np.full(len(quantiles), np.inf)
    )
    conflicts = distances < threshold * scale
    ordered = np.sort(pair_codes[conflicts], axis=1)
    pairs, counts = np.unique(ordered, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    pair_conflicts = {
        (classes[pairs[i, 0]].item(), classes[pairs[i, 1]].item()): int(counts[i]) for i in order
    }
    return MixupConflicts(
        min_distance=min_distance,
        quantiles=dict(zip(quantiles, (float(v) for v in quantile_values))),
        scale=scale,
        threshold=threshold,
        conflict_fraction=float(conflicts.mean()) if distances.size else 0.0,
        n_mixed=int(distances.shape[0]),
        pair_conflicts=pair_conflicts,
        test=test,
        distances=distances,
        nearest=nearest,
        plan=plan,
        pair_classes=classes[pair_codes],
    )
