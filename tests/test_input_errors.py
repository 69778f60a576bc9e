"""Inputs that used to fail badly (issue 11, lettered cases): each now gives
a correct result or a clear ValueError/TypeError naming the parameter."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup._engine import draw_plan
from skmixup.pairing import RandomPairing
from skmixup.weights import Beta
from tests.test_common import RESAMPLERS

IDS = [type(r).__name__ for r in RESAMPLERS]


def _data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.r_[[0] * (n - 4), [1] * 4]
    return X, y


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=IDS)
def test_a_dataframe_with_list_labels(resampler):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["u", "v"], index=np.arange(100, 112))
    X_res, y_res = clone(resampler).fit_resample(frame, y.tolist())
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, list)
    assert len(y_res) == X_res.shape[0] == 16
    assert y_res[:12] == y.tolist() and y_res[12:] == [1] * 4
    np.testing.assert_array_equal(X_res.to_numpy()[:12], X)


def test_b_one_vs_all_row_without_a_class_is_refused():
    X, _ = _data(8)
    y = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
    resampler = EpBetaMixupResampler()
    with pytest.raises(ValueError, match=r"no class \(all zeros\), such as row 5"):
        resampler.fit_resample(X, y)
    assert not hasattr(resampler, "n_synthetic_")
    # A valid one-vs-all y comes back exactly, originals first.
    y[5] = [0, 1]
    _, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(y_res[:8], y)


@pytest.mark.parametrize(
    "make, y_kind, params, match",
    [
        (KMixupResampler, "continuous", {"n_samples": 10**12}, "more than this machine's memory"),
        (EpBetaMixupResampler, "continuous", {"factor": 1e12}, "more than this machine's memory"),
        (EpBetaMixupResampler, "classes", {"factor": 1e30}, r"factor asks for .* limit of"),
        (MultiMixResampler, "classes", {"n_samples": 10**12}, "n_samples=1000000000000 asks"),
        (KMixupResampler, "classes", {"n_samples": 2**60}, r"n_samples asks for .* \(2\*\*53\)"),
    ],
)
def test_c_huge_counts_are_refused_before_any_work(make, y_kind, params, match):
    X, y = _data()
    if y_kind == "continuous":
        y = X[:, 0] + 0.5
    resampler = make(**params)
    with pytest.raises(ValueError, match=match):
        resampler.fit_resample(X, y)
    assert not hasattr(resampler, "n_synthetic_") and not hasattr(resampler, "weight_law_")


def test_d_huge_n_interpolations_does_not_expand_the_repeat():
    X, y = _data()
    resampler = MultiMixResampler(n_interpolations=10**9, n_samples=8, random_state=0)
    tracemalloc.start()
    X_res, y_res = resampler.fit_resample(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert X_res.shape == (20, 2) and peak < 10 * 2**20  # the old repeat took 8 GB
    # One pair per class emits all of that class's rows.
    for label in (0, 1):
        new = X_res[12:][y_res[12:] == label]
        assert np.linalg.matrix_rank(new - new[0], tol=1e-9) <= 1


@pytest.mark.parametrize("n_interpolations", [1, 3, 5, 10**9])
def test_d_plan_equals_repeat_then_truncate(n_interpolations):
    # Reference: repeat each pair n_interpolations times and keep the first
    # rows (small n only), against the plan drawn with the same seed.
    X, _ = _data(20)
    groups = [np.arange(0, 12), np.arange(12, 20)]
    counts = [7, 4]
    plan = draw_plan(
        X, groups, counts, Beta(1, 1), RandomPairing(), np.random.default_rng(0), n_interpolations
    )
    rng = np.random.default_rng(0)
    expected_a, expected_p = [], []
    for members, count in zip(groups, counts):
        a, p = RandomPairing().pair(X, members, -(-count // n_interpolations), rng)
        reps = min(n_interpolations, count)
        expected_a.append(np.repeat(a, reps)[:count])
        expected_p.append(np.repeat(p, reps)[:count])
    np.testing.assert_array_equal(plan.anchors, np.concatenate(expected_a))
    np.testing.assert_array_equal(plan.partners, np.concatenate(expected_p))


@pytest.mark.parametrize(
    "y",
    [
        np.array(["a", "a", "a", None, "b", "b", "b", "a"], dtype=object),
        np.array(["a", "a", "a", np.nan, "b", "b", "b", "a"], dtype=object),
        ["a", "a", "a", np.nan, "b", "b", "b", "a"],
        [1, 1, 1, np.nan, 2, 2, 2, 1],
        pd.Series(["a", "a", "a", None, "b", "b", "b", "a"]),
        pd.Series([1, 1, 1, None, 2, 2, 2, 1], dtype="Int64"),
    ],
    ids=["object-None", "object-nan", "list-nan", "list-number-nan", "series-None", "Int64-NA"],
)
def test_j_missing_labels_are_refused_naming_y(y):
    X, _ = _data(8)
    with pytest.raises(
        ValueError, match=r"y has 1 missing value\(s\) \(None or NaN\), at row\(s\) \[3\]"
    ):
        EpBetaMixupResampler().fit_resample(X, y)


def test_j_mixed_label_types_are_refused():
    X, _ = _data(8)
    y = np.array(["a", 1, "a", 1, "a", 1, "a", 1], dtype=object)
    with pytest.raises(ValueError, match=r"y mixes label types \(number, str\)"):
        EpBetaMixupResampler().fit_resample(X, y)
    # Object arrays of numbers are numbers.
    numbers = np.array([0, 1, 0, 1, 0, 0, 1, 0], dtype=object)
    _, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, numbers)
    assert np.bincount(y_res.astype(int)).tolist() == [5, 5]


@pytest.mark.parametrize(
    "strategy, error, match",
    [
        ({1: 10.5}, TypeError, r"class 1 has 10\.5"),
        ({1: "10"}, TypeError, r"class 1 has '10'"),
        (lambda y: None, TypeError, "must return a dict of rows per class, got NoneType"),
        ({5: 10}, ValueError, r"not in y: \[5\]"),
    ],
)
def test_k_bad_sampling_strategy_values(strategy, error, match):
    X, y = _data()
    resampler = EpBetaMixupResampler(sampling_strategy=strategy)
    with pytest.raises(error, match=match):
        resampler.fit_resample(X, y)
    assert not hasattr(resampler, "n_synthetic_")


def test_q_list_of_lists_keeps_its_shape():
    X, y = _data()
    column = [[label] for label in y.tolist()]
    _, y_res = EpBetaMixupResampler(random_state=0).fit_resample(X, column)
    assert y_res[:12] == column and y_res[12:] == [[1]] * 4
    one_vs_all = np.eye(2, dtype=int)[y].tolist()
    _, y_ova = EpBetaMixupResampler(random_state=0).fit_resample(X, one_vs_all)
    assert y_ova[:12] == one_vs_all and y_ova[12:] == [[0, 1]] * 4
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        EpBetaMixupResampler().fit_resample(X, [[label, 2 * label] for label in y.tolist()])
