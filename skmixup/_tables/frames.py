"""Containers in and out: pandas frames, lists, arrays and sparse matrices.

The resamplers work on one float matrix. This module turns what the user
passed into that matrix (categorical columns of a DataFrame become integer
codes, copied verbatim from the anchor row; datetime and timedelta columns
become numbers in their own unit) and turns new rows back into the user's
container with the original column names and dtypes. Integer and datetime
values are rounded to the nearest representable value and clipped to their
dtype's range (never wrapped around); with ``clip='observed'`` every mixed
column is also kept inside the range seen in the input.
"""

from __future__ import annotations

import sys

import numpy as np
import scipy.sparse as sp

__all__ = [
    "is_dataframe",
    "check_numeric_array",
    "resolve_categorical",
    "FrameCodec",
    "restore_like",
]


def is_dataframe(obj) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def _is_series(obj) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.Series)


def _is_auto(categorical_features) -> bool:
    return isinstance(categorical_features, str) and categorical_features == "auto"


def check_numeric_array(X, allow_nan: bool = False) -> None:
    """Refuse numpy datetime/timedelta arrays, which would silently become
    numbers, and name the columns of a float array that hold NaN (unless
    ``allow_nan``) or inf."""
    dtype = getattr(X, "dtype", None)
    if allow_nan and isinstance(X, np.ndarray) and dtype.kind == "f" and np.isinf(X).any():
        inf = np.flatnonzero(np.isinf(X).reshape(X.shape[0], -1).any(axis=0)).tolist()
        raise ValueError(
            f"Input X contains infinity in column(s) {inf}: mixup cannot mix infinite "
            "values; impute or drop them first."
        )
    if not allow_nan and isinstance(X, np.ndarray) and X.ndim == 2 and dtype.kind == "f":
        with np.errstate(over="ignore", invalid="ignore"):
            total = X.sum()  # one fast pass; inf or NaN sends us to the slow one
        if not np.isfinite(total) and not np.isfinite(X).all():
            nan = np.flatnonzero(np.isnan(X).any(axis=0)).tolist()
            inf = np.flatnonzero(np.isinf(X).any(axis=0)).tolist()
            parts = [f"NaN in column(s) {nan}"] if nan else []
            parts += [f"infinity in column(s) {inf}"] if inf else []
            raise ValueError(
                f"Input X contains {' and '.join(parts)}: mixup cannot mix missing "
                "or infinite values; impute or drop them first."
            )
    if isinstance(dtype, np.dtype) and dtype.kind in "mM":
        raise TypeError(
            f"X is a numpy array of dtype {dtype}: it would be read as plain numbers "
            "(days or seconds since 1970) and come back as floats. Pass a pandas "
            "DataFrame, whose datetime and timedelta columns are interpolated as "
            "instants and keep their dtype, or convert X to numbers yourself."
        )


def resolve_categorical(categorical_features, n_features: int, feature_names) -> np.ndarray:
    """Positions of the categorical columns of an array, from indices or a mask.

    ``'auto'`` and ``None`` mean no categorical column (an array has no
    non-numeric column to detect). Raises ``ValueError`` naming the
    offending entry for an index out of range, a repeated column, a mask of
    the wrong length, or when every column would be categorical.
    """
    if categorical_features is None or _is_auto(categorical_features):
        return np.empty(0, dtype=np.intp)
    values = np.asarray(categorical_features)
    if values.ndim != 1:
        raise ValueError(
            "categorical_features must be 'auto', None or a 1-D list of column "
            "indices, column names or a boolean mask; got an array of shape "
            f"{values.shape}."
        )
    if values.size == 0:
        return np.empty(0, dtype=np.intp)
    if values.dtype.kind == "b":
        positions = _mask_positions(values, n_features)
    elif values.dtype.kind in "iu":
        positions = _index_positions(values.tolist(), n_features)
    elif values.dtype.kind in "UO" and all(isinstance(v, str) for v in values):
        if feature_names is None:
            raise ValueError(
                "categorical_features gives column names, but X has no column "
                "names; pass a pandas DataFrame or use column indices."
            )
        positions = _label_positions(values.tolist(), feature_names)
    else:
        raise TypeError(
            "categorical_features must hold column indices (int), column names "
            f"(str) or booleans; got values of dtype {values.dtype}."
        )
    return _checked_positions(positions, n_features)


def _mask_positions(values: np.ndarray, n_features: int) -> np.ndarray:
    if values.shape[0] != n_features:
        raise ValueError(
            f"categorical_features is a boolean mask of length {values.shape[0]}"
            f" but X has {n_features} features."
        )
    return np.flatnonzero(values)


