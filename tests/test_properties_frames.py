"""Property-based tests of DataFrame resampling over random tables.

Random columns of float64, float32, int8, uint8, int64, bool, string and
category dtype, random class layouts and parameters. Expected numeric values
come from an independent route: the same resampler and seed on a plain
numpy array of the mixed columns (random pairing and the weights ignore the
data, and k-mixup sees the same mixed columns), then rounded and clipped by
numpy here.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler

# The number of examples comes from the hypothesis profile (tests/conftest.py:
# 'ci' by default, HYPOTHESIS_PROFILE=thorough for a deeper search).
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])

NUMERIC = {
    "float64": st.floats(-1e6, 1e6, allow_nan=False, width=64),
    "float32": st.floats(-1e4, 1e4, allow_nan=False, width=32),
    "int8": st.integers(-128, 127),
    "uint8": st.integers(0, 255),
    "int64": st.integers(-(2**62), 2**62),
    "datetime64[ns]": st.integers(-(2**62), 2**62),  # nanoseconds since 1970
}
MIXED_KINDS = "iufM"  # dtype kinds that are mixed; the rest is copied
OTHER = {
    "bool": st.booleans(),
    "string": st.sampled_from(["a", "b", "c", "Lyon", ""]),
    "category": st.sampled_from(["x", "y", "z"]),
}
KINDS = sorted(NUMERIC) + sorted(OTHER)


@st.composite
def tables(draw):
    """A DataFrame with a unique 'id' string column, labels and parameters."""
    sizes = draw(st.lists(st.integers(2, 8), min_size=2, max_size=3))
    n = sum(sizes)
    y = np.repeat(np.arange(len(sizes)), sizes)
    y = y[draw(st.permutations(range(n)))]
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
    if not any(kind in NUMERIC for kind in kinds):
        kinds.append(draw(st.sampled_from(sorted(NUMERIC))))
    data = {"id": [f"r{i}" for i in range(n)]}
    for i, kind in enumerate(kinds):
        values = draw(st.lists((NUMERIC | OTHER)[kind], min_size=n, max_size=n))
        if kind == "category":
            data[f"c{i}"] = pd.Categorical(values)
        elif kind == "string":
            data[f"c{i}"] = pd.Series(values, dtype="str")
        elif kind == "datetime64[ns]":
            data[f"c{i}"] = np.array(values, dtype=np.int64).view(kind)
        else:
            data[f"c{i}"] = np.array(values, dtype=kind)
    frame = pd.DataFrame(data)
    method = draw(st.sampled_from(["epbeta", "kmixup", "multimix"]))
    params = {
        "clip": draw(st.sampled_from(["dtype", "observed"])),
        "random_state": draw(st.integers(0, 2**16)),
    }
    if draw(st.booleans()):
        params["factor"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
    if method == "epbeta":
        params["eps0"] = draw(st.sampled_from([0.0, 0.3, 1.0]))
        params["eps1"] = draw(st.sampled_from([0.3, 2.0]))
    elif method == "kmixup":
        params["k"] = draw(st.integers(1, 4))
    return frame, y, method, params


def _make(method, **params):
    kind = {"epbeta": EpBetaMixupResampler, "kmixup": KMixupResampler}.get(
        method, MultiMixResampler
    )
    return kind(**params)


def _quietly(resampler, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # two-valued columns
        return resampler.fit_resample(X, y)


def _numbers(column) -> np.ndarray:
    """Values as float64 (datetimes as nanoseconds since 1970)."""
    if column.dtype.kind == "M":
        return column.array.asi8.astype(np.float64)
    return column.to_numpy(dtype=np.float64)


def _expected(frame, y, method, params, mixed):
    """New values of the mixed columns, computed on a plain numpy array."""
    dtypes = frame[mixed].dtypes
    work = np.float32 if all(d == np.float32 for d in dtypes) else np.float64
    twin = np.column_stack([_numbers(frame[name]) for name in mixed]).astype(work)
    X_res, _ = _quietly(_make(method, **params), twin, y)
    new = X_res[frame.shape[0] :].astype(np.float64)
    expected = {}
    for i, name in enumerate(mixed):
        values, dtype = new[:, i], frame[name].dtype
        if params["clip"] == "observed":
            values = np.clip(values, _numbers(frame[name]).min(), _numbers(frame[name]).max())
        if dtype.kind == "M":  # int64 without its smallest value (NaT)
            values = np.clip(np.rint(values), -(2.0**63) + 1024, 2.0**63 - 1024)
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            values = np.clip(np.rint(values), float(info.min), float(info.max))
        elif dtype == np.float32:
            values = np.clip(values, -np.finfo(np.float32).max, np.finfo(np.float32).max)
        expected[name] = values
    return expected


@SETTINGS
@given(tables())
def test_random_tables_keep_originals_dtypes_ranges_and_anchor_values(case):
    frame, y, method, params = case
    resampler = _make(method, **params)
    X_res, y_res = _quietly(resampler, frame, y)
    n = frame.shape[0]
    # originals first and unchanged; names and dtypes kept
    assert list(X_res.columns) == list(frame.columns)
    assert (X_res.dtypes == frame.dtypes).all()
    pd.testing.assert_frame_equal(X_res.iloc[:n], frame)
    np.testing.assert_array_equal(np.asarray(y_res)[:n], y)
    new = X_res.iloc[n:].reset_index(drop=True)
    assert len(new) == resampler.n_synthetic_
    # every non-numeric column is copied from the anchor row (found by id),
    # which belongs to the new row's class
    categorical = [c for c in frame.columns if frame[c].dtype.kind not in MIXED_KINDS]
    assert resampler.categorical_features_.tolist() == [
        frame.columns.get_loc(c) for c in categorical
    ]
    anchors = frame.set_index("id").loc[new["id"]].reset_index()
    pd.testing.assert_frame_equal(new[categorical], anchors[categorical])
    anchor_rows = anchors["id"].str[1:].astype(int).to_numpy()
    np.testing.assert_array_equal(np.asarray(y_res)[n:], y[anchor_rows])
    # numeric columns: finite, in range, equal to the numpy route's values
    mixed = [c for c in frame.columns if c not in categorical]
    expected = _expected(frame, y, method, params, mixed)
    for name in mixed:
        got = _numbers(new[name])
        assert np.isfinite(got).all() and not new[name].isna().any()
        if params["clip"] == "observed":
            assert (got >= _numbers(frame[name]).min()).all()
            assert (got <= _numbers(frame[name]).max()).all()
        if frame[name].dtype.kind in "iM" and frame[name].dtype.itemsize == 8:
            tolerance = 2.0 ** (np.log2(np.abs(expected[name]).max(initial=0) + 1) - 50)
            np.testing.assert_allclose(got, expected[name], rtol=0, atol=tolerance)
        elif frame[name].dtype == np.float32:
            np.testing.assert_array_equal(got, expected[name].astype(np.float32))
        else:
            np.testing.assert_array_equal(got, expected[name])
    # the same random_state gives the same output
    again, y_again = _quietly(_make(method, **params), frame, y)
    pd.testing.assert_frame_equal(again, X_res)
    np.testing.assert_array_equal(np.asarray(y_again), np.asarray(y_res))


BREAKAGES = ["nan", "complex", "unknown_name", "undeclared", "single_row", "all_copied"]


@SETTINGS
@given(tables(), st.sampled_from(BREAKAGES), st.data())
def test_bad_tables_raise_value_or_type_error_before_any_work(case, breakage, data):
    frame, y, method, params = case
    frame = frame.copy()
    numeric = [c for c in frame.columns if frame[c].dtype.kind in "iuf"]
    assume(numeric)
    if breakage == "nan":
        column = data.draw(st.sampled_from(numeric))
        row = data.draw(st.integers(0, len(frame) - 1))
        frame[column] = frame[column].astype(np.float64)
        frame.loc[row, column] = np.nan
        match = repr(column)
    elif breakage == "complex":
        frame["z"] = np.arange(len(frame)) * (1 + 1j)
        match = "'z'"
    elif breakage == "unknown_name":
        params["categorical_features"] = ["id", "no such column"]
        match = "no such column"
    elif breakage == "undeclared":
        params["categorical_features"] = None
        match = "'id'"
    elif breakage == "single_row":
        labels, sizes = np.unique(y, return_counts=True)
        assume(sizes.max() >= 3)  # the other classes keep 2 rows or more
        rows = np.flatnonzero(y == labels[sizes.argmax()])
        y = y.copy()
        y[data.draw(st.sampled_from(rows.tolist()))] = 99
        params.pop("factor", None)  # 'auto' gives the new class new rows
        match = "99"
    else:
        params["categorical_features"] = list(frame.columns)
        match = "every column"
    resampler = _make(method, **params)
    with pytest.raises((ValueError, TypeError), match=match):
        _quietly(resampler, frame, y)
    assert not hasattr(resampler, "n_synthetic_")
