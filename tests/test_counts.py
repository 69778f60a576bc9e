"""Counting new rows from class sizes, checked against imbalanced-learn.

``new_rows_per_class`` reimplements imbalanced-learn's over-sampling
``sampling_strategy`` on class sizes; imbalanced-learn's own
``check_sampling_strategy`` (which reads the whole ``y``) is the reference.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy

from skmixup.resampling._counts import (
    MAX_NEW_ROWS,
    new_rows_continuous,
    new_rows_per_class,
)

STRINGS = ["auto", "all", "minority", "not minority", "not majority", "majority"]


@st.composite
def label_vectors(draw, min_classes=2, max_classes=5):
    n_classes = draw(st.integers(min_classes, max_classes))
    sizes = draw(st.lists(st.integers(1, 12), min_size=n_classes, max_size=n_classes))
    kind = draw(st.sampled_from(["int", "str"]))
    names = draw(
        st.lists(st.integers(-50, 50), min_size=n_classes, max_size=n_classes, unique=True)
    )
    labels = [f"c{n}" for n in names] if kind == "str" else names
    y = np.repeat(np.asarray(labels), sizes)
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).permutation(y)


def _both(strategy, y):
    """(ours, imbalanced-learn's) result, or the exception type each raised."""
    labels, sizes = np.unique(y, return_counts=True)
    results = []
    for compute in (
        lambda: new_rows_per_class(labels, sizes, sampling_strategy=strategy, y=y),
        lambda: dict(check_sampling_strategy(strategy, y, "over-sampling")),
    ):
        try:
            results.append(compute())
        except (ValueError, TypeError) as error:
            results.append(type(error))
    return results


@given(y=label_vectors(), strategy=st.sampled_from(STRINGS))
def test_string_strategies_agree_with_imblearn(y, strategy):
    ours, theirs = _both(strategy, y)
    assert ours == theirs
    if isinstance(ours, dict):
        assert list(ours) == sorted(ours)  # sorted by label, as imbalanced-learn


@given(y=label_vectors(2, 2), ratio=st.floats(0.01, 1.0))
def test_float_strategy_agrees_with_imblearn_on_binary_targets(y, ratio):
    ours, theirs = _both(ratio, y)
    assert ours == theirs


@given(y=label_vectors(3, 5), ratio=st.floats(0.01, 1.0))
def test_float_strategy_refused_beyond_two_classes(y, ratio):
    ours, theirs = _both(ratio, y)
    assert ours is ValueError and theirs is ValueError


@given(y=label_vectors(), data=st.data())
def test_dict_strategy_agrees_with_imblearn(y, data):
    labels, sizes = np.unique(y, return_counts=True)
    chosen = data.draw(st.lists(st.sampled_from(labels.tolist()), unique=True))
    strategy = {
        label: int(sizes[labels.tolist().index(label)]) + data.draw(st.integers(-2, 20))
        for label in chosen
    }
    ours, theirs = _both(strategy, y)
    assert ours == theirs
    # And the callable form, which needs y, gives the same.
    assert _both(lambda y_: strategy, y)[0] == ours


def test_factor_rounds_each_class_and_n_samples_is_exact():
    sizes = np.array([7, 3, 10])
    assert new_rows_per_class([0, 1, 2], sizes, factor=0.5) == {
        0: round(3.5),
        1: round(1.5),
        2: 5,
    }
    rng = np.random.default_rng(0)
    for _ in range(200):
        sizes = rng.integers(1, 50, size=rng.integers(2, 6))
        total = int(rng.integers(0, 500))
        counts = list(new_rows_per_class(range(sizes.size), sizes, n_samples=total).values())
        assert sum(counts) == total
        # Largest remainders: each count is the floor or the ceiling of its share.
        exact = total * sizes / sizes.sum()
        assert np.all((np.floor(exact) <= counts) & (counts <= np.ceil(exact)))


@pytest.mark.parametrize(
    ("strategy", "error", "match"),
    [
        ({1: 10.5}, TypeError, r"class 1 has 10\.5"),
        ({1: "20"}, TypeError, r"class 1 has '20'"),
        (lambda y: None, TypeError, r"must return a dict.*got NoneType"),
        ({7: 20}, ValueError, r"not in y: \[7\]"),
        ({1: 2}, ValueError, r"asks class 1 for 2 rows but it has 5"),
        ("minority ", ValueError, "must be one of"),
        ([0, 1], TypeError, "got list"),
    ],
)
def test_bad_strategies_raise_clear_errors(strategy, error, match):
    with pytest.raises(error, match=match):
        new_rows_per_class([0, 1], [10, 5], sampling_strategy=strategy, y=np.r_[[0] * 10, [1] * 5])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"factor": 1e30}, r"factor asks for [\d.]+e\+3\d new rows"),
        ({"factor": float("inf")}, "factor asks for inf new rows"),
        ({"n_samples": 2**60}, "n_samples asks for"),
    ],
)
def test_huge_counts_are_refused_without_overflow(params, match):
    with pytest.raises(ValueError, match=match):
        new_rows_per_class([0, 1], [10, 5], **params)
    with pytest.raises(ValueError, match=match):
        new_rows_continuous(15, **params)
    # Just below the limit the count is exact (no float rounding, no overflow).
    assert sum(new_rows_per_class([0, 1], [1, 2], n_samples=MAX_NEW_ROWS).values()) == MAX_NEW_ROWS


def test_continuous_counts():
    assert new_rows_continuous(40) == 40
    assert new_rows_continuous(40, factor=0.26) == round(0.26 * 40)
    assert new_rows_continuous(40, n_samples=3) == 3
    with pytest.raises(ValueError, match="at most one of factor and n_samples"):
        new_rows_continuous(40, factor=1.0, n_samples=3)
    with pytest.raises(ValueError, match="sampling_strategy applies to class labels"):
        new_rows_continuous(40, sampling_strategy="all")
