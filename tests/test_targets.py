"""The target contract that replaces imbalanced-learn's ``check_target_type``.

imbalanced-learn requires samplers to refuse continuous targets; skmixup
resamplers mix them with the row's weight instead. Multilabel and
multioutput targets are still refused with a clear error.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skmixup import EpBetaMixupResampler
from skmixup.exceptions import BinaryFeatureWarning
from tests._mixcheck import is_pair_mixture
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
    # New targets are w y_a + (1 - w) y_p: floats, not rounded to the int dtype.
    assert len(y_res) == 40 and y_res.name == "count" and y_res.dtype == np.float64
    assert (y_res.iloc[30:] != np.rint(y_res.iloc[30:])).any()


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


# -- how target_type='auto' reads y ------------------------------------------


def test_integer_valued_float_target_with_many_values_is_continuous():
    # scikit-learn's diabetes: 214 distinct integer-valued floats in 442 rows.
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    resampler = EpBetaMixupResampler(n_samples=12, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # The 1/2 'sex' column is mixed as a number, and says so.
        warnings.simplefilter("ignore", BinaryFeatureWarning)
        X_res, y_res = resampler.fit_resample(X, y)
    assert resampler.target_type_ == "regression" and resampler.sampling_strategy_ is None
    assert X_res.shape == (454, 10) and y_res.name == "target"
    # Mixed jointly: each new (row, target) is w (x_a, y_a) + (1 - w) (x_p, y_p)
    # for one pair of input rows and one w in EpBeta's support [-0.3, 1.3].
    table = np.column_stack([X.to_numpy(), y.to_numpy()])
    new = np.column_stack([X_res.to_numpy()[442:], y_res.to_numpy()[442:]])
    assert is_pair_mixture(new, table, support=(-0.3, 1.3)).all()
    # Read as classes, the targets would all be values of y.
    assert not np.isin(y_res.to_numpy()[442:], y.to_numpy()).all()


@pytest.mark.parametrize("n_distinct, expected", [(20, "classification"), (21, "regression")])
def test_float_class_limit_is_twenty_distinct_values(n_distinct, expected):
    y = np.repeat(np.arange(n_distinct, dtype=float), 3)
    X = np.random.default_rng(0).normal(size=(y.size, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        resampler = EpBetaMixupResampler(random_state=0).fit(X, y)
    assert resampler.target_type_ == expected
    # Integer dtype labels are class labels whatever their number.
    assert EpBetaMixupResampler().fit(X, y.astype(int)).target_type_ == "classification"


def test_float_ratings_are_classes_with_a_warning_that_says_so():
    rng = np.random.default_rng(0)
    ratings = rng.integers(1, 6, 200).astype(float)
    X = rng.normal(size=(200, 3))
    with pytest.warns(UserWarning, match="5 distinct integer-valued floats, read as 5 classes"):
        _, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, ratings)
    assert set(np.unique(y_res)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert np.array_equal(
        np.unique(y_res, return_counts=True)[1], [np.bincount(ratings.astype(int)).max()] * 5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explicit = EpBetaMixupResampler(target_type="classification").fit(X, ratings)
        assert explicit.target_type_ == "classification"
        _, y_reg = EpBetaMixupResampler(target_type="regression", random_state=0).fit_resample(
            X, ratings
        )
        assert not np.isin(y_reg[200:], ratings).all()
        # {0.0, 1.0} stays two classes, silently.
        binary = (ratings > 3).astype(float)
        assert EpBetaMixupResampler().fit(X, binary).target_type_ == "classification"


@pytest.mark.parametrize("dtype", [float, int])
def test_single_row_class_error_says_how_y_was_read_and_how_to_fix_it(dtype):
    rng = np.random.default_rng(0)
    y = rng.integers(1, 6, 60).astype(dtype)
    y[0] = 0  # one row of class 0
    X = rng.normal(size=(60, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(ValueError) as error:
            EpBetaMixupResampler().fit_resample(X, y)
    message = str(error.value)
    assert "y was read as 6 classes (target_type='auto'), 1 of them with a single row" in message
    assert "target_type='regression'" in message and "single_row_classes='skip'" in message


def test_integer_dtype_regression_target_error_counts_single_rows():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    y = y.astype(np.int64)
    labels, sizes = np.unique(y, return_counts=True)
    with pytest.raises(
        ValueError, match=f"read as {labels.size} classes .*, {np.sum(sizes == 1)} of them"
    ):
        EpBetaMixupResampler().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinaryFeatureWarning)  # column 1 is 0/1
        assert EpBetaMixupResampler(target_type="regression").fit(X, y).n_synthetic_ == 442


# -- no target: the whole table is one group ----------------------------------


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=IDS)
@pytest.mark.parametrize("params, n_new", [({}, 30), ({"factor": 0.5}, 15), ({"n_samples": 7}, 7)])
def test_no_target_mixes_the_whole_table(resampler, params, n_new):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 3))
    est = clone(resampler).set_params(**params)
    X_res, y_res = est.fit_resample(X)
    assert y_res is None and est.target_type_ is None and est.n_synthetic_ == n_new
    assert X_res.shape == (30 + n_new, 3)
    np.testing.assert_array_equal(X_res[:30], X)
    law = est.weight_law_
    assert is_pair_mixture(X_res[30:], X, support=law.support).all()
    X_again, none = clone(est).fit_resample(X, None)
    assert none is None
    np.testing.assert_array_equal(X_again, X_res)


def test_no_target_with_a_dataframe_and_bad_combinations():
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(10, 2)), columns=["a", "b"])
    X_res, y_res = EpBetaMixupResampler(random_state=0, synthetic_only=True).fit_resample(X)
    assert y_res is None and list(X_res.columns) == ["a", "b"] and X_res.shape == (10, 2)
    with pytest.raises(ValueError, match="target_type='classification' requires y to be"):
        EpBetaMixupResampler(target_type="classification").fit_resample(X)
    with pytest.raises(ValueError, match="sampling_strategy='all' requires y to be passed"):
        EpBetaMixupResampler(sampling_strategy="all").fit_resample(X)


# -- classes with a single row -----------------------------------------------


def test_single_row_classes_skip_gives_them_no_rows_with_a_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(13, 2))
    y = np.r_[[0] * 8, [1] * 4, [2]]
    resampler = EpBetaMixupResampler(single_row_classes="skip", random_state=0)
    with pytest.warns(
        UserWarning, match=r"class\(es\) with a single row \(2\) receive no new rows"
    ):
        X_res, y_res = resampler.fit_resample(X, y)
    # 'auto' asks 4 rows for class 1 and 7 for class 2, which is skipped.
    assert resampler.sampling_strategy_ == {1: 4, 2: 0}
    assert np.bincount(y_res).tolist() == [8, 8, 1]
    assert is_pair_mixture(X_res[13:], X[y == 1], support=resampler.weight_law_.support).all()
    with pytest.raises(ValueError, match="single_row_classes='skip'"):
        EpBetaMixupResampler().fit_resample(X, y)


def test_single_row_classes_skip_inside_balanced_bagging():
    from imblearn.ensemble import BalancedBaggingClassifier
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    y = np.r_[[0] * 40, [1] * 10, [2] * 2]
    X = rng.normal(size=(52, 3)) + y[:, None]
    bagging = BalancedBaggingClassifier(
        LogisticRegression(),
        n_estimators=12,
        sampler=EpBetaMixupResampler(random_state=0),
        random_state=0,
    )
    with pytest.raises(ValueError, match="single_row_classes='skip'"):
        clone(bagging).fit(X, y)
    bagging.set_params(sampler__single_row_classes="skip")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bagging.fit(X, y)
    copies_seen = set()
    for pipeline, rows in zip(bagging.estimators_, bagging.estimators_samples_):
        sampler = pipeline.steps[0][1]
        copies = int(np.sum(np.isin(rows, [50, 51])))
        copies_seen.add(copies)
        # A class present once in a bootstrap gets no rows; twice or more, some.
        if copies == 1:
            assert sampler.sampling_strategy_.get(2, 0) == 0
        elif copies > 1:
            assert sampler.sampling_strategy_[2] > 0
    assert 1 in copies_seen  # the case the option exists for did occur
    assert bagging.predict(X).shape == (52,)


def test_no_target_inside_an_unsupervised_pipeline():
    from imblearn.pipeline import make_pipeline
    from sklearn.decomposition import PCA

    X = np.random.default_rng(0).normal(size=(20, 3))
    pipeline = make_pipeline(EpBetaMixupResampler(random_state=0), PCA(2)).fit(X)
    assert pipeline[-1].n_samples_ == 40  # fitted on the 20 rows and 20 new ones
    assert pipeline.transform(X).shape == (20, 2)
