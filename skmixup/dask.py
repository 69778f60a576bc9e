"""Partition-wise resampling of Dask collections, with global, exact counts.

``fit_resample(resampler, X, y)`` resamples a Dask DataFrame or Dask array
partition by partition and returns lazy Dask collections. One pass over
``y`` counts the classes (or the rows, for a continuous target) of every
partition; the numbers of new rows are then computed for the whole table,
exactly as the in-memory resampler computes them, and shared among the
partitions in proportion to their per-class sizes (largest remainders).
Each partition is resampled by a clone of ``resampler`` told its exact
quota and seeded by its own child of one ``numpy.random.SeedSequence``,
so the result does not depend on scheduling or on the number of workers.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from skmixup._random import as_generator
from skmixup.resampling._base import (
    _MAX_FLOAT_CLASSES,
    _PLAN_BYTES_PER_ROW,
    BaseMixupResampler,
    _numbers_from_objects,
    _physical_memory,
    _refuse_missing,
    skip_single_row_classes,
)
from skmixup.resampling._counts import (
    _proportional_split,
    new_rows_continuous,
    new_rows_per_class,
)

__all__ = ["fit_resample"]


def fit_resample(resampler: BaseMixupResampler, X, y, *, target_type: str | None = None):
    """Resample a Dask DataFrame or Dask array partition by partition.

    The numbers of new rows are global and exact: ``sampling_strategy``,
    ``factor``, ``n_samples`` and ``synthetic_only`` of ``resampler`` mean
    what they mean in memory for the whole table. New rows of a class are
    shared among the partitions in proportion to the class's rows in each
    (largest remainders); each partition mixes only its own rows. With
    EpBeta weights every partition's new rows keep that partition's mean and
    covariance in expectation, so the union keeps the global ones (law of
    total covariance); classic mixup shrinks only the within-partition part.

    Parameters
    ----------
    resampler : EpBetaMixupResampler, KMixupResampler or MultiMixResampler
        Its parameters define the resampling; it is cloned, not fitted.
        ``random_state`` (an int, for reproducible output) seeds one
        ``numpy.random.SeedSequence`` whose ``i``-th spawned child seeds
        partition ``i``. A callable ``sampling_strategy`` is refused: it
        would need the whole ``y`` in memory.
    X : dask.dataframe.DataFrame or dask.array.Array of shape (n_samples, n_features)
        Rows to mix (dense). Column chunks of an array are merged.
    y : dask.dataframe.Series or 1-D dask.array.Array
        Class labels or a continuous target, partitioned like ``X`` (same
        number of partitions, same divisions or row chunks).
    target_type : {'auto', 'classification', 'regression'} or None, default=None
        Overrides ``resampler.target_type``. 'auto' follows the in-memory
        rule over all of ``y`` (decided by the counting pass): continuous
        when a value is not an integer, or when the dtype is floating and
        ``y`` has more than 20 distinct values; class labels otherwise.
        Give it explicitly when that rule does not fit your target.

    Returns
    -------
    X_resampled : dask.dataframe.DataFrame or dask.array.Array
        Lazy. For each partition in order, its original rows (unchanged)
        then its new rows; only the new rows with ``synthetic_only=True``.
        A DataFrame keeps column names and dtypes (categorical columns
        included) and gets a fresh index ``0 .. n - 1`` with known
        divisions, as the in-memory resampler resets it; an array has
        known chunks, one per partition.
    y_resampled : dask.dataframe.Series or dask.array.Array
        Matching targets, partitioned like ``X_resampled``.

    Raises
    ------
    TypeError
        When ``resampler``, ``X`` or ``y`` is of the wrong kind.
    ValueError
        When ``X`` and ``y`` are not partitioned alike, ``sampling_strategy``
        is callable, ``y`` holds missing labels, labels mixing strings and
        numbers, NaN or infinite values, a class of one row must receive new
        rows (``single_row_classes='raise'``), a partition's new rows could
        not fit in memory, or a class that must receive new rows has no
        partition holding two of its rows. Problems with the values of ``X``
        (NaN or inf, named by column; a non-numeric column not declared
        categorical) are found when the result is computed, in every
        partition whether or not it receives new rows, and name the
        partition.

    Notes
    -----
    Allocation: the class ``c`` receives ``N_c`` new rows in all, as in
    memory; partition ``p`` holding ``n_pc`` of its rows receives its share
    of ``N_c`` in proportion to ``n_pc`` (largest remainders, ties to the
    earlier partition). A partition holding a single row of ``c`` cannot
    mix it (the partner is another row of the class), so its share moves to
    the partitions that hold two or more, again in proportion to their
    sizes. If no partition holds two rows of ``c``, a ``ValueError`` asks
    for fewer, larger partitions. For a continuous target the same rule
    applies to the row counts.

    Parameters fitted on the data (``KMixupResampler(fixed_perturbation=True)``'s
    ``alpha``) are fitted per partition, on that partition's rows.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skmixup import EpBetaMixupResampler
    >>> from skmixup.dask import fit_resample
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    >>> labels = pd.Series(np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)])
    >>> X, y = dd.from_pandas(frame, npartitions=4), dd.from_pandas(labels, npartitions=4)
    >>> X_res, y_res = fit_resample(EpBetaMixupResampler(random_state=0), X, y)
    >>> y_res.value_counts().compute().sort_index().tolist()
    [30, 30]
    >>> X_res.npartitions
    4
    """
    plan = _plan(resampler, X, y, target_type=target_type)
    return plan.collections()


# -- validation --------------------------------------------------------------


def _kind(obj) -> str | None:
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(obj, dd.DataFrame):
        return "frame"
    if isinstance(obj, dd.Series):
        return "series"
    if isinstance(obj, da.Array):
        return "array"
    return None


def _check_inputs(resampler, X, y):
    if not isinstance(resampler, BaseMixupResampler):
        raise TypeError(
            "resampler must be an skmixup resampler (EpBetaMixupResampler, "
            f"KMixupResampler or MultiMixResampler), got {type(resampler).__name__}."
        )
    x_kind, y_kind = _kind(X), _kind(y)
    if x_kind not in ("frame", "array") or (x_kind == "array" and X.ndim != 2):
        raise TypeError(
            "X must be a dask.dataframe.DataFrame or a 2-D dask.array.Array, got "
            f"{type(X).__name__}; for data in memory call resampler.fit_resample."
        )
    if y_kind not in ("series", "array") or (y_kind == "array" and y.ndim != 1):
        raise TypeError(
            "y must be a dask.dataframe.Series or a 1-D dask.array.Array, got "
            f"{type(y).__name__}{'' if y_kind != 'array' else f' with {y.ndim} dimensions'}."
        )
    if x_kind == "array":
        X = X.rechunk({1: -1})
    if X.npartitions != y.npartitions:
        raise ValueError(
            f"X and y must be partitioned alike: X has {X.npartitions} partitions and y "
            f"{y.npartitions}; repartition one like the other."
        )
    if x_kind == "frame" and y_kind == "series" and X.known_divisions and y.known_divisions:
        if tuple(X.divisions) != tuple(y.divisions):
            raise ValueError(
                "X and y must be partitioned alike: their divisions differ; take both "
                "from one DataFrame (X = df.drop(columns=target), y = df[target])."
            )
    x_rows = X.chunks[0] if x_kind == "array" else None
    y_rows = y.chunks[0] if y_kind == "array" else None
    if x_rows is not None and y_rows is not None and not np.isnan(x_rows + y_rows).any():
        if tuple(x_rows) != tuple(y_rows):
            raise ValueError(
                f"X and y must be partitioned alike: X's row chunks are {x_rows} and y's "
                f"{y_rows}; rechunk y with y.rechunk((X.chunks[0],))."
            )
    return X, x_kind, y_kind


def _seed_sequence(random_state) -> np.random.SeedSequence:
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.SeedSequence(random_state)
    return np.random.SeedSequence(int(as_generator(random_state).integers(2**63)))


# -- the counting pass -------------------------------------------------------


def _as_1d(values) -> np.ndarray:
    return values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)


def _count_partition(y_part, count_classes: bool, auto: bool, index: int = 0):
    """Rows, 'reads as continuous', non-finite flag and class counts of one partition.

    With ``auto``, a float ``y`` reads as continuous when a value is not an
    integer or when it has more than ``_MAX_FLOAT_CLASSES`` distinct values
    (then the partition's counts are not kept). Missing labels and labels
    of mixed kinds are refused as in memory, naming the partition: every
    partition is checked, whatever new rows it receives.
    """
    values = _as_1d(y_part)
    try:
        if count_classes or values.dtype == object:
            _refuse_missing(values)
        values = _numbers_from_objects(values)
    except ValueError as error:
        raise ValueError(f"partition {index} (rows counted within it): {error}") from None
    floating = np.issubdtype(values.dtype, np.floating)
    nonfinite = bool(floating and not np.isfinite(values).all())
    continuous = bool(floating and not nonfinite and (values != np.rint(values)).any())
    counts = None
    if count_classes and not continuous and not nonfinite:
        labels, sizes = np.unique(values, return_counts=True)
        if auto and floating and labels.shape[0] > _MAX_FLOAT_CLASSES:
            return values.shape[0], True, nonfinite, None
        counts = dict(zip(labels.tolist(), sizes.tolist()))
    return values.shape[0], continuous, nonfinite, counts


def _label_family(label) -> str:
    if isinstance(label, str):
        return "str"
    if isinstance(label, numbers.Number) and not isinstance(label, (bool, np.bool_)):
        return "number"
    return type(label).__name__


def _allocate(total: int, sizes: np.ndarray) -> np.ndarray:
    """Share ``total`` among partitions in proportion to ``sizes``; rows alone cannot mix."""
    weights = np.where(sizes >= 2, sizes, 0)
    if total == 0:
        return np.zeros(sizes.shape[0], dtype=np.int64)
    return np.asarray(_proportional_split(total, weights.tolist()), dtype=np.int64)


# -- the plan ----------------------------------------------------------------


@dataclass
class _Plan:
    """Everything needed to resample each partition; builds the lazy outputs."""

    resampler: BaseMixupResampler
    x_parts: list  # one delayed partition each
    y_parts: list
    x_kind: str
    y_kind: str
    target_type: str
    rows: np.ndarray  # rows per partition
    quotas: list  # per partition: dict label -> new rows, or int (regression)
    seeds: list
    x_meta: object
    y_meta: object

    @property
    def n_new(self) -> np.ndarray:
        if self.target_type == "regression":
            return np.asarray(self.quotas, dtype=np.int64)
        return np.asarray([sum(q.values()) for q in self.quotas], dtype=np.int64)

    @property
    def out_rows(self) -> np.ndarray:
        return self.n_new + (0 if self.resampler.synthetic_only else self.rows)

    def partition_tasks(self) -> list:
        """One delayed ``(X_part, y_part)`` per partition, in order."""
        from dask import delayed

        starts = np.concatenate([[0], np.cumsum(self.out_rows)[:-1]])
        resample = delayed(_resample_partition, pure=True, nout=2)
        return [
            resample(*arguments[:-1], int(start), arguments[-1], self.x_meta, self.y_meta)
            for arguments, start in zip(self.partition_arguments(), starts)
        ]

    def partition_arguments(self) -> list:
        """Arguments of :func:`partition_new_row_chunks` for each partition (delayed parts)."""
        return [
            (self.resampler, x_part, y_part, quota, seed, self.target_type, int(rows), index)
            for index, (x_part, y_part, quota, seed, rows) in enumerate(
                zip(self.x_parts, self.y_parts, self.quotas, self.seeds, self.rows)
            )
        ]

    def collections(self):
        import dask.array as da
        import dask.dataframe as dd

        tasks = self.partition_tasks()
        out_rows = self.out_rows
        if self.x_kind == "frame":
            bounds = np.concatenate([[0], np.cumsum(out_rows)])
            nonempty = out_rows > 0
            if nonempty.all() and out_rows.sum() > 0:
                divisions = tuple(bounds[:-1].tolist()) + (int(bounds[-1]) - 1,)
            else:
                divisions = None
            X_res = dd.from_delayed(
                [t[0] for t in tasks], meta=self.x_meta, divisions=divisions, verify_meta=False
            )
        else:
            n_features = self.x_meta.shape[1]
            X_res = da.concatenate(
                [
                    da.from_delayed(t[0], shape=(int(m), n_features), dtype=self.x_meta.dtype)
                    for t, m in zip(tasks, out_rows)
                ]
            )
        if self.y_kind == "series" and self.x_kind == "frame":
            y_res = dd.from_delayed(
                [t[1] for t in tasks], meta=self.y_meta, divisions=divisions, verify_meta=False
            )
        elif self.y_kind == "series":
            y_res = dd.from_delayed([t[1] for t in tasks], meta=self.y_meta, verify_meta=False)
        else:
            y_res = da.concatenate(
                [
                    da.from_delayed(t[1], shape=(int(m),), dtype=self.y_meta.dtype)
                    for t, m in zip(tasks, out_rows)
                ]
            )
        return X_res, y_res


def _plan(resampler, X, y, *, target_type=None, streaming: bool = False) -> _Plan:
    import dask

    X, x_kind, y_kind = _check_inputs(resampler, X, y)
    resampler = clone(resampler)
    if target_type is not None:
        resampler.set_params(target_type=target_type)
    resampler._validate_params()
    if callable(resampler.sampling_strategy):
        raise ValueError(
            "a callable sampling_strategy needs the whole y in memory and is not "
            "supported on Dask; give a dict of counts, a float or a string."
        )
    requested = resampler.target_type
    if requested == "regression" and not _is_numeric(y.dtype):
        raise ValueError(f"target_type='regression' needs a numeric y, got dtype {y.dtype}.")

    # The optimiser's tuning step merges the partitions of a narrow column
    # projection (a Parquet read of y alone), so X and y would no longer
    # match: keep it off, and keep the column projections.
    with dask.config.set({"optimization.tune.active": False}):
        x_parts = X.to_delayed()
        y_parts = list(y.to_delayed())
    if x_kind == "array":
        x_parts = x_parts[:, 0]
    x_parts = list(x_parts)
    if len(x_parts) != len(y_parts):
        raise ValueError(
            f"X and y must be partitioned alike: X has {len(x_parts)} partitions and y "
            f"{len(y_parts)}."
        )
    count = dask.delayed(_count_partition, pure=True)
    stats = dask.compute(
        *[
            count(part, requested != "regression", requested == "auto", index)
            for index, part in enumerate(y_parts)
        ]
    )
    rows = np.asarray([s[0] for s in stats], dtype=np.int64)
    if (rows == 0).all():
        raise ValueError("y is empty: fit_resample needs at least 2 rows.")
    bad = [i for i, s in enumerate(stats) if s[2]]
    if bad:
        raise ValueError(f"y contains NaN or infinite values (partition {bad[0]}).")
    non_integer = any(s[1] for s in stats)
    if (
        requested == "auto"
        and not non_integer
        and np.issubdtype(_numpy_dtype(y.dtype), np.floating)
    ):
        # The in-memory rule: a float y with more distinct values than this is continuous.
        distinct = set().union(*(s[3] for s in stats))
        non_integer = len(distinct) > _MAX_FLOAT_CLASSES
    if requested == "classification" and non_integer:
        raise ValueError(
            "target_type='classification' but y holds non-integer numbers; use "
            "target_type='regression' to mix a continuous target."
        )
    kind = "regression" if requested == "regression" or non_integer else "classification"

    if kind == "regression":
        total = new_rows_continuous(
            int(rows.sum()),
            sampling_strategy=resampler.sampling_strategy,
            factor=resampler.factor,
            n_samples=resampler.n_samples,
        )
        if total and not (rows >= 2).any():
            raise ValueError(
                "no partition of y holds 2 rows, so none can be mixed; use fewer, "
                "larger partitions."
            )
        quotas = _allocate(total, rows).tolist()
    else:
        quotas = _class_quotas(resampler, [s[3] for s in stats])

    x_meta, y_meta = _metas(X, y, x_kind, y_kind, kind)
    _check_partition_sizes(resampler, x_meta, quotas, kind, streaming)
    ss = _seed_sequence(resampler.random_state)
    seeds = ss.spawn(len(rows))
    return _Plan(
        resampler, x_parts, y_parts, x_kind, y_kind, kind, rows, quotas, seeds, x_meta, y_meta
    )


def _count_source(resampler) -> str:
    """The parameter that set the number of new rows, as the user wrote it."""
    if resampler.factor is not None:
        return f"factor={resampler.factor!r}"
    if resampler.n_samples is not None:
        return f"n_samples={resampler.n_samples!r}"
    return f"sampling_strategy={resampler.sampling_strategy!r}"


def _check_partition_sizes(resampler, x_meta, quotas, kind, streaming: bool) -> None:
    """Refuse, before anything is computed, a partition whose rows cannot fit in memory.

    A partition's new rows are held at once (``streaming=False``: the lazy
    collections) or one chunk at a time (the command line's writer).
    """
    new = np.asarray(
        [q if kind == "regression" else sum(q.values()) for q in quotas], dtype=np.int64
    )
    if not new.size or not new.max():
        return
    largest = int(new.max())
    held = largest
    if streaming:
        held = -(-largest // int(min(_CHUNKS, max(1, largest // _MIN_CHUNK_ROWS))))
    if hasattr(x_meta, "dtypes"):
        per_row = sum(max(getattr(d, "itemsize", 8), 8) for d in x_meta.dtypes)
    else:
        per_row = x_meta.shape[1] * x_meta.dtype.itemsize
    need = held * (per_row + _PLAN_BYTES_PER_ROW)
    available = _physical_memory()
    if available is not None and need > available:
        raise ValueError(
            f"{_count_source(resampler)} asks for {int(new.sum()):,} new rows: partition "
            f"{int(new.argmax())} would make {largest:,} of them and hold about "
            f"{need / 2**30:,.1f} GiB at once, more than this machine's memory "
            f"({available / 2**30:,.1f} GiB). Ask for fewer new rows."
        )


def _class_quotas(resampler, partition_counts: list) -> list:
    totals: dict = {}
    for counts in partition_counts:
        for label, size in counts.items():
            totals[label] = totals.get(label, 0) + size
    families = sorted({_label_family(label) for label in totals})
    if len(families) > 1 and ("str" in families or "number" in families):
        # Each partition is of one kind, but they differ (in memory: one y).
        raise ValueError(
            f"y mixes label types ({', '.join(families)}) across partitions: class "
            "labels must be all strings or all numbers."
        )
    labels = np.unique(np.asarray(list(totals), dtype=object if _mixed(totals) else None))
    labels = labels.tolist()
    if len(labels) < 2:
        raise ValueError(
            "y has a single class: class labels need at least 2 classes "
            "(use target_type='regression' for a continuous target)."
        )
    sizes = [totals[label] for label in labels]
    new = new_rows_per_class(
        labels,
        sizes,
        sampling_strategy=resampler.sampling_strategy,
        factor=resampler.factor,
        n_samples=resampler.n_samples,
    )
    new = skip_single_row_classes(
        labels,
        sizes,
        new,
        policy=resampler.single_row_classes,
        target_type=resampler.target_type,
        stacklevel=5,
    )
    quotas = [{} for _ in partition_counts]
    for label in labels:
        total = int(new.get(label, 0))
        if not total:
            continue
        per_partition = np.asarray([c.get(label, 0) for c in partition_counts])
        if not (per_partition >= 2).any():
            raise ValueError(
                f"class {label!r} has {totals[label]} rows but no partition holds 2 of "
                "them, so none can mix it; use fewer, larger partitions (repartition)."
            )
        for p, share in enumerate(_allocate(total, per_partition)):
            if share:
                quotas[p][label] = int(share)
    return quotas


def _numpy_dtype(dtype) -> np.dtype:
    try:
        return np.dtype(getattr(dtype, "numpy_dtype", dtype))
    except TypeError:
        return np.dtype(object)


def _is_numeric(dtype) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return is_numeric_dtype(dtype) and not is_bool_dtype(dtype)


def _mixed(totals: dict) -> bool:
    return len({type(label) for label in totals}) > 1


def _metas(X, y, x_kind, y_kind, kind):
    if x_kind == "frame":
        x_meta = X._meta
    else:
        # As in memory: integer arrays keep their dtype (new values rounded and
        # clipped by each partition's resampler), float32 stays float32.
        if X.dtype == np.float32 or X.dtype.kind in "iu":
            dtype = X.dtype
        else:
            dtype = np.float64
        x_meta = np.empty((0, X.shape[1]), dtype=dtype)
    if y_kind == "series":
        y_meta = y._meta
        if kind == "regression" and not np.issubdtype(_numpy_dtype(y.dtype), np.floating):
            # New targets are w y_a + (1 - w) y_p, never rounded (as in memory).
            y_meta = y_meta.astype(np.float64)
    else:
        dtype = y.dtype
        if kind == "regression" and not np.issubdtype(dtype, np.floating):
            dtype = np.float64
        y_meta = np.empty(0, dtype=dtype)
    return x_meta, y_meta


# -- one partition -----------------------------------------------------------


def _resample_partition(
    resampler, X_part, y_part, quota, seed, target_type, rows, start, index, x_meta, y_meta
):
    """Originals (unless ``synthetic_only``) then new rows of one partition."""
    import pandas as pd

    chunks = list(
        partition_new_row_chunks(resampler, X_part, y_part, quota, seed, target_type, rows, index)
    )
    keep = not resampler.synthetic_only
    # One concatenation of the originals and every chunk of new rows.
    X_pieces = [X for X, _ in chunks]
    if isinstance(x_meta, pd.DataFrame):
        pieces = ([X_part.reset_index(drop=True)] if keep else []) + X_pieces
        X_out = pd.concat(pieces, ignore_index=True) if pieces else x_meta.iloc[:0]
        if not X_out.dtypes.equals(X_part.dtypes):
            X_out = X_out.astype(X_part.dtypes.to_dict())
    else:
        pieces = ([np.asarray(X_part)] if keep else []) + X_pieces
        X_out = (
            np.concatenate([np.asarray(p, dtype=x_meta.dtype) for p in pieces])
            if pieces
            else np.empty((0, x_meta.shape[1]), dtype=x_meta.dtype)
        )
    y_values = _as_1d(y_part)
    pieces = ([y_values] if keep else []) + [y for _, y in chunks]
    y_out = as_target(
        np.concatenate(pieces) if pieces else np.empty(0, dtype=y_values.dtype), y_part, y_meta
    )
    if isinstance(X_out, pd.DataFrame):
        X_out.index = pd.RangeIndex(start, start + X_out.shape[0])
        if isinstance(y_out, pd.Series):
            y_out.index = X_out.index
    elif isinstance(y_out, pd.Series):
        y_out.index = pd.RangeIndex(start, start + y_out.shape[0])
    return X_out, y_out


def as_target(values: np.ndarray, y_part, y_meta):
    """Target values in the container and dtype of the output's ``y``."""
    import pandas as pd

    if isinstance(y_meta, pd.Series):
        if np.issubdtype(values.dtype, np.floating) and y_meta.dtype.kind in "iu":
            values = np.rint(values)
        return pd.Series(values, name=y_part.name).astype(y_meta.dtype)
    return values.astype(y_meta.dtype, copy=False)


def partition_new_row_chunks(resampler, X_part, y_part, quota, seed, target_type, rows, index):
    """New rows of one partition, a few chunks at a time: ``(X_new, y_new)`` pairs.

    A partition's new rows are drawn in at most ``_CHUNKS`` chunks of at
    least ``_MIN_CHUNK_ROWS`` rows (fewer when there are fewer rows), chunk
    ``c`` with the generator of the ``c``-th child of the partition's seed,
    so that a writer can stream them without holding them all; the chunks
    depend only on the partition's rows, quota and seed.
    """
    try:
        if y_part.shape[0] != rows:
            raise ValueError(
                f"y has {y_part.shape[0]} rows here but {rows} when counted: the "
                "collection changed between the counting pass and resampling."
            )
        if X_part.shape[0] != y_part.shape[0]:
            raise ValueError(
                f"X has {X_part.shape[0]} rows and y {y_part.shape[0]}: X and y must be "
                "partitioned alike."
            )
        frame = _all_float_frame(X_part, resampler)
        # An all-float frame is mixed as one array, converted once: the same
        # rows, drawn identically, without the frame codec's copies.
        source = X_part if frame is None else np.ascontiguousarray(frame.to_numpy())
        chunks = _chunk_quotas(quota, target_type)
        if frame is not None:
            _check_finite(source, list(frame.columns))
        elif not chunks:
            # No resampler runs on this partition: check its values as one would.
            _check_partition_values(resampler, X_part)
        for number, chunk_quota in enumerate(chunks):
            child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, number))
            X_new, y_new = _new_rows(
                resampler,
                source,
                y_part,
                chunk_quota,
                child,
                target_type,
                names=None if frame is None else list(frame.columns),
            )
            if frame is not None:
                X_new = frame.__class__(X_new, columns=frame.columns, copy=False)
            yield X_new, y_new
    except (ValueError, TypeError) as error:
        raise type(error)(f"partition {index}: {error}") from error


