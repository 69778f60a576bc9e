"""Resampler edges of issue 18: strategy with factor, y=None wording, integer
regression targets, near-overflow k-mixup, wide sparse input."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.utils.estimator_checks import check_samplers_sampling_strategy_fit_resample
from sklearn.utils.estimator_checks import check_requires_y_none

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

# -- item 9: an explicit sampling_strategy with factor / n_samples -------------


def _three_classes():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [201, 301, 498])
    return rng.normal(size=(y.size, 2)), y


@pytest.mark.parametrize("count", [{"factor": 2.0}, {"n_samples": 100}])
def test_explicit_strategy_wins_over_factor_with_a_warning(count):
    X, y = _three_classes()
    strategy = {0: 498, 2: 498}
    resampler = EpBetaMixupResampler(sampling_strategy=strategy, random_state=0, **count)
    (name,) = count
    with pytest.warns(UserWarning, match=rf"{name}=\S+ is ignored\. Keep only one"):
        _, y_res = resampler.fit_resample(X, y)
    # The counts the strategy asks for, not those factor / n_samples would give.
    assert Counter(y_res.tolist()) == {0: 498, 1: 301, 2: 498}
    assert resampler.sampling_strategy_ == {0: 498 - 201, 2: 0}


def test_default_strategy_with_factor_does_not_warn():
    X, y = _three_classes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, y_res = EpBetaMixupResampler(factor=2.0, random_state=0).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 603, 1: 903, 2: 1494}


@pytest.mark.parametrize(
    "resampler",
    [
        EpBetaMixupResampler(factor=2.0, random_state=0),
        KMixupResampler(n_samples=50, random_state=0),
        MultiMixResampler(factor=0.5, random_state=0),
    ],
    ids=lambda r: type(r).__name__,
)
def test_imblearn_strategy_check_passes_with_factor_or_n_samples(resampler):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_samplers_sampling_strategy_fit_resample(type(resampler).__name__, resampler)


# -- item 10: y=None with settings that need classes --------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"sampling_strategy": "minority"},
        {"sampling_strategy": "not majority"},
        {"sampling_strategy": "all"},
        {"sampling_strategy": lambda y: {}},
        {"sampling_strategy": {0: 5}},
        {"target_type": "classification"},
    ],
    ids=lambda p: f"{next(iter(p))}-{next(iter(p.values()))!s:.12}",
)
def test_y_none_error_uses_scikit_learn_wording(params):
    resampler = EpBetaMixupResampler(random_state=0, **params)
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        resampler.fit(X, None)
    check_requires_y_none(type(resampler).__name__, resampler)  # raises if worded otherwise


# -- item 11: integer regression targets --------------------------------------


def _integer_target_table():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 50, size=40)
    # The first column is y itself: mixed with the same weight, it is
    # w y_a + (1 - w) y_p computed independently of the target's path.
    X = np.column_stack([y.astype(np.float64), rng.normal(size=40)])
    return X, y


@pytest.mark.parametrize(
    "container",
    [
        lambda y: y,
        lambda y: y.astype(np.int8),
        lambda y: pd.Series(y, name="t"),
        lambda y: pd.Series(y, name="t").astype("Int64"),
        lambda y: pd.DataFrame({"t": y}),
        list,
    ],
    ids=["int64", "int8", "series", "nullable", "frame", "list"],
)
def test_integer_regression_target_gets_float_mixed_targets(container):
    X, y = _integer_target_table()
    resampler = EpBetaMixupResampler(target_type="regression", random_state=0)
    X_res, y_res = resampler.fit_resample(pd.DataFrame(X, columns=["a", "b"]), container(y))
    values = np.asarray(y_res, dtype=np.float64).ravel()
    new = values[40:]
    np.testing.assert_allclose(new, X_res["a"].to_numpy()[40:], rtol=0, atol=1e-12)
    assert (new != np.rint(new)).any()  # not rounded back to integers
    np.testing.assert_array_equal(values[:40], y)  # originals unchanged
    if hasattr(y_res, "dtype"):
        assert y_res.dtype.kind == "f"


def test_integer_regression_target_on_dask_is_not_rounded():
    dd = pytest.importorskip("dask.dataframe")
    from skmixup.dask import fit_resample

    X, y = _integer_target_table()
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b"]), npartitions=2)
    target = dd.from_pandas(pd.Series(y, name="t"), npartitions=2)
    resampler = EpBetaMixupResampler(target_type="regression", synthetic_only=True, random_state=0)
    X_res, y_res = fit_resample(resampler, frame, target)
    X_res, y_res = X_res.compute(scheduler="sync"), y_res.compute(scheduler="sync")
    assert y_res.dtype == np.float64
    np.testing.assert_allclose(y_res.to_numpy(), X_res["a"].to_numpy(), rtol=0, atol=1e-12)
    assert (y_res != np.rint(y_res)).any()


# -- item 13: wide sparse input costs its non-zeros ---------------------------


def _brute_two_valued(dense, positions):
    return [c for c in positions if np.unique(dense[:, c]).size == 2]


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_two_valued_columns_match_a_dense_count(fmt, seed):
    import scipy.sparse as sp

    from skmixup._tables.column_checks import _two_valued_sparse

    rng = np.random.default_rng(seed)
    dense = rng.choice([0.0, 0.0, 1.0, 2.0, -1.0], size=(12, 40))
    dense[:, 0] = 3.0  # constant, no implicit zero
    dense[:, 1] = np.r_[[3.0] * 6, [4.0] * 6]  # two values, no zero
    dense[:, 2] = 0.0  # empty column
    dense[:5, 3] = 7.0  # {0, 7}
    X = sp.csr_matrix(dense).asformat(fmt)
    X.data[X.data == 2.0] = 0.0  # explicit zeros stored
    dense = X.toarray()
    positions = np.arange(40)
    assert _two_valued_sparse(X, None).tolist() == _brute_two_valued(dense, positions)
    some = np.arange(0, 40, 3)
    assert _two_valued_sparse(X, some).tolist() == _brute_two_valued(dense, some)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_wide_sparse_resampling_equals_the_dense_result(fmt):
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    dense = np.where(rng.random((30, 50)) < 0.2, rng.normal(size=(30, 50)), 0.0)
    y = np.r_[[0] * 20, [1] * 10]
    for categorical in [None, [3, 7]]:
        params = dict(categorical_features=categorical, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_sparse, y_sparse = EpBetaMixupResampler(**params).fit_resample(
                sp.csr_matrix(dense).asformat(fmt), y
            )
            X_dense, y_dense = EpBetaMixupResampler(**params).fit_resample(dense, y)
        assert X_sparse.format == fmt
        np.testing.assert_allclose(X_sparse.toarray(), X_dense, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(y_sparse, y_dense)
        assert not (X_sparse.data == 0).any()  # no explicit zeros stored


# -- item 12: k-mixup / multi-mix near the float limit ------------------------


@pytest.mark.parametrize("scale, dtype", [(1e160, np.float64), (1e19, np.float32)])
@pytest.mark.parametrize(
    "make",
    [
        lambda: KMixupResampler(k=4, random_state=0),
        lambda: KMixupResampler(k=4, fixed_perturbation=True, random_state=0),
        lambda: MultiMixResampler(k=4, random_state=0),
    ],
    ids=["kmixup", "kmixup-fixed-perturbation", "multimix"],
)
def test_block_matching_near_the_float_limit_matches_as_at_unit_scale(make, scale, dtype):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(64, 3))
    y = np.r_[[0] * 40, [1] * 24]
    resampler = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        X_big, y_big = resampler.fit_resample((base * scale).astype(dtype), y)
    X_unit, y_unit = make().fit_resample(base.astype(dtype), y)
    assert resampler.alpha_ == pytest.approx(make().fit(base.astype(dtype), y).alpha_)
    assert np.isfinite(X_big).all()
    # The same pairs and weights as at unit scale: the matching did not see
    # the overflowed costs scipy refused before ("invalid numeric entries").
    np.testing.assert_allclose(X_big / dtype(scale), X_unit, rtol=1e-4)
    np.testing.assert_array_equal(y_big, y_unit)
