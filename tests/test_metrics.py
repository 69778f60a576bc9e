"""Structure diagnostics against closed forms."""

import numpy as np
import pandas as pd
import pytest

from skmixup.metrics import structure_report, total_variance


def test_scaling_gives_closed_form_errors():
    X = np.random.default_rng(0).normal(size=(500, 3)) + 2.0
    centre = X.mean(axis=0)
    scaled = centre + 0.5 * (X - centre)  # same mean, covariance x 1/4
    report = structure_report(X, scaled)
    assert report["mean"] == pytest.approx(0.0, abs=1e-12)
    assert report["covariance"] == pytest.approx(0.75)
    assert report["variance"] == pytest.approx(0.75)
    assert report["variance_ratio"] == pytest.approx(0.25)


def test_coefficients_error_with_named_target():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    frame["y"] = 2 * frame["a"] - frame["b"]
    doubled = frame.assign(y=2 * frame["y"])  # coefficients exactly doubled
    report = structure_report(frame, doubled, target="y")
    assert report["coefficients"] == pytest.approx(1.0)
    assert structure_report(frame, frame, target=-1)["coefficients"] == pytest.approx(0.0)


def test_total_variance_is_the_trace():
    X = np.random.default_rng(2).normal(size=(50, 4))
    assert total_variance(X) == pytest.approx(np.trace(np.cov(X, rowvar=False)))


def test_errors():
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="constant"):
        structure_report(np.ones((5, 2)), X)
    with pytest.raises(ValueError, match="same columns"):
        structure_report(X, np.ones((5, 3)))
    with pytest.raises(ValueError, match="not found"):
        structure_report(pd.DataFrame(X, columns=["a", "b"]), X, target="c")
    with pytest.raises(ValueError, match="out of range"):
        structure_report(X, X, target=2)
    with pytest.raises(ValueError, match="NaN"):
        structure_report(np.array([[np.nan, 1.0], [1.0, 2.0]]), X)