_CHUNKS = 4
_MIN_CHUNK_ROWS = 1 << 16


def _check_finite(values: np.ndarray, names: list) -> None:
    """Refuse NaN or inf in a float matrix, naming its columns as in memory."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = values.sum()  # one fast pass; inf or NaN sends us to the slow one
    if np.isfinite(total) or np.isfinite(values).all():
        return
    nan = [names[i] for i in np.flatnonzero(np.isnan(values).any(axis=0))]
    inf = [names[i] for i in np.flatnonzero(np.isinf(values).any(axis=0))]
    parts = [f"NaN or missing values in column(s) {nan}"] if nan else []
    parts += [f"infinity in column(s) {inf}"] if inf else []
    raise ValueError(
        f"Input X contains {' and '.join(parts)}: mixup cannot mix missing or "
        "infinite values. Impute or drop them first, or list the columns in "
        "categorical_features to copy them from the anchor row."
    )


def _check_partition_values(resampler, X_part) -> None:
    """The in-memory checks of ``X``'s values, for a partition that makes no rows."""
    from skmixup._tables.frames import FrameCodec, check_numeric_array

    if X_part.shape[0] == 0:
        return
    if hasattr(X_part, "columns"):
        codec = FrameCodec(X_part, resampler.categorical_features, clip=resampler.clip)
        codec.encode(X_part)
    else:
        check_numeric_array(np.asarray(X_part))


