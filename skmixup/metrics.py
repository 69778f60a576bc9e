"""Diagnostics: how well synthetic rows keep the original's statistics, and
how well a model's predicted probabilities are calibrated."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_array

from skmixup._calibration import CalibrationBins, calibration_bins, expected_calibration_error
from skmixup._conflicts import MixupConflicts, mixup_conflicts
from skmixup._privacy import privacy_report
from skmixup._tables.frames import is_dataframe

__all__ = [
    "CalibrationBins",
    "MixupConflicts",
    "calibration_bins",
    "expected_calibration_error",
    "mixup_conflicts",
    "privacy_report",
    "structure_report",
    "total_variance",
]


def _as_matrix(X, name: str) -> tuple[np.ndarray, list | None]:
    columns = list(X.columns) if is_dataframe(X) else None
    matrix = check_array(
        X, dtype=np.float64, accept_sparse=False, ensure_min_samples=2, input_name=name
    )
    return matrix, columns


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values)))) if values.size else 0.0


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
    """How far the synthetic table's statistics are from the original's.

    Every figure is measured in the original's own units: each column is
    scaled by its standard deviation in ``X_original``, so no column
    dominates because of its unit, and a centred column does not inflate
    the mean error. Errors are 0 when the statistic is preserved; two
    independent samples of one distribution, of sizes ``n`` and ``m``,
    score near 0 on every error (about ``sqrt(1/n + 1/m)`` for ``mean``,
    ``sqrt(2/n + 2/m)`` for ``variance`` with Gaussian columns) and near 1
    on ``variance_ratio``. Columns constant in ``X_original`` have no scale
    and are left out.

    Parameters
    ----------
    X_original, X_synthetic : array-like or DataFrame of shape (n, n_features)
        Numeric tables with the same columns (a target column included).
    target : int, str or None, default=None
        Column (position, or name for DataFrames) regressed on all the others
        by least squares; adds the error of those coefficients.

    Returns
    -------
    report : dict of str to float
        ``mean``
            Root mean square over columns of the difference of means, in
            original standard deviations.
        ``variance``
            Root mean square over columns of the relative error of the
            variances, ``var_synthetic / var_original - 1``.
        ``covariance``
            Relative Frobenius error of the covariance matrix of the
            columns scaled by their original standard deviations, that is,
            ``||D (C_syn - C_orig) D|| / ||D C_orig D||`` with ``D`` the
            inverse original standard deviations (0.33 means off by a third
            on the correlation scale).
        ``variance_ratio``
            Mean over columns of ``var_synthetic / var_original`` (1 =
            preserved, 2/3 for uniform mixup of independent rows, less where
            ``clip='observed'`` pulls new values in).
        ``coefficients``, with ``target`` only
            Root mean square over features of the difference of the
            standardised least-squares coefficients, ``coef * sd(feature) /
            sd(target)`` with the original's standard deviations: the change
            of the fitted target, in target standard deviations, per
            standard deviation of a feature.

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.metrics import structure_report
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 3))
    >>> report = structure_report(X, 0.5 * X)
    >>> round(report["covariance"], 6), round(report["variance_ratio"], 6)
    (0.75, 0.25)
    >>> other = rng.normal(size=(1000, 3))  # a second sample of the same law
    >>> {key: round(value, 2) for key, value in structure_report(X, other).items()}
    {'mean': 0.09, 'variance': 0.07, 'covariance': 0.1, 'variance_ratio': 1.01}
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
    sd = original.std(axis=0, ddof=1)
    varying = sd > 0
    if not varying.any():
        raise ValueError("X_original is constant: there is no variance to compare with.")
    scale = np.where(varying, sd, 1.0)
    standard_original = original[:, varying] / sd[varying]
    standard_synthetic = synthetic[:, varying] / sd[varying]
    cov_original = np.cov(standard_original, rowvar=False).reshape(varying.sum(), -1)
    cov_synthetic = np.cov(standard_synthetic, rowvar=False).reshape(varying.sum(), -1)
    ratios = np.diag(cov_synthetic) / np.diag(cov_original)
    report = {
        "mean": _rms(standard_synthetic.mean(axis=0) - standard_original.mean(axis=0)),
        "variance": _rms(ratios - 1.0),
        "covariance": float(
            np.linalg.norm(cov_synthetic - cov_original) / np.linalg.norm(cov_original)
        ),
        "variance_ratio": float(ratios.mean()),
    }
    if target is not None:
        position = _target_position(target, columns, original.shape[1])
        if not varying[position]:
            raise ValueError(
                f"target column {target!r} is constant in X_original: its coefficients "
                "have no scale."
            )
        features = np.delete(np.arange(original.shape[1]), position)
        standardise = scale[features] / sd[position]
        difference = (
            _least_squares(synthetic, position) - _least_squares(original, position)
        ) * standardise
        report["coefficients"] = _rms(difference[varying[features]])
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