def _index_positions(indices: list, n_features: int) -> np.ndarray:
    bad = [i for i in indices if not -n_features <= i < n_features]
    if bad:
        raise ValueError(
            f"categorical_features contains index {bad[0]} but X has "
            f"{n_features} features (valid indices: 0..{n_features - 1})."
        )
    return np.array([i % n_features for i in indices], dtype=np.intp)


def _label_positions(labels: list, columns) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(columns)}
    missing = [name for name in labels if name not in lookup]
    if missing:
        raise ValueError(
            f"categorical_features names unknown column(s) {missing}; "
            f"X has columns {list(columns)}."
        )
    return np.array([lookup[name] for name in labels], dtype=np.intp)


def _checked_positions(positions: np.ndarray, n_features: int) -> np.ndarray:
    positions = np.asarray(positions, dtype=np.intp)
    if np.unique(positions).shape[0] != positions.shape[0]:
        raise ValueError("categorical_features names the same column twice.")
    if positions.shape[0] == n_features:
        raise ValueError(
            "every column is categorical (copied from the anchor row): mixup needs "
            "at least one numeric column to interpolate."
        )
    return np.sort(positions)


def _is_integer_entry(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _frame_positions(categorical_features, columns) -> np.ndarray:
    """Positions of the DataFrame columns named by ``categorical_features``.

    Strings and other labels are column labels. Integers are column labels
    when the frame has integer column labels (a frame built from an array,
    or with labels such as years), and positions otherwise.
    """
    entries = list(categorical_features)
    if not entries:
        return np.empty(0, dtype=np.intp)
    if all(isinstance(v, (bool, np.bool_)) for v in entries):
        return _mask_positions(np.asarray(entries, dtype=bool), len(columns))
    integer_labels = any(_is_integer_entry(label) for label in columns)
    if not integer_labels and all(_is_integer_entry(v) for v in entries):
        return _index_positions([int(v) for v in entries], len(columns))
    if not integer_labels and any(_is_integer_entry(v) for v in entries):
        positions = [int(v) for v in entries if _is_integer_entry(v)]
        labels = [v for v in entries if not _is_integer_entry(v)]
        return np.concatenate(
            [
                _index_positions(positions, len(columns)),
                _label_positions(labels, columns),
            ]
        )
    return _label_positions(entries, columns)


# -- DataFrame columns --------------------------------------------------------

_COPY, _FLOAT, _INT, _TIME, _COMPLEX = "copy", "float", "int", "time", "complex"


def _base_dtype(dtype):
    """The numpy dtype behind a pandas dtype (sparse, nullable, Arrow)."""
    base = getattr(dtype, "subtype", None)  # SparseDtype
    if base is None:
        base = getattr(dtype, "numpy_dtype", dtype)  # Int64, Float64, ArrowDtype
    try:
        return np.dtype(base)
    except TypeError:
        return None


def _column_kind(dtype) -> str:
    import pandas as pd

    types = pd.api.types
    if types.is_bool_dtype(dtype):
        return _COPY
    if types.is_datetime64_any_dtype(dtype) or types.is_timedelta64_dtype(dtype):
        return _TIME
    if types.is_complex_dtype(dtype):
        return _COMPLEX
    if types.is_numeric_dtype(dtype):
        base = _base_dtype(dtype)
        if base is None or base.kind not in "iuf":
            return _COPY
        return _INT if base.kind in "iu" else _FLOAT
    return _COPY


def _describe(names, dtypes) -> str:
    return ", ".join(f"{name!r} ({dtype})" for name, dtype in zip(names, dtypes))


class FrameCodec:
    """Encode a DataFrame as a float matrix and decode new rows back.

    Column kinds:

    * categorical columns (with ``categorical_features='auto'``: strings,
      objects, categories, bool and nullable boolean) are coded by row
      position and copied from the anchor row, value and dtype unchanged
      (missing values included);
    * integer and float columns (numpy or nullable) are mixed; integers are
      rounded to the nearest integer and clipped to their dtype's range,
      floats are clipped to their dtype's finite range;
    * datetime (naive or with a time zone) and timedelta columns are mixed
      as instants: the integer count of their unit since 1970 (or zero),
      rounded and clipped like integers.

    With ``clip='observed'``, every mixed column is also clipped to the
    range it has in the input.

    Parameters
    ----------
    frame : pandas.DataFrame
    categorical_features : 'auto', None or array-like
        See the resamplers' parameter.
    clip : {'dtype', 'observed'}, default='dtype'
    missing : {'refuse', 'keep'}, default='refuse'
        'keep' accepts missing values (NaN, ``pd.NA``) in mixed float
        columns: they are encoded as NaN and come back missing.

    Raises
    ------
    ValueError
        Listing, in one message, every non-numeric column that is not
        declared categorical, or every mixed column with missing or
        infinite values.
    TypeError
        Listing every complex column that would be mixed.
    """

    def __init__(
        self, frame, categorical_features="auto", clip: str = "dtype", missing: str = "refuse"
    ):
        self.missing = missing
        self.columns = frame.columns
        self.dtypes = list(frame.dtypes)
        self.clip = clip
        kinds = [_column_kind(dtype) for dtype in self.dtypes]
        names = list(frame.columns)
        if _is_auto(categorical_features):
            declared = [i for i, kind in enumerate(kinds) if kind == _COPY]
            positions = _checked_positions(declared, len(names))
        elif categorical_features is None:
            positions = np.empty(0, dtype=np.intp)
        else:
            positions = _checked_positions(
                _frame_positions(categorical_features, frame.columns), len(names)
            )
        is_categorical = np.zeros(len(names), dtype=bool)
        is_categorical[positions] = True
        undeclared = [i for i, k in enumerate(kinds) if k == _COPY and not is_categorical[i]]
        complex_ = [i for i, k in enumerate(kinds) if k == _COMPLEX and not is_categorical[i]]
        if undeclared:
            extra = (
                f" Complex columns cannot be mixed either: {_describe(*self._pick(complex_))}."
                if complex_
                else ""
            )
            raise ValueError(
                f"X has non-numeric column(s) {_describe(*self._pick(undeclared))} that are "
                "not in categorical_features: list them there to copy them from the "
                "anchor row, or use categorical_features='auto' (the default), which "
                f"copies every non-numeric column.{extra}"
            )
        if complex_:
            raise TypeError(
                f"X has complex column(s) {_describe(*self._pick(complex_))}: mixing would "
                "drop or distort the imaginary part. Split each into a real and an "
                "imaginary column first, or list it in categorical_features to copy it "
                "from the anchor row."
            )
        self.categorical = positions
        self.is_categorical = is_categorical
        self.kinds = [_COPY if is_categorical[i] else kind for i, kind in enumerate(kinds)]
        mixed = [_base_dtype(d) for d, k in zip(self.dtypes, self.kinds) if k != _COPY]
        self.dtype = (
            np.float32
            if all(k == _FLOAT for k in self.kinds if k != _COPY)
            and all(d == np.float32 for d in mixed)
            else np.float64
        )
        if self.dtype == np.float32 and frame.shape[0] >= 2**24 and positions.size:
            self.dtype = np.float64  # codes must stay exact integers
        self._sources = {}
        self._observed = {}

    def _pick(self, positions):
        return [self.columns[i] for i in positions], [self.dtypes[i] for i in positions]

    def encode(self, frame) -> np.ndarray:
        """The float matrix of ``frame`` (NaN or inf in a mixed column is refused)."""
        import pandas as pd

        matrix = np.empty(frame.shape, dtype=self.dtype)
        missing, infinite = [], []
        for position, kind in enumerate(self.kinds):
            column = frame.iloc[:, position]
            if kind == _COPY:
                # The code of a row is its own position: a new row takes the
                # anchor's object itself (None stays None, NaN stays NaN).
                self._sources[position] = column.reset_index(drop=True)
                matrix[:, position] = np.arange(frame.shape[0])
                continue
            if isinstance(column.dtype, pd.SparseDtype):
                column = column.sparse.to_dense()
            if column.isna().any():
                if self.missing != "keep" or kind != _FLOAT:
                    missing.append(position)
                    continue
                column = column.astype(np.float64)  # pd.NA becomes NaN
            if kind == _TIME:
                values = np.asarray(column.array.asi8)
                matrix[:, position] = values
            else:
                values = column.to_numpy(dtype=_base_dtype(column.dtype))
                if kind == _FLOAT and np.isinf(values).any():
                    infinite.append(position)
                    continue
                matrix[:, position] = values
            if self.clip == "observed":
                self._observed[position] = (np.nanmin(values), np.nanmax(values))
        if missing or infinite:
            parts = []
            if missing:
                parts.append(f"NaN or missing values in column(s) {self._pick(missing)[0]}")
            if infinite:
                parts.append(f"infinity in column(s) {self._pick(infinite)[0]}")
            raise ValueError(
                f"Input X contains {' and '.join(parts)}: mixup cannot mix missing or "
                "infinite values. Impute or drop them first, or list the columns in "
                "categorical_features to copy them from the anchor row."
            )
        return matrix

    def assemble(self, original, new_matrix: np.ndarray, keep_originals: bool):
        """The output frame: the rows of ``original`` (when kept), then the new rows.

        When every column is a mixed column of one numpy float dtype, the
        output is one block filled in place (the same values as decoding
        and concatenating, without their copies); otherwise the new rows
        are decoded column by column and appended.
        """
        import pandas as pd

        dtype = self.dtypes[0] if self.dtypes else None
        uniform = (
            isinstance(dtype, np.dtype)
            and all(kind == _FLOAT for kind in self.kinds)
            and all(other == dtype for other in self.dtypes)
        )
        if not uniform:
            new_rows = self.decode(new_matrix)
            if not keep_originals:
                return new_rows
            return pd.concat([original.reset_index(drop=True), new_rows], ignore_index=True)
        observed = None
        if self._observed:
            bounds = [self._observed[position] for position in range(len(self.kinds))]
            observed = (np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds]))
        n_original = original.shape[0] if keep_originals else 0
        # pandas keeps a Fortran-ordered 2-D array as its block without a copy.
        out = np.empty((n_original + new_matrix.shape[0], len(self.kinds)), dtype, order="F")
        if n_original:
            out[:n_original] = original.to_numpy()
        _to_floats(new_matrix, dtype, observed, out=out[n_original:])
        return pd.DataFrame(out, columns=self.columns, copy=False)

    def decode(self, matrix: np.ndarray):
        """New rows of ``matrix`` as a DataFrame with the original columns and dtypes."""
        import pandas as pd

        data = {}
        for position, (kind, dtype) in enumerate(zip(self.kinds, self.dtypes)):
            values = matrix[:, position]
            if kind == _COPY:
                rows = values.astype(np.intp)
                data[position] = self._sources[position].take(rows).reset_index(drop=True)
                continue
            observed = self._observed.get(position)
            if kind == _TIME:
                ints = _to_integers(values, np.dtype(np.int64), observed, reserve_min=True)
                unit = np.datetime_data(_time_numpy_dtype(dtype))[0]
                letter = "M" if pd.api.types.is_datetime64_any_dtype(dtype) else "m"
                column = pd.Series(ints.view(f"{letter}8[{unit}]"))
                tz = getattr(dtype, "tz", None)
                if tz is not None:
                    column = column.dt.tz_localize("UTC").dt.tz_convert(tz)
            elif kind == _INT:
                column = pd.Series(_to_integers(values, _base_dtype(dtype), observed))
            else:
                column = pd.Series(_to_floats(values, _base_dtype(dtype), observed))
            data[position] = column.astype(dtype)
        frame = pd.DataFrame(data)
        frame.columns = self.columns
        return frame