def _chunk_quotas(quota, target_type) -> list:
    """The quota cut into consecutive chunks (classes in their order), none empty."""
    total = int(quota) if target_type == "regression" else int(sum(quota.values()))
    if not total:
        return []
    n_chunks = int(min(_CHUNKS, max(1, total // _MIN_CHUNK_ROWS)))
    bounds = [total * c // n_chunks for c in range(n_chunks + 1)]
    if target_type == "regression":
        return [bounds[c + 1] - bounds[c] for c in range(n_chunks)]
    ends = np.cumsum([int(count) for count in quota.values()])
    starts = ends - np.asarray([int(count) for count in quota.values()])
    chunks = []
    for low, high in zip(bounds[:-1], bounds[1:]):
        overlap = np.clip(np.minimum(ends, high) - np.maximum(starts, low), 0, None)
        chunks.append({label: int(n) for label, n in zip(quota, overlap) if n})
    return chunks


def _all_float_frame(X_part, resampler):
    """``X_part`` if it is a DataFrame of one float dtype and nothing categorical."""
    dtypes = getattr(X_part, "dtypes", None)
    declared = resampler.categorical_features not in (None, "auto")
    if dtypes is None or declared or X_part.shape[1] == 0:
        return None
    first = dtypes.iloc[0]
    if first not in (np.float32, np.float64) or not (dtypes == first).all():
        return None
    return X_part


def _new_rows(resampler, X_part, y_part, quota, seed, target_type, names=None):
    estimator = clone(resampler).set_params(
        synthetic_only=True, random_state=np.random.default_rng(seed)
    )
    if names is not None:  # the columns of the frame X_part was converted from
        estimator._array_column_names = names
    y_values = _as_1d(y_part)
    n_new = quota if target_type == "regression" else sum(quota.values())
    if not n_new:
        return None, None
    if target_type == "regression":
        estimator.set_params(
            target_type="regression", n_samples=int(n_new), factor=None, sampling_strategy="auto"
        )
        X_new, y_new = estimator.fit_resample(X_part, y_part)
        return X_new, _as_1d(y_new)
    labels, sizes = np.unique(y_values, return_counts=True)
    here = dict(zip(labels.tolist(), sizes.tolist()))
    if any(here.get(label, 0) < 2 for label in quota):
        raise ValueError(
            "y's classes here differ from those counted: the collection changed "
            "between the counting pass and resampling."
        )
    if labels.shape[0] >= 2:
        strategy = {label: size + quota.get(label, 0) for label, size in here.items()}
        estimator.set_params(
            target_type="classification", sampling_strategy=strategy, factor=None, n_samples=None
        )
        X_new, y_new = estimator.fit_resample(X_part, y_part)
        return X_new, _as_1d(y_new)
    # One class here: mix the partition as one group; the label is that class.
    estimator.set_params(
        target_type="regression", n_samples=int(n_new), factor=None, sampling_strategy="auto"
    )
    X_new, _ = estimator.fit_resample(X_part, np.zeros(y_values.shape[0]))
    return X_new, np.repeat(y_values[:1], n_new)
