"""Expected calibration error and reliability bins against a brute-force loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skmixup.metrics import calibration_bins, expected_calibration_error


def _brute_force(y_true, proba, n_bins):
    """Row by row, bin by bin, straight from the definition (bins (lo, hi], 0 in the first)."""
    counts = [0] * n_bins
    confidence_sum = [0.0] * n_bins
    correct_sum = [0.0] * n_bins
    for label, row in zip(y_true, proba):
        top = max(range(len(row)), key=lambda c: (row[c], -c))  # first maximum, like argmax
        confidence = row[top]
        for b in range(n_bins):
            low, high = b / n_bins, (b + 1) / n_bins
            if (low < confidence <= high) or (b == 0 and confidence == 0):
                counts[b] += 1
                confidence_sum[b] += confidence
                correct_sum[b] += float(top == label)
                break
    n = len(y_true)
    ece = sum(
        counts[b] / n * abs(correct_sum[b] / counts[b] - confidence_sum[b] / counts[b])
        for b in range(n_bins)
        if counts[b]
    )
    return counts, ece


def _softmax_rows(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_bins", [1, 7, 15])
def test_matches_the_definition(n_bins):
    rng = np.random.default_rng(0)
    proba = _softmax_rows(3 * rng.normal(size=(300, 4)))
    y = rng.integers(0, 4, 300)
    counts, ece = _brute_force(y.tolist(), proba.tolist(), n_bins)
    bins = calibration_bins(y, proba, n_bins)
    assert bins.counts.tolist() == counts
    assert expected_calibration_error(y, proba, n_bins) == pytest.approx(ece, rel=1e-12)


@settings(max_examples=50)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    n_classes=st.integers(2, 5),
    n_bins=st.integers(1, 20),
    quantise=st.booleans(),
)
def test_property_matches_the_definition(seed, n, n_classes, n_bins, quantise):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(n_classes), size=n)
    if quantise:  # confidences on the bin edges (and ties between classes)
        proba = np.round(proba * n_bins) / n_bins
    y = rng.integers(0, n_classes, n)
    counts, ece = _brute_force(y.tolist(), proba.tolist(), n_bins)
    bins = calibration_bins(y, proba, n_bins)
    assert bins.counts.tolist() == counts
    assert expected_calibration_error(y, proba, n_bins) == pytest.approx(ece, abs=1e-12)


def test_calibrated_by_construction_has_small_ece():
    # Labels drawn from the predicted probabilities: ECE shrinks like 1/sqrt(n).
    rng = np.random.default_rng(1)
    proba = _softmax_rows(2 * rng.normal(size=(20000, 3)))
    y = (rng.random(20000)[:, None] > np.cumsum(proba, axis=1)).sum(axis=1)
    assert expected_calibration_error(y, proba) < 0.02
    # the same predictions made uniformly less confident are underconfident
    softened = 0.5 * proba + 0.5 / 3
    bins = calibration_bins(y, softened)
    filled = bins.counts > 0
    assert expected_calibration_error(y, softened) > 0.1
    assert np.all(
        bins.accuracy[filled & (bins.edges[1:] > 0.6)]
        > bins.confidence[filled & (bins.edges[1:] > 0.6)]
    )


def test_labels_with_classes_and_binary_column():
    proba = np.array([[0.2, 0.8], [0.9, 0.1], [0.4, 0.6]])
    y_labels = np.array(["spam", "ham", "ham"])
    by_label = expected_calibration_error(y_labels, proba, classes=["ham", "spam"])
    by_index = expected_calibration_error([1, 0, 0], proba)
    by_column = expected_calibration_error([1, 0, 0], proba[:, 1])
    assert by_label == by_index == pytest.approx(by_column)
    # unsorted classes map labels to their own columns
    swapped = expected_calibration_error(y_labels, proba[:, ::-1], classes=["spam", "ham"])
    assert swapped == pytest.approx(by_index)


@pytest.mark.parametrize(
    ("y", "proba", "kwargs", "match"),
    [
        ([0, 1], [[0.5, 0.5]], {}, "inconsistent numbers"),
        (["a", "b"], [[0.5, 0.5], [0.5, 0.5]], {}, "pass classes"),
        ([0, 2], [[0.5, 0.5], [0.5, 0.5]], {}, "outside 0 .. 1"),
        ([0, 1], [[1.5, -0.5], [0.5, 0.5]], {}, r"in \[0, 1\]"),
        ([0, 1], [[0.5, 0.5], [0.5, 0.5]], {"n_bins": 0}, "n_bins"),
        (["a", "c"], [[0.5, 0.5], [0.5, 0.5]], {"classes": ["a", "b"]}, r"\['c'\]"),
        (["a"], [[0.5, 0.5]], {"classes": ["a", "b", "c"]}, "3 labels"),
    ],
)
def test_bad_input(y, proba, kwargs, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(y, proba, **kwargs)
