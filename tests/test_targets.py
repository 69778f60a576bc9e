"""The target contract that replaces imbalanced-learn's ``check_target_type``.

imbalanced-learn requires samplers to refuse continuous targets; skmixup
resamplers mix them with the row's weight instead. Multilabel and
multioutput targets are still refused with a clear error.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tests.test_common import RESAMPLERS

IDS = [type(r).__name__ for r in RESAMPLERS]


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=IDS)
def test_continuous_target_is_mixed_jointly(resampler):
    # The same data as imbalanced-learn's check: X random, y = linspace.
    X = np.random.default_rng(42).random((20, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5  # continuous and exactly linear in X
    X_res, y_res = clone(resampler).fit_resample(X, y)
    assert X_res.shape == (40, 2) and y_res.shape == (40,)
    np.testing.assert_array_equal(y_res[:20], y)
    # Mixed with the row's own weight, the target stays on the same plane.
    np.testing.assert_allclose(y_res, X_res @ np.array([2.0, -1.0]) + 0.5, atol=1e-12)
    assert clone(resampler).fit(X, y).target_type_ == "regression"


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=IDS)
def test_integer_valued_regression_target_on_request(resampler):
    X = np.random.default_rng(0).random((30, 2))
    y = pd.Series(np.arange(30), name="count")
    est = clone(resampler).set_params(target_type="regression", n_samples=10)
    X_res, y_res = est.fit_resample(X, y)
    assert len(y_res) == 40 and y_res.name == "count" and y_res.dtype == y.dtype
    assert set(y_res.iloc[30:]) <= set(range(-10, 40))  # rounded to integers


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=IDS)
@pytest.mark.parametrize(
    "y",
    [
        np.random.default_rng(42).integers(2, size=(20, 3)),  # multilabel
        np.random.default_rng(1).normal(size=(20, 2)),  # continuous multioutput
        np.random.default_rng(2).integers(3, size=(20, 2)),  # multiclass multioutput
    ],
    ids=["multilabel", "continuous-multioutput", "multiclass-multioutput"],
)
def test_multilabel_and_multioutput_targets_are_refused(resampler, y):
    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(ValueError, match="Multilabel and multioutput targets are not supported"):
        clone(resampler).fit_resample(X, y)


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=IDS)
def test_unknown_label_type_is_refused(resampler):
    X = np.random.default_rng(0).random((4, 2))
    with pytest.raises(ValueError, match="Unknown label type"):
        clone(resampler).fit_resample(X, np.array([{"a": 1}, {}, [], ()], dtype=object))