def _time_numpy_dtype(dtype) -> np.dtype:
    unit = getattr(dtype, "unit", None)
    if unit is not None and not isinstance(dtype, np.dtype):
        return np.dtype(f"M8[{unit}]")
    return np.dtype(dtype)


def _inner_float(value: int, direction: float) -> float:
    """The float nearest to integer ``value`` on the side of ``direction``
    (so that casting it back cannot leave the integer range)."""
    as_float = float(value)
    if (direction < 0 and int(as_float) > value) or (direction > 0 and int(as_float) < value):
        as_float = float(np.nextafter(as_float, direction))
    return as_float


def _to_integers(values, dtype: np.dtype, observed=None, reserve_min: bool = False) -> np.ndarray:
    """Round to nearest, clip to the dtype's range (and ``observed``), cast.

    ``reserve_min`` keeps the smallest int64 out (it is pandas' NaT).
    """
    info = np.iinfo(dtype)
    low = info.min + 1 if reserve_min else info.min
    bounds = (_inner_float(low, np.inf), _inner_float(info.max, -np.inf))
    result = np.clip(np.rint(values), *bounds).astype(dtype)
    if observed is not None:
        # Exact integer comparison: int64 bounds above 2**53 are not floats.
        result = np.clip(result, np.asarray(observed[0], dtype), np.asarray(observed[1], dtype))
    return result


