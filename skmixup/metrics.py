"""Structure-preservation diagnostics: how well synthetic rows keep the original's statistics."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_array

from skmixup._conflicts import MixupConflicts, mixup_conflicts
from skmixup._tables import is_dataframe

__all__ = ["MixupConflicts", "mixup_conflicts", "structure_report", "total_variance"]


def _as_matrix(X, name: str) -> tuple[np.ndarray, list | None]:
    columns = list(X.columns) if is_dataframe(X) else None
    matrix = check_array(
        X, dtype=np.float64, accept_sparse=False, ensure_min_samples=2, input_name=name
    )
    return matrix, columns


def _relative_error(estimate: np.ndarray, reference: np.ndarray) -> float:
    scale = np.linalg.norm(reference)
    difference = np.linalg.norm(estimate - reference)
    return float(difference / scale) if scale > 0 else float(difference)


def _least_squares(matrix: np.ndarray, target: int) -> np.ndarray:
    design = np.delete(matrix, target, axis=1)
    design = np.column_stack([np.ones(design.shape[0]), design])
    coefficients, *_ = np.linalg.lstsq(design, matrix[:, target], rcond=None)
    return coefficients[1:]


def total_variance(X) -> float:
    """Sum of the per-feature variances (trace of the covariance matrix).

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.metrics import total_variance
    >>> total_variance(np.array([[0.0, 1.0], [2.0, 3.0]]))  # 2 + 2
    4.0
    """
    matrix, _ = _as_matrix(X, "X")
    return float(np.var(matrix, axis=0, ddof=1).sum())


def structure_report(X_original, X_synthetic, *, target=None) -> dict[str, float]:
    """Relative errors of the synthetic table's statistics against the original's.

    Every error is ``||statistic(synthetic) - statistic(original)|| /
    ||statistic(original)||`` (Euclidean norm for vectors, Frobenius for
    the covariance matrix), so 0 means preserved and 0.33 means off by a
    third.

    Parameters
    ----------
    X_original, X_synthetic : array-like or DataFrame of shape (n, n_features)
        Numeric tables with the same columns (a target column included).
    target : int, str or None, default=None
        Column (position, or name for DataFrames) regressed on all the others
        by least squares; adds the relative error of those coefficients.

    Returns
    -------
    report : dict
        ``mean``, ``variance`` (per-feature variances), ``covariance``
        (Frobenius) and, with ``target``, ``coefficients``; plus
        ``variance_ratio``: total synthetic variance over total original
        variance (1 = preserved, 2/3 for uniform mixup).

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.metrics import structure_report
    >>> X = np.random.default_rng(0).normal(size=(1000, 3))
    >>> report = structure_report(X, 0.5 * X)
    >>> round(report["covariance"], 6), round(report["variance_ratio"], 6)
    (0.75, 0.25)
    """
    original, columns = _as_matrix(X_original, "X_original")
    synthetic, synthetic_columns = _as_matrix(X_synthetic, "X_synthetic")
    if original.shape[1] != synthetic.shape[1]:
        raise ValueError(
            f"X_original has {original.shape[1]} columns but X_synthetic has "
            f"{synthetic.shape[1]}; compare tables with the same columns."
        )
    if columns is not None and synthetic_columns is not None and columns != synthetic_columns:
        raise ValueError("X_original and X_synthetic have different column names.")
    cov_original = np.cov(original, rowvar=False).reshape(original.shape[1], -1)
    if np.trace(cov_original) == 0:
        raise ValueError("X_original is constant: there is no variance to compare with.")
    cov_synthetic = np.cov(synthetic, rowvar=False).reshape(synthetic.shape[1], -1)
    report = {
        "mean": _relative_error(synthetic.mean(axis=0), original.mean(axis=0)),
        "variance": _relative_error(np.diag(cov_synthetic), np.diag(cov_original)),
        "covariance": _relative_error(cov_synthetic, cov_original),
        "variance_ratio": float(np.trace(cov_synthetic) / np.trace(cov_original)),
    }
    if target is not None:
        position = _target_position(target, columns, original.shape[1])
        report["coefficients"] = _relative_error(
            _least_squares(synthetic, position), _least_squares(original, position)
        )
    return report


def _target_position(target, columns, n_columns: int) -> int:
    if isinstance(target, str):
        if columns is None or target not in columns:
            raise ValueError(f"target column {target!r} not found; columns are {columns}.")
        return columns.index(target)
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if not -n_columns <= target < n_columns:
            raise ValueError(f"target index {target} out of range for {n_columns} columns.")
        return int(target) % n_columns
    raise TypeError(f"target must be a column position or name, got {type(target).__name__}.")
