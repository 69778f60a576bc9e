"""How close synthetic rows sit to the real rows they were made from."""

from __future__ import annotations

import numpy as np

from skmixup._tables.frames import is_dataframe, resolve_categorical

__all__ = ["privacy_report"]


def privacy_report(X_real, X_synthetic, X_holdout, *, categorical_features="auto") -> dict:
    """Distances from synthetic rows to the closest real row, against fresh data.

    A synthetic table leaks its real rows when its rows sit closer to them
    than new data of the same kind would. ``X_holdout`` is that new data:
    real rows of the same source that were *not* given to the synthesizer.
    Every distance is Euclidean, with numeric columns divided by their
    standard deviation in ``X_real`` and a mismatch of a categorical column
    counting 1 (a match 0).

    Parameters
    ----------
    X_real : DataFrame or array-like of shape (n_real, n_features)
        The rows the synthesizer was fitted on.
    X_synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic rows, same columns.
    X_holdout : DataFrame or array-like of shape (n_holdout, n_features)
        Real rows the synthesizer never saw, same columns.
    categorical_features : 'auto', array-like or None, default='auto'
        Columns compared as categories: 'auto' takes the non-numeric
        DataFrame columns (strings, objects, categories, booleans) and none
        of an array's; or give positions or names.

    Returns
    -------
    report : dict of str to float
        ``exact_copies``
            Share of synthetic rows equal to a real row in every column.
        ``dcr_ratio``
            Median distance from a synthetic row to its closest real row,
            divided by the same median for the holdout rows: near 1 for
            synthetic rows as far from the real ones as fresh data, below 1
            when they sit closer, 0 when they are copies.
        ``closer_than_holdout_p5``
            Share of synthetic rows closer to a real row than the 5th
            percentile of the holdout rows' distances (about 0.05 for fresh
            data).
        ``dcr_synthetic_median``, ``dcr_holdout_median``, ``holdout_p5``
            The distances behind the ratios.

    Notes
    -----
    Mixup rows lie between (or just beyond) two real rows, so they are
    closer to a real row than fresh data would be. On scikit-learn's
    diabetes table (unscaled, target as a column; 331 rows fitted, 111
    held out, as many synthetic rows as fitted ones; mean of 5 splits) the
    synthesizer's defaults give no exact copy, ``dcr_ratio`` 0.48 and
    ``closer_than_holdout_p5`` 0.68: no released row is a real one, but
    most released rows tell that a real row lies near them. Wider weights,
    still variance preserving, move new rows away from both rows of their
    pair: ``EpBetaSynthesizer(eps0=1, eps1=1)`` gives 0.59 and 0.59 (its
    weights ``Beta(4, 4)`` on ``[-1, 2]`` put less mass near 0 and 1),
    with a covariance error of 0.12 (0.14 with the defaults, 0.11 for a
    bootstrap) but more values clipped onto the observed bounds.
    ``benchmarks/bench_synthetic.py`` prints these figures. For release,
    treat a mixup table as derived from its real rows, not as anonymous:
    it is not a differential-privacy mechanism.

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.metrics import privacy_report
    >>> rng = np.random.default_rng(0)
    >>> real, holdout = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    >>> report = privacy_report(real, real.copy(), holdout)
    >>> report["exact_copies"], report["dcr_ratio"]
    (1.0, 0.0)
    """
    real, synthetic, holdout = _encode([X_real, X_synthetic, X_holdout], categorical_features)
    real_distance = _Closest(real)
    d_synthetic = real_distance(synthetic)
    d_holdout = real_distance(holdout)
    median_holdout = float(np.median(d_holdout))
    median_synthetic = float(np.median(d_synthetic))
    if median_holdout == 0.0:
        raise ValueError(
            "half of the holdout rows are copies of real rows: the holdout must be "
            "rows that were not given to the synthesizer."
        )
    p5 = float(np.percentile(d_holdout, 5))
    return {
        "exact_copies": float(np.mean(d_synthetic == 0.0)),
        "dcr_ratio": median_synthetic / median_holdout,
        "closer_than_holdout_p5": float(np.mean(d_synthetic < p5)),
        "dcr_synthetic_median": median_synthetic,
        "dcr_holdout_median": median_holdout,
        "holdout_p5": p5,
    }


