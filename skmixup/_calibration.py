"""Calibration of predicted class probabilities: reliability bins and the ECE."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length, column_or_1d


@dataclass(frozen=True)
class CalibrationBins:
    """Reliability-diagram data: the top-label confidence in equal-width bins.

    Attributes
    ----------
    edges : ndarray of shape (n_bins + 1,)
        Bin ``b`` holds the confidences in ``(edges[b], edges[b + 1]]``
        (the first bin also holds 0).
    counts : ndarray of shape (n_bins,), int
        Rows in each bin.
    confidence : ndarray of shape (n_bins,)
        Mean top-label probability of the rows of each bin (NaN when empty).
    accuracy : ndarray of shape (n_bins,)
        Share of the rows of each bin whose top label is right (NaN when empty).
    """

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def _top_label(y_true, proba, classes):
    proba = check_array(proba, ensure_2d=False, dtype=np.float64, input_name="proba")
    if proba.ndim == 1:  # binary: probability of the positive class
        proba = np.column_stack([1.0 - proba, proba])
    if proba.ndim != 2 or proba.shape[1] < 2:
        raise ValueError(
            f"proba must have shape (n_samples, n_classes) with n_classes >= 2 (or (n_samples,) "
            f"for a binary positive class), got {proba.shape}."
        )
    if proba.min() < 0 or proba.max() > 1:
        raise ValueError("proba must hold probabilities in [0, 1].")
    y_true = column_or_1d(y_true)
    check_consistent_length(y_true, proba)
    if classes is None:
        if not np.issubdtype(y_true.dtype, np.integer):
            raise ValueError(
                "y_true must hold class indices 0 .. n_classes - 1 (the columns of proba); "
                "for other labels pass classes (e.g. the classifier's classes_)."
            )
        index = y_true.astype(np.intp)
        if index.min() < 0 or index.max() >= proba.shape[1]:
            raise ValueError(
                f"y_true holds class indices outside 0 .. {proba.shape[1] - 1}, the columns "
                "of proba; for other labels pass classes."
            )
    else:
        classes = column_or_1d(classes)
        if classes.shape[0] != proba.shape[1]:
            raise ValueError(
                f"classes has {classes.shape[0]} labels but proba {proba.shape[1]} columns."
            )
        order = np.argsort(classes)
        position = np.searchsorted(classes[order], y_true)
        position = np.clip(position, 0, classes.shape[0] - 1)
        if not np.array_equal(classes[order][position], y_true):
            unknown = np.setdiff1d(y_true, classes)
            raise ValueError(f"y_true holds labels {unknown.tolist()} not among classes.")
        index = order[position]
    predicted = proba.argmax(axis=1)
    return proba[np.arange(proba.shape[0]), predicted], predicted == index


def calibration_bins(y_true, proba, n_bins: int = 15, *, classes=None) -> CalibrationBins:
    """Bin the top-label confidence of predictions: the data of a reliability diagram.

    Each row's confidence is its largest predicted probability; it counts
    as correct when that class is its true class. A calibrated model has,
    in every bin, an accuracy equal to its mean confidence.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True classes: indices into the columns of ``proba``, or labels
        when ``classes`` is given.
    proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities (``predict_proba``); a 1-D array is the
        probability of the positive class of a binary problem.
    n_bins : int, default=15
        Number of equal-width bins of ``[0, 1]``.
    classes : array-like of shape (n_classes,), default=None
        Labels of ``proba``'s columns (a classifier's ``classes_``).

    Returns
    -------
    bins : CalibrationBins
        ``edges``, ``counts``, ``confidence`` and ``accuracy`` per bin.

    See Also
    --------
    expected_calibration_error : their count-weighted mean gap.

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.metrics import calibration_bins
    >>> proba = np.array([[0.9, 0.1], [0.7, 0.3], [0.35, 0.65], [0.1, 0.9]])
    >>> bins = calibration_bins([0, 1, 1, 1], proba, n_bins=5)
    >>> bins.counts.tolist()
    [0, 0, 0, 2, 2]
    >>> bins.accuracy[3:].tolist(), bins.confidence[3:].round(3).tolist()
    ([0.5, 1.0], [0.675, 0.9])
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1, got {n_bins!r}.")
    confidence, correct = _top_label(y_true, proba, classes)
    edges = np.arange(n_bins + 1) / n_bins  # b / n_bins exactly, as the bins are defined
    which = np.searchsorted(edges[1:-1], confidence, side="left")
    counts = np.bincount(which, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, confidence, minlength=n_bins) / counts
        accuracy = np.bincount(which, correct.astype(np.float64), minlength=n_bins) / counts
    return CalibrationBins(edges, counts, mean_confidence, accuracy)


def expected_calibration_error(y_true, proba, n_bins: int = 15, *, classes=None) -> float:
    """Expected calibration error of the top label (Guo et al., 2017).

    ``ECE = sum_b (n_b / n) |accuracy_b - confidence_b|`` over equal-width
    bins of the top-label confidence: 0 for a calibrated model; positive
    both for overconfidence (confidence above accuracy) and for
    underconfidence (below it, as cross-class mixup with soft labels tends
    to give).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True classes: indices into the columns of ``proba``, or labels
        when ``classes`` is given.
    proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities; a 1-D array is the probability of the
        positive class of a binary problem.
    n_bins : int, default=15
        Number of equal-width bins of ``[0, 1]``.
    classes : array-like of shape (n_classes,), default=None
        Labels of ``proba``'s columns (a classifier's ``classes_``).

    Returns
    -------
    ece : float
        In ``[0, 1]``.

    See Also
    --------
    calibration_bins : the per-bin figures (a reliability diagram).

    Examples
    --------
    >>> import numpy as np
    >>> from skmixup.metrics import expected_calibration_error
    >>> proba = np.array([[0.9, 0.1], [0.7, 0.3], [0.35, 0.65], [0.1, 0.9]])
    >>> # (0.6, 0.8]: accuracy 0.5 at confidence 0.675; (0.8, 1]: 1.0 at 0.9; 2 rows each
    >>> round(expected_calibration_error([0, 1, 1, 1], proba, n_bins=5), 6)
    0.1375
    """
    bins = calibration_bins(y_true, proba, n_bins, classes=classes)
    filled = bins.counts > 0
    gaps = np.abs(bins.accuracy[filled] - bins.confidence[filled])
    return float(np.sum(bins.counts[filled] * gaps) / bins.counts.sum())
