"""Containers in and out: pandas frames, lists, arrays and sparse matrices.

The resamplers work on one float matrix. This module turns what the user
passed into that matrix (declared categorical columns of a DataFrame become
integer codes, copied verbatim from the anchor row) and turns new rows back
into the user's container with the original column names and dtypes.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["is_dataframe", "resolve_categorical", "FrameCodec", "restore_like"]


def is_dataframe(obj) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def _is_series(obj) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.Series)


def resolve_categorical(categorical_features, n_features: int, feature_names) -> np.ndarray:
    """Positions of the categorical columns, from indices, names or a mask.

    Raises ``ValueError`` naming the offending entry for an unknown name, an
    index out of range, a repeated column, a mask of the wrong length, or
    when every column would be categorical (nothing left to mix).
    """
    if categorical_features is None:
        return np.empty(0, dtype=np.intp)
    values = np.asarray(categorical_features)
    if values.ndim != 1:
        raise ValueError(
            "categorical_features must be a 1-D list of column indices, column "
            f"names or a boolean mask; got an array of shape {values.shape}."
        )
    if values.size == 0:
        return np.empty(0, dtype=np.intp)
    if values.dtype.kind == "b":
        if values.shape[0] != n_features:
            raise ValueError(
                f"categorical_features is a boolean mask of length {values.shape[0]}"
                f" but X has {n_features} features."
            )
        positions = np.flatnonzero(values)
    elif values.dtype.kind in "iu":
        bad = values[(values < -n_features) | (values >= n_features)]
        if bad.size:
            raise ValueError(
                f"categorical_features contains index {bad[0]} but X has "
                f"{n_features} features (valid indices: 0..{n_features - 1})."
            )
        positions = np.where(values < 0, values + n_features, values).astype(np.intp)
    elif values.dtype.kind in "UO" and all(isinstance(v, str) for v in values):
        if feature_names is None:
            raise ValueError(
                "categorical_features gives column names, but X has no column "
                "names; pass a pandas DataFrame or use column indices."
            )
        lookup = {name: i for i, name in enumerate(feature_names)}
        missing = [name for name in values if name not in lookup]
        if missing:
            raise ValueError(
                f"categorical_features names unknown column(s) {missing}; "
                f"X has columns {list(feature_names)}."
            )
        positions = np.array([lookup[name] for name in values], dtype=np.intp)
    else:
        raise TypeError(
            "categorical_features must hold column indices (int), column names "
            f"(str) or booleans; got values of dtype {values.dtype}."
        )
    if np.unique(positions).shape[0] != positions.shape[0]:
        raise ValueError("categorical_features names the same column twice.")
    if positions.shape[0] == n_features:
        raise ValueError(
            "every column is declared categorical: mixup needs at least one "
            "numeric column to interpolate."
        )
    return np.sort(positions)


def _float_dtype_of(dtypes) -> type:
    return np.float32 if dtypes and all(d == np.float32 for d in dtypes) else np.float64


class FrameCodec:
    """Encode a DataFrame as a float matrix and decode new rows back.

    Numeric columns keep their values; each categorical column becomes the
    integer codes of ``pandas.factorize`` (missing values are a category).
    Decoded integer columns are rounded to the nearest integer, so that
    every column keeps its dtype.

    Parameters
    ----------
    frame : pandas.DataFrame
    categorical : ndarray of int
        Positions of the categorical columns.
    """

    def __init__(self, frame, categorical: np.ndarray):
        import pandas as pd

        self.columns = frame.columns
        self.dtypes = frame.dtypes
        self.categorical = categorical
        self._uniques = {}
        is_categorical = np.zeros(frame.shape[1], dtype=bool)
        is_categorical[categorical] = True
        numeric_dtypes = []
        for position, (name, dtype) in enumerate(self.dtypes.items()):
            if is_categorical[position]:
                continue
            if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
                raise ValueError(
                    f"column {name!r} has non-numeric dtype {dtype}; declare it in "
                    "categorical_features to copy it from the anchor row."
                )
            numeric_dtypes.append(getattr(dtype, "subtype", dtype))
        self.dtype = _float_dtype_of(numeric_dtypes)
        if self.dtype == np.float32 and frame.shape[0] >= 2**24 and categorical.size:
            self.dtype = np.float64  # codes must stay exact integers
        self.is_categorical = is_categorical

    def encode(self, frame) -> np.ndarray:
        import pandas as pd

        matrix = np.empty(frame.shape, dtype=self.dtype)
        for position in range(frame.shape[1]):
            column = frame.iloc[:, position]
            if self.is_categorical[position]:
                codes, uniques = pd.factorize(column, use_na_sentinel=False)
                self._uniques[position] = uniques
                matrix[:, position] = codes
            else:
                if isinstance(column.dtype, pd.SparseDtype):
                    column = column.sparse.to_dense()
                matrix[:, position] = column.to_numpy(dtype=self.dtype, na_value=np.nan)
        return matrix

    def decode(self, matrix: np.ndarray):
        import pandas as pd

        data = {}
        for position, dtype in enumerate(self.dtypes):
            values = matrix[:, position]
            if self.is_categorical[position]:
                codes = values.astype(np.intp)
                column = pd.Series(self._uniques[position].take(codes))
            else:
                column = pd.Series(_round_if_integer(values, dtype))
            data[position] = column.astype(dtype)
        frame = pd.DataFrame(data)
        frame.columns = self.columns
        return frame


def _round_if_integer(values: np.ndarray, dtype) -> np.ndarray:
    base = getattr(dtype, "subtype", dtype)
    kind = getattr(base, "kind", "f")
    return np.rint(values) if kind in "iu" else values


def restore_like(original, result, *, one_vs_all_classes=None):
    """Return ``result`` (1-D or 2-D array) in the container type of ``original``.

    Lists stay lists, pandas Series keep their name and DataFrames their
    columns and dtypes (integer dtypes are rounded first). With
    ``one_vs_all_classes``, labels are binarised back to one-vs-all columns.
    """
    if one_vs_all_classes is not None:
        # One column per class, even for two classes (label_binarize would
        # give a single column there).
        result = (np.asarray(result)[:, None] == one_vs_all_classes).astype(
            np.asarray(original).dtype
        )
    if isinstance(original, list):
        return result.tolist()
    if _is_series(original):
        import pandas as pd

        return pd.Series(
            _round_if_integer(np.asarray(result), original.dtype), name=original.name
        ).astype(original.dtype)
    if is_dataframe(original):
        import pandas as pd

        values = np.asarray(result).reshape(result.shape[0], -1)
        frame = pd.DataFrame(
            {i: _round_if_integer(values[:, i], dtype) for i, dtype in enumerate(original.dtypes)}
        )
        frame.columns = original.columns
        return frame.astype(dict(zip(original.columns, original.dtypes)))
    if isinstance(original, np.ndarray) and original.ndim == 2 and np.ndim(result) == 1:
        return result.reshape(-1, 1)
    return result