def _to_floats(values, dtype: np.dtype, observed=None, out=None) -> np.ndarray:
    """Clip to ``observed`` and to the finite range of ``dtype``, then cast
    (into ``out`` when given)."""
    if observed is not None:
        values = np.clip(values, observed[0], observed[1])
    if np.finfo(dtype).max < np.finfo(values.dtype).max:
        largest = float(np.finfo(dtype).max)
        values = np.clip(values, -largest, largest)
    if out is None:
        return values.astype(dtype)
    out[...] = values
    return out


# -- arrays, lists, series ----------------------------------------------------


def _observed_bounds(original):
    """Per-column minimum and maximum of a 2-D array or sparse matrix."""
    if sp.issparse(original):
        low = original.min(axis=0)
        high = original.max(axis=0)
        return np.asarray(low.todense()).ravel(), np.asarray(high.todense()).ravel()
    if original.dtype.kind == "f":  # missing values (missing_values='keep') ignored
        return np.nanmin(original, axis=0), np.nanmax(original, axis=0)
    return original.min(axis=0), original.max(axis=0)


def _finish_dense(original: np.ndarray, new: np.ndarray, clip: str) -> np.ndarray:
    observed = _observed_bounds(original) if clip == "observed" else None
    if original.dtype.kind in "iu":
        return _to_integers(new, original.dtype, observed)
    if observed is not None:
        new = np.clip(new, observed[0].astype(new.dtype), observed[1].astype(new.dtype))
    return new


