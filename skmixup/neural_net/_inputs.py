"""What the network estimators accept as ``X``: tables, image/sequence arrays,
torch tensors and torch ``Dataset``s, validated before any training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils.validation import check_array, validate_data


@dataclass
class Inputs:
    """Validated ``X`` (and ``y``) of one call, as skorch will receive them."""

    X: object
    y: object
    row_shape: tuple  # trailing shape of one row
    kind: str  # "table", "array", "tensor" or "dataset"


def is_dataset(X) -> bool:
    return isinstance(X, torch.utils.data.Dataset) and not torch.is_tensor(X)


def first_item(dataset) -> tuple[tuple, object]:
    """Shape of the first row of a Dataset, and its first target."""
    try:
        first = dataset[0]
    except Exception as error:  # noqa: BLE001 - any failure means "not readable"
        raise ValueError(
            f"could not read the first item of the {type(dataset).__name__}: {error}"
        ) from error
    if not isinstance(first, (tuple, list)) or len(first) != 2:
        got = (
            f"a {type(first).__name__} of {len(first)} values"
            if isinstance(first, (tuple, list))
            else type(first).__name__
        )
        raise ValueError(
            "a Dataset given as X must return (x, y) pairs, as skorch expects; got "
            f"{got}. Return several inputs as a dict or tuple x, and weights from "
            "your own criterion."
        )
    x, target = first
    x = torch.as_tensor(x)
    return tuple(x.shape), target


def validate_fit_inputs(estimator, X, y, *, reset: bool, y_numeric: bool, multi_output: bool):
    """Validate training data; 2-D tables go through scikit-learn's ``validate_data``."""
    if is_dataset(X):
        if y is not None:
            raise ValueError(
                "X is a torch Dataset, which returns its own targets: pass y=None "
                "(skorch reads (x, y) pairs from the Dataset)."
            )
        row_shape, _ = first_item(X)
        _forget_table_attributes(estimator, reset)
        return Inputs(X, None, row_shape, "dataset")
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    if torch.is_tensor(X):
        X = _check_tensor(X)
        y_host = y.detach().cpu().numpy() if torch.is_tensor(y) else y
        y_host = check_array(
            y_host, ensure_2d=False, dtype=None, input_name="y", ensure_all_finite=y_numeric
        )
        if y_host.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of rows: {X.shape[0]} and {y_host.shape[0]}."
            )
        if X.ndim == 2 and y_host.ndim == 2 and y_host.shape[1] == 1 and not multi_output:
            y_host = y_host[:, 0]
        _forget_table_attributes(estimator, reset)
        return Inputs(X, y_host, tuple(X.shape[1:]), "tensor")
    if _has_row_axes(X):
        X = check_array(X, allow_nd=True, dtype=[np.float32, np.float64], input_name="X")
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y", ensure_all_finite=y_numeric)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of rows: {X.shape[0]} and {y.shape[0]}."
            )
        _forget_table_attributes(estimator, reset)
        return Inputs(_float32(X), y, tuple(X.shape[1:]), "array")
    X, y = validate_data(
        estimator,
        X,
        y,
        reset=reset,
        dtype=[np.float32, np.float64],
        multi_output=multi_output,
        y_numeric=y_numeric,
    )
    return Inputs(_float32(X), y, (X.shape[1],), "table")


def validate_predict_inputs(estimator, X):
    """Validate inference data against what ``fit`` saw."""
    if is_dataset(X):
        row_shape, _ = first_item(X)
        _check_row_shape(estimator, row_shape)
        return X
    if torch.is_tensor(X):
        X = _check_tensor(X)
        _check_row_shape(estimator, tuple(X.shape[1:]))
        return X
    if _has_row_axes(X):
        X = check_array(X, allow_nd=True, dtype=[np.float32, np.float64], input_name="X")
        _check_row_shape(estimator, tuple(X.shape[1:]))
        return _float32(X)
    if len(estimator.input_shape_) != 1:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on rows of shape "
            f"{estimator.input_shape_}; got a table."
        )
    X = validate_data(estimator, X, reset=False, dtype=[np.float32, np.float64])
    return _float32(X)


def _has_row_axes(X) -> bool:
    """Whether rows have more than one axis (images, sequences), without converting ``X``."""
    if hasattr(X, "ndim") and hasattr(X, "shape"):
        return X.ndim > 2
    depth, item = 0, X
    while isinstance(item, (list, tuple)) and len(item):
        depth, item = depth + 1, item[0]
    return depth > 2


def _float32(X: np.ndarray) -> np.ndarray:
    # A fresh, writable float32 array: torch warns on read-only numpy memory.
    if X.dtype == np.float32 and X.flags.writeable:
        return X
    return np.array(X, dtype=np.float32)


def _check_tensor(X):
    if X.ndim < 2:
        raise ValueError(
            f"X must have a row axis and at least one feature axis, got a tensor of shape "
            f"{tuple(X.shape)}; reshape a single feature with X.reshape(-1, 1)."
        )
    if X.shape[0] < 1:
        raise ValueError("X is empty: found 0 rows.")
    if X.dtype == torch.bool or X.is_complex():
        raise TypeError(f"X must be a real-valued tensor, got dtype {X.dtype}.")
    # Integer rows (uint8 images) are interpolated as float32, not rescaled;
    # float64 and half precisions follow the network's float32.
    X = X if X.dtype == torch.float32 else X.to(torch.float32)
    if not bool(torch.isfinite(X).all()):
        raise ValueError("Input X contains NaN or infinity.")
    return X


def _check_row_shape(estimator, row_shape: tuple) -> None:
    if tuple(row_shape) != tuple(estimator.input_shape_):
        raise ValueError(
            f"X has rows of shape {tuple(row_shape)}, but {type(estimator).__name__} was "
            f"fitted on rows of shape {tuple(estimator.input_shape_)}."
        )


def _forget_table_attributes(estimator, reset: bool) -> None:
    if reset:
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(estimator, name):
                delattr(estimator, name)


def dataset_labels(dataset) -> np.ndarray | None:
    """Class labels that ``dataset`` already holds in memory, or ``None``.

    Read without loading any item: ``TensorDataset(X, y)``'s ``y``, skorch's
    ``Dataset.y``, the ``targets`` of torchvision-style datasets (unless a
    ``target_transform`` changes what ``__getitem__`` returns), and a
    ``Subset`` of one of these. Only a 1-d integer array with one label per
    item counts; anything else is ``None`` (labels then checked per batch).
    """
    from skorch.dataset import Dataset as SkorchDataset

    if isinstance(dataset, torch.utils.data.Subset):
        inner = dataset_labels(dataset.dataset)
        return None if inner is None else inner[np.asarray(dataset.indices, dtype=np.intp)]
    if isinstance(dataset, torch.utils.data.TensorDataset):
        labels = dataset.tensors[1] if len(dataset.tensors) == 2 else None
    elif isinstance(dataset, SkorchDataset):
        labels = dataset.y
    elif getattr(dataset, "target_transform", None) is None:
        labels = getattr(dataset, "targets", None)
    else:
        labels = None
    if labels is None or not isinstance(labels, (np.ndarray, torch.Tensor, list, tuple)):
        return None
    labels = np.asarray(labels.detach().cpu() if torch.is_tensor(labels) else labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or labels.shape[0] != len(dataset):
        return None
    return labels
