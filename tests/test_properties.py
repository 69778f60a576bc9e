"""Property-based tests: invariants of every resampler on random inputs.

Shapes, dtypes (float64, float32, small integers, CSR/CSC, float
DataFrames), label layouts (2-4 classes, imbalanced, int or str labels, a
continuous target, no target) and the counting parameters are drawn by
hypothesis; the checks are independent of the implementation: counts from
imbalanced-learn's ``check_sampling_strategy`` or from the definition,
mixtures from a brute-force search over pairs of input rows
(``tests/_mixcheck.py``). The CI profile (tests/conftest.py) bounds the
number of examples.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from tests._mixcheck import is_pair_mixture

CONTAINERS = ["float64", "float32", "int", "csr", "csc", "frame"]


@st.composite
def resamplers(draw):
    kind = draw(st.sampled_from(["epbeta", "kmixup", "multimix"]))
    seed = draw(st.integers(0, 2**16))
    n_interpolations = draw(st.integers(1, 4))
    if kind == "epbeta":
        eps0, eps1 = draw(st.sampled_from([(0.3, 0.3), (0.0, 0.2), (0.1, 0.0), (0.5, 0.25)]))
        mean = draw(st.sampled_from([None, 0.3, 0.7]))
        return EpBetaMixupResampler(
            eps0=eps0, eps1=eps1, mean=mean, n_interpolations=n_interpolations, random_state=seed
        )
    alpha = draw(st.sampled_from([0.5, 1.0, 2.0]))
    k = draw(st.integers(1, 4))
    make = KMixupResampler if kind == "kmixup" else MultiMixResampler
    return make(k=k, alpha=alpha, n_interpolations=n_interpolations, random_state=seed)


@st.composite
def problems(draw):
    """(X as given, X as the float matrix it stands for, y, target kind)."""
    target = draw(st.sampled_from(["classes", "classes", "continuous", "none"]))
    n_features = draw(st.integers(1, 4))
    if target == "classes":
        n_classes = draw(st.integers(2, 4))
        sizes = draw(st.lists(st.integers(2, 9), min_size=n_classes, max_size=n_classes))
        names = draw(
            st.sampled_from(["int", "str", "float"] + (["bool"] if n_classes == 2 else []))
        )
        labels = {
            "int": [3 * i - 2 for i in range(n_classes)],
            "str": [f"c{i}" for i in range(n_classes)],
            "float": [float(i) for i in range(n_classes)],
            "bool": [False, True],
        }[names]
        y = np.repeat(np.asarray(labels), sizes)
    else:
        y = None
    n_rows = y.size if y is not None else draw(st.integers(2, 20))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    container = draw(st.sampled_from(CONTAINERS))
    if container == "int":
        dense = rng.integers(-5, 6, size=(n_rows, n_features))
        X = dense.astype(draw(st.sampled_from([np.int8, np.uint8, np.int32, np.int64, bool])))
        matrix = X.astype(np.float64)
    else:
        scale = draw(st.sampled_from([1.0, 1e-3, 1e3]))
        offset = 0.0 if container in ("csr", "csc") else draw(st.sampled_from([0.0, 1e4]))
        dense = offset + rng.normal(scale=scale, size=(n_rows, n_features))
        if container in ("csr", "csc"):
            dense[rng.random(dense.shape) < 0.5] = 0.0
        if draw(st.booleans()):  # repeated rows: pairs of identical rows
            dense[1::2] = dense[0:-1:2]
        dtype = np.float32 if container == "float32" else np.float64
        matrix = dense.astype(dtype)
        X = {
            "csr": lambda: sp.csr_matrix(matrix),
            "csc": lambda: sp.csc_matrix(matrix),
            "frame": lambda: pd.DataFrame(matrix, columns=[f"f{i}" for i in range(n_features)]),
        }.get(container, lambda: matrix)()
    if target == "classes":
        y = rng.permutation(y)
    elif target == "continuous":
        y = matrix.astype(np.float64) @ rng.normal(size=n_features) + rng.normal(size=n_rows) * 0.1
    return X, matrix, y, target


@st.composite
def counting(draw, target):
    """Counting parameters valid for this target kind."""
    how = draw(
        st.sampled_from(
            ["default", "factor", "n_samples"] + (["strategy"] if target == "classes" else [])
        )
    )
    if how == "factor":
        return {"factor": draw(st.sampled_from([0.1, 0.5, 1.0, 1.5, 2.5]))}
    if how == "n_samples":
        return {"n_samples": draw(st.integers(1, 40))}
    if how == "strategy":
        return {
            "sampling_strategy": draw(
                st.sampled_from(["auto", "all", "not minority", "minority", "not majority"])
            )
        }
    return {}


def _dense(X):
    if sp.issparse(X):
        return X.toarray()
    return X.to_numpy() if isinstance(X, pd.DataFrame) else np.asarray(X)


def _expected_counts(y, target, params, n_rows):
    """New rows per class by definition, or in all for one group."""
    if target != "classes":
        if "factor" in params:
            return round(params["factor"] * n_rows)
        return params.get("n_samples", n_rows)
    labels, sizes = np.unique(y, return_counts=True)
    if "factor" in params:
        return {
            label: round(params["factor"] * size) for label, size in zip(labels.tolist(), sizes)
        }
    if "n_samples" in params:
        return None  # checked by its own rule below
    strategy = params.get("sampling_strategy", "auto")
    return {k: int(v) for k, v in check_sampling_strategy(strategy, y, "over-sampling").items()}


@given(problem=problems(), resampler=resamplers(), data=st.data())
def test_resampling_invariants(problem, resampler, data):
    X, matrix, y, target = problem
    params = data.draw(counting(target))
    synthetic_only = data.draw(st.booleans())
    resampler.set_params(synthetic_only=synthetic_only, **params)
    n_rows = matrix.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        # Float labels with more than 2 classes are read with a UserWarning.
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = resampler.fit_resample(X, y)
        X_again, y_again = resampler.fit_resample(X, y)

    # Same random_state, same output.
    np.testing.assert_array_equal(_dense(X_again), _dense(X_res))
    if y is not None:
        np.testing.assert_array_equal(np.asarray(y_again), np.asarray(y_res))
    else:
        assert y_res is None and y_again is None

    # Container and dtype kept (integer arrays too, rounded and clipped to
    # their range; bool arrays are mixed as float64).
    integer = isinstance(X, np.ndarray) and X.dtype.kind in "iu"
    expected_dtype = np.float32 if matrix.dtype == np.float32 else np.float64
    if integer:
        expected_dtype = X.dtype
    if sp.issparse(X):
        assert sp.issparse(X_res) and X_res.format == X.format
    if isinstance(X, pd.DataFrame):
        assert list(X_res.columns) == list(X.columns) and (X_res.dtypes == X.dtypes).all()
    else:
        assert _dense(X_res).dtype == expected_dtype
    out = _dense(X_res)
    assert np.isfinite(out).all()

    # Originals first and unchanged.
    n_orig = 0 if synthetic_only else n_rows
    np.testing.assert_array_equal(out[:n_orig], matrix.astype(expected_dtype)[:n_orig])
    new = out[n_orig:]
    n_new = new.shape[0]
    assert resampler.n_synthetic_ == n_new
    if y is not None:
        y_res = np.asarray(y_res)
        assert y_res.shape == (n_orig + n_new,)
        np.testing.assert_array_equal(y_res[:n_orig], y[:n_orig])

    # Exact counts.
    expected = _expected_counts(y, target, params, n_rows)
    if target == "classes":
        labels, sizes = np.unique(y, return_counts=True)
        made = {label: int(np.sum(y_res[n_orig:] == label)) for label in labels.tolist()}
        if expected is None:
            assert n_new == params["n_samples"]
            share = params["n_samples"] * sizes / sizes.sum()
            counts = np.array(list(made.values()))
            assert np.all((np.floor(share) <= counts) & (counts <= np.ceil(share)))
        else:
            assert made == {label: expected.get(label, 0) for label in made}
    else:
        assert n_new == expected

    if integer:
        # The same draws on the float64 copy, then rounded to nearest and
        # clipped to the dtype's range, give the integer rows exactly.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            as_float, _ = resampler.fit_resample(matrix, y)
        info = np.iinfo(X.dtype)
        rounded = np.clip(np.rint(as_float[n_orig:]), info.min, info.max)
        np.testing.assert_array_equal(new, rounded.astype(X.dtype))
        new, expected_dtype = as_float[n_orig:], np.float64

    # Every new row is w x_a + (1 - w) x_p, w in the law's support, a and p
    # two rows of the input within one class (a continuous target mixed alike).
    support = resampler.weight_law_.support
    originals = matrix.astype(np.float64)
    if target == "classes":
        ok = is_pair_mixture(new, originals, groups=y, new_groups=y_res[n_orig:], support=support)
    else:
        if target == "continuous":
            originals = np.column_stack([originals, y])
            new = np.column_stack([new, y_res[n_orig:]])
        ok = is_pair_mixture(new.astype(expected_dtype), originals, support=support)
    assert ok.all(), np.flatnonzero(~ok)


# -- bad input: ValueError or TypeError before any work, nothing else ---------

DEFECTS = {
    "nan in X": lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 0, np.nan, X), y, {}),
    "inf in X": lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 1, -np.inf, X), y, {}),
    "short y": lambda X, y: (X, y[:-1], {}),
    "one row": lambda X, y: (X[:1], y[:1], {}),
    "3-D X": lambda X, y: (X[:, :, None], y, {}),
    "string X": lambda X, y: (X.astype(str).astype(object) + "x", y, {}),
    "missing label": lambda X, y: (X, np.where(np.arange(y.size) == 0, None, y.astype(object)), {}),
    "negative factor": lambda X, y: (X, y, {"factor": -1.0}),
    "nan factor": lambda X, y: (X, y, {"factor": float("nan")}),
    "float n_samples": lambda X, y: (X, y, {"n_samples": 2.5}),
    "zero n_samples": lambda X, y: (X, y, {"n_samples": 0}),
    "factor and n_samples": lambda X, y: (X, y, {"factor": 1.0, "n_samples": 3}),
    "float count in dict": lambda X, y: (X, y, {"sampling_strategy": {y[0]: 100.5}}),
    "string count in dict": lambda X, y: (X, y, {"sampling_strategy": {y[0]: "100"}}),
    "unknown class in dict": lambda X, y: (X, y, {"sampling_strategy": {"nope": 100}}),
    "too few rows in dict": lambda X, y: (X, y, {"sampling_strategy": {y[0]: 0}}),
    "callable returning None": lambda X, y: (X, y, {"sampling_strategy": lambda _: None}),
    "strategy 'majority'": lambda X, y: (X, y, {"sampling_strategy": "majority"}),
    "strategy ratio above 1": lambda X, y: (X, y, {"sampling_strategy": 1.5}),
    "bad target_type": lambda X, y: (X, y, {"target_type": "labels"}),
    "bad single_row_classes": lambda X, y: (X, y, {"single_row_classes": "ignore"}),
    "zero n_interpolations": lambda X, y: (X, y, {"n_interpolations": 0}),
    "categorical out of range": lambda X, y: (X, y, {"categorical_features": [X.shape[1] + 3]}),
    "huge n_samples": lambda X, y: (X, y, {"n_samples": 10**15}),
    "huge factor": lambda X, y: (X, y, {"factor": 1e300}),
    "single row class": lambda X, y: (
        X,
        np.r_[y[:-1], ["solo" if y.dtype.kind == "U" else 999]],
        {},
    ),
    "multioutput y": lambda X, y: (
        X,
        np.column_stack([np.arange(y.size), np.arange(y.size) % 3]),
        {},
    ),
}


@given(
    problem=problems(),
    resampler=resamplers(),
    defect=st.sampled_from(sorted(DEFECTS)),
)
def test_bad_input_raises_value_or_type_error_before_any_work(problem, resampler, defect):
    _, matrix, y, target = problem
    if target != "classes":
        y = np.r_[[0] * (matrix.shape[0] // 2), [1] * (matrix.shape[0] - matrix.shape[0] // 2)]
        if min(np.bincount(y)) < 2:
            return
    X, y, params = DEFECTS[defect](matrix, y)
    resampler.set_params(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises((ValueError, TypeError)):
            resampler.fit_resample(X, y)
    assert not hasattr(resampler, "n_synthetic_")
