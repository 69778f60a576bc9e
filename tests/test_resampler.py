"""EpBetaMixupResampler: counts, containers, dtypes, categorical columns, errors."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skmixup import EpBetaMixupResampler


def _imbalanced(n_major=60, n_minor=15, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_major + n_minor, n_features))
    y = np.r_[np.zeros(n_major, dtype=int), np.ones(n_minor, dtype=int)]
    return X, y


def test_balances_classes_and_keeps_originals_first():
    X, y = _imbalanced()
    resampler = EpBetaMixupResampler(random_state=0)
    X_res, y_res = resampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 60, 1: 60}
    np.testing.assert_array_equal(X_res[:75], X)
    np.testing.assert_array_equal(y_res[:75], y)
    assert resampler.sampling_strategy_ == {1: 45}
    assert resampler.n_synthetic_ == 45
    assert (resampler.alpha_, resampler.beta_) == pytest.approx((0.78, 0.78))


def test_new_rows_are_within_class_mixtures():
    # Every new row of class c must equal w x_a + (1 - w) x_p for two distinct
    # rows of class c: check by brute force over all pairs of the class.
    X, y = _imbalanced(n_major=8, n_minor=5)
    X_res, y_res = EpBetaMixupResampler(random_state=1).fit_resample(X, y)
    members = X[y == 1]
    for row in X_res[13:]:
        found = False
        for a in range(5):
            for p in range(5):
                if a == p:
                    continue
                direction = members[a] - members[p]
                w = np.dot(row - members[p], direction) / np.dot(direction, direction)
                if np.allclose(w * members[a] + (1 - w) * members[p], row, atol=1e-10):
                    found = -0.3 - 1e-9 <= w <= 1.3 + 1e-9
        assert found


def test_factor_keeps_class_proportions():
    X, y = _imbalanced()
    X_res, y_res = EpBetaMixupResampler(factor=2.0, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 180, 1: 45}


def test_n_samples_is_exact_and_proportional():
    X, y = _imbalanced(n_major=50, n_minor=20)
    resampler = EpBetaMixupResampler(n_samples=101, synthetic_only=True, random_state=0)
    X_res, y_res = resampler.fit_resample(X, y)
    assert X_res.shape == (101, 3)
    # 101 * 50/70 = 72.14 and 101 * 20/70 = 28.86: largest remainder gives 72 + 29.
    assert Counter(y_res.tolist()) == {0: 72, 1: 29}


@pytest.mark.filterwarnings("ignore:synthetic_only=True with sampling_strategy")
def test_synthetic_only_returns_only_new_rows():
    X, y = _imbalanced()
    X_all, y_all = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
    X_new, y_new = EpBetaMixupResampler(synthetic_only=True, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_new, X_all[75:])
    np.testing.assert_array_equal(y_new, y_all[75:])


def test_same_seed_same_rows_other_seed_other_rows():
    X, y = _imbalanced()
    first = EpBetaMixupResampler(random_state=3).fit_resample(X, y)[0]
    again = EpBetaMixupResampler(random_state=3).fit_resample(X, y)[0]
    other = EpBetaMixupResampler(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[75:], other[75:])


def test_explicit_alpha_beta_are_used():
    X, y = _imbalanced()
    resampler = EpBetaMixupResampler(alpha=2.0, beta=5.0, eps0=0.1, eps1=0.0, random_state=0)
    resampler.fit_resample(X, y)
    assert (resampler.weight_law_.alpha, resampler.weight_law_.beta) == (2.0, 5.0)
    assert resampler.weight_law_.support == (-0.1, 1.0)


def test_float32_and_integer_labels_are_kept():
    X, y = _imbalanced()
    X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(
        X.astype(np.float32), y.astype(np.int32)
    )
    assert X_res.dtype == np.float32 and y_res.dtype == np.int32


def test_string_labels():
    X, y = _imbalanced()
    labels = np.array(["common", "rare"])[y]
    _, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, labels)
    assert Counter(y_res.tolist()) == {"common": 60, "rare": 60}


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_gives_the_dense_result(fmt):
    X, y = _imbalanced()
    X[X < 0.5] = 0
    X_sparse, y_sparse = EpBetaMixupResampler(random_state=0).fit_resample(
        sp.csr_matrix(X).asformat(fmt), y
    )
    X_dense, _ = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
    assert sp.issparse(X_sparse) and X_sparse.format == fmt
    np.testing.assert_allclose(X_sparse.toarray(), X_dense, rtol=1e-10, atol=1e-12)


def test_dataframe_round_trip_with_categorical_columns():
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {
            "height": rng.normal(170, 10, n),
            "visits": rng.integers(0, 20, n).astype(np.int32),
            "city": rng.choice(["Lyon", "Oslo", None], n),
            "plan": pd.Categorical(rng.choice(["a", "b"], n)),
            "score": rng.normal(size=n).astype(np.float32),
        },
        index=np.arange(100, 100 + n),
    )
    y = pd.Series(np.r_[np.zeros(30, int), np.ones(10, int)], name="label", index=frame.index)
    resampler = EpBetaMixupResampler(categorical_features=["city", "plan"], random_state=0)
    X_res, y_res = resampler.fit_resample(frame, y)
    assert list(X_res.columns) == list(frame.columns)
    assert (X_res.dtypes == frame.dtypes).all()
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    assert len(X_res) == len(y_res) == 60
    pd.testing.assert_frame_equal(X_res.iloc[:n], frame.reset_index(drop=True))
    new = X_res.iloc[n:]
    # Categorical values are copied from a row of the same class.
    minority = frame[y.to_numpy() == 1]
    pairs_seen = set(zip(minority["city"].astype(object), minority["plan"].astype(object)))
    assert set(zip(new["city"].astype(object), new["plan"].astype(object))) <= pairs_seen
    assert resampler.categorical_features_.tolist() == [2, 3]
    np.testing.assert_array_equal(resampler.feature_names_in_, frame.columns)
    # Integer columns are rounded, not truncated: each value is an integer
    # within the range the expanded weights can reach.
    low, high = minority["visits"].min(), minority["visits"].max()
    spread = 0.3 * (high - low)
    assert new["visits"].between(low - spread - 1, high + spread + 1).all()


def test_numpy_categorical_columns_are_copied_from_the_anchor():
    X, y = _imbalanced()
    X[:, 1] = np.random.default_rng(1).integers(0, 4, X.shape[0])
    X_res, _ = EpBetaMixupResampler(categorical_features=[1], random_state=0).fit_resample(X, y)
    assert set(np.unique(X_res[75:, 1])) <= set(np.unique(X[y == 1, 1]))
    mask = np.array([False, True, False])
    X_mask, _ = EpBetaMixupResampler(categorical_features=mask, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_mask, X_res)


def test_list_input_gives_lists():
    X, y = _imbalanced()
    X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list) and len(X_res) == 120


def test_one_vs_all_labels_come_back_binarised():
    X, y = _imbalanced()
    y_ova = np.eye(2, dtype=int)[y]
    X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, y_ova)
    assert y_res.shape == (120, 2) and np.all(y_res.sum(axis=1) == 1)


def test_fit_does_not_generate_but_sets_the_plan():
    X, y = _imbalanced()
    resampler = EpBetaMixupResampler(random_state=0).fit(X, y)
    assert resampler.sampling_strategy_ == {1: 45} and resampler.n_features_in_ == 3


@pytest.mark.parametrize(
    "X, y, params, error, match",
    [
        (np.array([[0.0, np.nan], [1, 2], [3, 4]]), [0, 1, 1], {}, ValueError, "NaN"),
        (np.array([[0.0, np.inf], [1, 2], [3, 4]]), [0, 1, 1], {}, ValueError, "infinity"),
        (np.empty((0, 3)), [], {}, ValueError, "empty"),
        (np.ones((1, 3)), [0.5], {}, ValueError, "1 sample"),
        (np.ones((4, 2)), [0, 0, 1, 1, 1], {}, ValueError, "inconsistent"),
        (np.arange(8.0).reshape(4, 2), [0, 0, 0, 1], {}, ValueError, "class 1 has a single row"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"categorical_features": [5]}, ValueError, "index 5"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"categorical_features": ["a"]}, ValueError, "no column"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"categorical_features": [0, 1]}, ValueError, "every"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"categorical_features": [True]}, ValueError, "mask"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"eps0": -0.1}, ValueError, "'eps0' parameter"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"mean": 1.0}, ValueError, "'mean' parameter"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"mean": 0.0}, ValueError, "'mean' parameter"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"eps0": 0, "eps1": 0}, ValueError, "both 0"),
        (np.ones((4, 2)), [0, 0, 1, 1], {"alpha": 2.0}, ValueError, "both alpha and beta"),
        (
            np.ones((4, 2)),
            [0, 0, 1, 1],
            {"alpha": 2, "beta": 2, "mean": 0.5},
            ValueError,
            "either mean",
        ),
        (np.ones((4, 2)), [0, 0, 1, 1], {"factor": 1.0, "n_samples": 3}, ValueError, "at most one"),
        (np.ones((4, 2)), [0, 0, 0, 0], {}, ValueError, "single class"),
        (
            np.ones((4, 2)),
            [0.1, 0.2, 0.3, 0.4],
            {"sampling_strategy": "minority"},
            ValueError,
            "continuous",
        ),
        (
            np.ones((4, 2)),
            [0.1, 0.2, 0.3, 0.4],
            {"target_type": "classification"},
            ValueError,
            "non-integer",
        ),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), [0, 1], {}, ValueError, "convert"),
    ],
)
def test_bad_input_is_refused_before_any_work(X, y, params, error, match):
    resampler = EpBetaMixupResampler(**params)
    with pytest.raises(error, match=match):
        resampler.fit_resample(X, y)
    assert not hasattr(resampler, "n_synthetic_")


def test_non_numeric_dataframe_column_must_be_declared_without_auto():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "colour": ["r", "g", "b", "r"]})
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) 'colour'"):
        EpBetaMixupResampler(categorical_features=None).fit_resample(frame, y)
    with pytest.raises(ValueError, match="unknown column"):
        EpBetaMixupResampler(categorical_features=["color"]).fit_resample(frame, y)


def test_single_row_class_can_be_left_out():
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 0, 0, 1, 1, 2])
    X_res, y_res = EpBetaMixupResampler(
        sampling_strategy={1: 3, 2: 1}, random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 3, 1: 3, 2: 1}


def test_numpy_generator_as_random_state():
    X, y = _imbalanced()
    first = EpBetaMixupResampler(random_state=np.random.default_rng(5)).fit_resample(X, y)[0]
    again = EpBetaMixupResampler(random_state=np.random.default_rng(5)).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)


def test_synthetic_only_balancing_warns_that_only_balancing_rows_come_back():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.r_[np.zeros(20, dtype=int), np.ones(10, dtype=int)]
    balancing_only = r"only the 10 new rows that balance the classes \(1: 10\)"
    with pytest.warns(UserWarning, match=balancing_only):
        X_new, y_new = EpBetaMixupResampler(synthetic_only=True, random_state=0).fit_resample(X, y)
    assert X_new.shape[0] == 10 and set(y_new) == {1}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_new, _ = EpBetaMixupResampler(synthetic_only=True, factor=1.0).fit_resample(X, y)
    assert X_new.shape[0] == 30


def test_synthetic_only_with_explicit_counts_does_not_warn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.r_[np.zeros(20, dtype=int), np.ones(10, dtype=int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resampler = EpBetaMixupResampler(sampling_strategy={0: 25, 1: 15}, synthetic_only=True)
        X_new, _ = resampler.fit_resample(X, y)
    assert X_new.shape[0] == 10