class _Closest:
    """Distance from rows to their closest row of ``reference`` (exact 0 for copies)."""

    def __init__(self, reference: np.ndarray):
        from sklearn.neighbors import NearestNeighbors

        self._search = NearestNeighbors(n_neighbors=1).fit(reference)
        self._copies = {row.tobytes() for row in reference}

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        distance = self._search.kneighbors(rows)[0][:, 0]
        # Exact copies by their bytes: the distance search may leave a
        # rounding residue on identical rows.
        copy = np.fromiter((row.tobytes() in self._copies for row in rows), bool, len(rows))
        distance[copy] = 0.0
        distance[~copy] = np.maximum(distance[~copy], np.finfo(np.float64).tiny)
        return distance


def _encode(tables: list, categorical_features) -> list[np.ndarray]:
    """Numeric columns scaled by the first table's sds, categories as
    one-hot columns of height ``1 / sqrt(2)`` (a mismatch adds 1 to the
    squared distance)."""
    names = [_column_names(table) for table in tables]
    if any(len(n) != len(names[0]) for n in names) or (
        names[0] is not None and any(n != names[0] for n in names if n is not None)
    ):
        raise ValueError(
            f"X_real, X_synthetic and X_holdout must have the same columns; got "
            f"{[len(n) for n in names]} columns."
        )
    columns = [_columns(table) for table in tables]
    n_features = len(columns[0])
    feature_names = names[0] if is_dataframe(tables[0]) else None
    if isinstance(categorical_features, str) and categorical_features == "auto":
        categorical = [i for i, column in enumerate(columns[0]) if not _is_numeric(column)]
    else:
        categorical = resolve_categorical(categorical_features, n_features, feature_names).tolist()
    blocks = [[] for _ in tables]
    for position in range(n_features):
        parts = [table_columns[position] for table_columns in columns]
        if position in categorical:
            codes = _joint_codes(parts)
            onehot = np.eye(codes.max() + 1)[codes] / np.sqrt(2.0)
            pieces = np.split(onehot, np.cumsum([len(p) for p in parts])[:-1])
        else:
            pieces = [_as_float(part, position, feature_names) for part in parts]
            sd = np.std(pieces[0], ddof=1)
            pieces = [piece / (sd if sd > 0 else 1.0) for piece in pieces]
            pieces = [piece[:, None] for piece in pieces]
        for block, piece in zip(blocks, pieces):
            block.append(piece)
    return [np.ascontiguousarray(np.hstack(block), dtype=np.float64) for block in blocks]


def _column_names(table):
    if is_dataframe(table):
        return list(table.columns)
    return [None] * np.shape(table)[1]


def _columns(table) -> list[np.ndarray]:
    if is_dataframe(table):
        return [table.iloc[:, i].to_numpy() for i in range(table.shape[1])]
    array = np.asarray(table)
    if array.ndim != 2:
        raise ValueError(f"tables must be 2-D, got an array of shape {array.shape}.")
    return [array[:, i] for i in range(array.shape[1])]


def _is_numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "iufmM"


def _as_float(values: np.ndarray, position: int, names) -> np.ndarray:
    if values.dtype.kind in "mM":
        values = values.astype("int64")
    try:
        values = values.astype(np.float64)
    except (TypeError, ValueError):
        values = np.full(values.shape, np.nan)
    if not np.isfinite(values).all():
        name = position if names is None else names[position]
        raise ValueError(
            f"column {name!r} holds missing, infinite or non-numeric values: distances "
            "need numbers (list it in categorical_features to compare it as a category)."
        )
    return values


def _joint_codes(parts: list[np.ndarray]) -> np.ndarray:
    import pandas as pd

    joined = pd.Series(np.concatenate([np.asarray(p, dtype=object) for p in parts]))
    return pd.factorize(joined, use_na_sentinel=False)[0]