def _finish_sparse(original, new, clip: str):
    """Clip (and, for integer input, round and cast) the stored values of ``new``."""
    if new.format == "csr":
        columns = new.indices
    else:
        columns = np.repeat(np.arange(new.shape[1]), np.diff(new.indptr))
    data = new.data
    if original.dtype.kind in "iu":
        data = _to_integers(data, original.dtype)
    if clip == "observed":
        low, high = _observed_bounds(original)
        data = np.clip(data, low[columns].astype(data.dtype), high[columns].astype(data.dtype))
    return type(new)((data, new.indices.copy(), new.indptr.copy()), shape=new.shape)


def restore_like(original, result, *, n_original=None, clip="dtype", one_vs_all_classes=None):
    """Return ``result`` (1-D or 2-D array) in the container type of ``original``.

    Lists stay lists, pandas Series keep their name and DataFrames their
    columns and dtypes. With ``n_original`` (rows of ``result`` that are
    the original rows, followed by new rows), integer arrays keep their
    dtype: original rows are taken from ``original`` itself (exact even
    above 2**53) and new values are rounded, clipped to the dtype's range
    and cast; ``clip='observed'`` also clips new values to each column's
    range in ``original``. With ``one_vs_all_classes``, labels are
    binarised back to one-vs-all columns.
    """
    if one_vs_all_classes is not None:
        # One column per class, even for two classes (label_binarize would
        # give a single column there).
        result = (np.asarray(result)[:, None] == one_vs_all_classes).astype(
            np.asarray(original).dtype
        )
    if n_original is not None:
        result = _restore_rows(original, result, n_original, clip)
    if isinstance(original, list):
        return result.tolist()
    if _is_series(original):
        import pandas as pd

        values = np.asarray(result)
        base = _base_dtype(original.dtype)
        if base is not None and base.kind in "iu" and values.dtype.kind == "f":
            values = _to_integers(values, base)
        return pd.Series(values, name=original.name).astype(original.dtype)
    if is_dataframe(original):
        import pandas as pd

        values = np.asarray(result).reshape(result.shape[0], -1)
        columns = {}
        for i, dtype in enumerate(original.dtypes):
            base = _base_dtype(dtype)
            column = values[:, i]
            if base is not None and base.kind in "iu" and column.dtype.kind == "f":
                column = _to_integers(column, base)
            columns[i] = column
        frame = pd.DataFrame(columns)
        frame.columns = original.columns
        return frame.astype(dict(zip(original.columns, original.dtypes)))
    if isinstance(original, np.ndarray) and original.ndim == 2 and np.ndim(result) == 1:
        return result.reshape(-1, 1)
    return result


def _restore_rows(original, result, n_original: int, clip: str):
    """Original rows exact, new rows in the input's dtype (2-D ``X`` only)."""
    if sp.issparse(original):
        if original.dtype.kind not in "iu" and clip != "observed":
            return result
        new = _finish_sparse(original, result[n_original:], clip)
        if not n_original:
            return new
        return sp.vstack([original.asformat(result.format), new], format=result.format)
    array = np.asarray(original) if isinstance(original, list) else original
    if not isinstance(array, np.ndarray) or array.ndim != 2 or array.dtype.kind not in "iuf":
        return result
    if array.dtype.kind == "f" and clip != "observed":
        return result
    new = _finish_dense(array, result[n_original:], clip)
    if array.dtype.kind == "f":
        result[n_original:] = new
        return result
    return np.concatenate([array, new]) if n_original else new
