"""DataFrame columns, integer and datetime dtypes, clipping and column checks.

The expected new values come from a float "twin": the same resampler, seed
and labels on a float64 array of the same numbers. Random pairing and the
weights do not look at the data, so the twin's new rows are the unrounded,
unclipped values the engine computed.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skmixup import EpBetaMixupResampler, KMixupResampler
from skmixup.exceptions import BinaryFeatureWarning
from skmixup.metrics import structure_report

N = 60
Y = np.r_[np.zeros(40, dtype=int), np.ones(20, dtype=int)]


def _twin(values, **params) -> np.ndarray:
    """New rows the engine computes in float64 for ``values`` (same seed)."""
    X = np.asarray(values, dtype=np.float64).reshape(N, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinaryFeatureWarning)
        X_res, _ = EpBetaMixupResampler(random_state=0, **params).fit_resample(X, Y)
    return X_res[N:]


def _mixed_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "small": rng.integers(-120, 121, N).astype(np.int8),
            "pixel": rng.integers(0, 256, N).astype(np.uint8),
            "smoker": rng.random(N) < 0.3,
            "city": rng.choice(["Lyon", "Oslo", "Kyiv"], N),
        }
    )


def test_int8_uint8_bool_and_string_columns_keep_dtype_and_range():
    # The done-when case of issue 11: no categorical_features given.
    frame = _mixed_table()
    X_res, y_res = EpBetaMixupResampler(random_state=0).fit_resample(frame, Y)
    assert (X_res.dtypes == frame.dtypes).all() and list(X_res.columns) == list(frame.columns)
    pd.testing.assert_frame_equal(X_res.iloc[:N], frame)
    new = X_res.iloc[N:]
    unclipped = _twin(frame[["small", "pixel"]].to_numpy())
    # EpBeta extrapolates past the dtype range here: clipped, not wrapped.
    assert (unclipped[:, 0] > 127).any() or (unclipped[:, 0] < -128).any()
    assert (unclipped[:, 1] > 255).any() or (unclipped[:, 1] < 0).any()
    np.testing.assert_array_equal(new["small"], np.clip(np.rint(unclipped[:, 0]), -128, 127))
    np.testing.assert_array_equal(new["pixel"], np.clip(np.rint(unclipped[:, 1]), 0, 255))
    # bool and string columns are copied from a row of the same class.
    minority = frame[Y == 1]
    seen = set(zip(minority["smoker"], minority["city"]))
    assert set(zip(new["smoker"], new["city"])) <= seen
    assert (y_res[N:] == 1).all()


def test_observed_clip_keeps_each_column_in_its_range():
    frame = _mixed_table().assign(score=np.random.default_rng(1).normal(size=N))
    X_res, _ = EpBetaMixupResampler(clip="observed", random_state=0).fit_resample(frame, Y)
    new = X_res.iloc[N:]
    unclipped = _twin(frame[["small", "pixel", "score"]].to_numpy())
    for i, name in enumerate(["small", "pixel", "score"]):
        low, high = frame[name].min(), frame[name].max()
        expected = np.clip(unclipped[:, i], low, high)
        if name != "score":
            expected = np.rint(expected)
        np.testing.assert_array_equal(new[name].to_numpy(dtype=float), expected)
    # The documented cost: clipping pulls extrapolated values in, so the
    # variance of the new rows is smaller than without clipping.
    columns = ["small", "pixel", "score"]
    plain, _ = EpBetaMixupResampler(random_state=0).fit_resample(frame, Y)
    ratio_clipped = structure_report(frame[columns], new[columns])["variance_ratio"]
    ratio_plain = structure_report(frame[columns], plain.iloc[N:][columns])["variance_ratio"]
    assert ratio_clipped < ratio_plain


def test_unsigned_and_nullable_integer_columns_do_not_crash():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "u16": rng.integers(60000, 65536, N).astype(np.uint16),
            "count": pd.array(rng.integers(0, 5, N), dtype="Int64"),
            "x": rng.normal(size=N),
        }
    )
    X_res, _ = EpBetaMixupResampler(random_state=0).fit_resample(frame, Y)
    assert (X_res.dtypes == frame.dtypes).all()
    unclipped = _twin(frame.to_numpy(dtype=float))
    np.testing.assert_array_equal(
        X_res["u16"].iloc[N:], np.clip(np.rint(unclipped[:, 0]), 0, 65535)
    )
    np.testing.assert_array_equal(X_res["count"].iloc[N:].to_numpy(int), np.rint(unclipped[:, 1]))


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int16])
def test_numpy_integer_x_keeps_dtype_and_exact_originals(dtype):
    rng = np.random.default_rng(3)
    info = np.iinfo(dtype)
    base = 2**60 if dtype == np.int64 else info.min
    span = 1000 if dtype == np.int64 else int(info.max) - int(info.min)
    X = (base + rng.integers(0, span, (N, 2), endpoint=True)).astype(dtype)
    X_res, _ = EpBetaMixupResampler(random_state=0).fit_resample(X, Y)
    assert X_res.dtype == dtype
    np.testing.assert_array_equal(X_res[:N], X)  # exact, also above 2**53
    expected = np.clip(np.rint(_twin(X)), info.min, info.max)
    if dtype == np.int64:  # the twin is float64: compare to its precision
        np.testing.assert_allclose(X_res[N:].astype(float), expected, rtol=0, atol=512)
        assert (X_res[N:] >= 2**60 - 600).all()  # nothing wrapped around
    else:
        np.testing.assert_array_equal(X_res[N:], expected)
    if dtype == np.int64:  # a list of Python ints is read as int64
        lists, _ = EpBetaMixupResampler(random_state=0).fit_resample(X.tolist(), Y)
        assert lists == X_res.tolist()


def test_sparse_integer_and_observed_clip():
    rng = np.random.default_rng(4)
    dense = rng.integers(-128, 128, (N, 3)) * (rng.random((N, 3)) < 0.6)
    X = sp.csr_matrix(dense.astype(np.int8))
    X_res, _ = EpBetaMixupResampler(random_state=0).fit_resample(X, Y)
    assert sp.issparse(X_res) and X_res.format == "csr" and X_res.dtype == np.int8
    np.testing.assert_array_equal(X_res[:N].toarray(), dense)
    np.testing.assert_array_equal(X_res[N:].toarray(), np.clip(np.rint(_twin(dense)), -128, 127))
    floats = sp.csc_matrix(dense.astype(np.float64))
    X_obs, _ = EpBetaMixupResampler(clip="observed", random_state=0).fit_resample(floats, Y)
    assert X_obs.format == "csc"
    # The sparse kernel computes w x_a + (1 - w) x_p: equal up to rounding.
    np.testing.assert_allclose(
        X_obs[N:].toarray(),
        np.clip(_twin(dense), dense.min(axis=0), dense.max(axis=0)),
        rtol=1e-12,
        atol=1e-12,
    )


def test_numpy_nan_and_inf_errors_name_the_columns():
    X = np.random.default_rng(12).normal(size=(N, 4))
    X[3, 1], X[5, 3], X[7, 2] = np.nan, np.inf, -np.inf
    with pytest.raises(
        ValueError, match=r"NaN in column\(s\) \[1\] and infinity in column\(s\) \[2, 3\]"
    ):
        EpBetaMixupResampler().fit_resample(X, Y)


def test_numpy_datetime_x_is_refused():
    X = np.arange(N).astype("datetime64[D]").reshape(-1, 1)
    with pytest.raises(TypeError, match="datetime64"):
        EpBetaMixupResampler().fit_resample(X, Y)


def test_datetime_and_timedelta_columns_are_mixed_as_instants():
    rng = np.random.default_rng(5)
    when = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, N), "s"))
    frame = pd.DataFrame(
        {
            "visit": when.dt.tz_localize("Europe/Oslo"),
            "stay": pd.to_timedelta(rng.integers(0, 10**4, N), unit="s"),
            "x": rng.normal(size=N),
        }
    )
    X_res, _ = EpBetaMixupResampler(random_state=0).fit_resample(frame, Y)
    assert (X_res.dtypes == frame.dtypes).all()
    pd.testing.assert_frame_equal(X_res.iloc[:N], frame)
    ticks = np.c_[frame["visit"].array.asi8, frame["stay"].array.asi8, frame["x"]]
    unclipped = _twin(ticks)
    np.testing.assert_array_equal(X_res["visit"].iloc[N:].array.asi8, np.rint(unclipped[:, 0]))
    np.testing.assert_array_equal(X_res["stay"].iloc[N:].array.asi8, np.rint(unclipped[:, 1]))


def test_auto_copies_every_non_numeric_column_from_the_anchor_row():
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(
        {
            "id": [f"row{i}" for i in range(N)],  # identifies the anchor row
            "x": rng.normal(size=N),
            "flag": rng.random(N) < 0.5,
            "maybe": pd.array(rng.choice([True, False, None], N), dtype="boolean"),
            "plan": pd.Categorical(rng.choice(["a", "b", "c"], N)),
            "obj": pd.Series(rng.choice(["p", None, "q"], N), dtype=object),
            "period": pd.period_range("2020-01", periods=N, freq="M"),
        }
    )
    resampler = EpBetaMixupResampler(random_state=0)
    X_res, y_res = resampler.fit_resample(frame, pd.Series(Y))
    assert resampler.categorical_features_.tolist() == [0, 2, 3, 4, 5, 6]
    assert (X_res.dtypes == frame.dtypes).all()
    anchors = frame.set_index("id").loc[X_res["id"].iloc[N:]]
    copied = ["flag", "maybe", "plan", "obj", "period"]
    pd.testing.assert_frame_equal(
        X_res[copied].iloc[N:].reset_index(drop=True), anchors[copied].reset_index(drop=True)
    )
    assert (Y[anchors.index.str[3:].astype(int)] == y_res.iloc[N:].to_numpy()).all()


def test_integer_column_labels_are_labels():
    # Issue 11 (f): integer entries name columns when the labels are integers.
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(size=(N, 3)), columns=[1, 0, 2])
    frame[1] = rng.integers(0, 3, N).astype(float)
    resampler = EpBetaMixupResampler(categorical_features=[1], random_state=0)
    X_res, _ = resampler.fit_resample(frame, Y)
    assert resampler.categorical_features_.tolist() == [0]  # the column labelled 1
    assert set(X_res[1].iloc[N:]) <= set(frame[1][Y == 1])
    with pytest.raises(ValueError, match=r"unknown column\(s\) \[5\]"):
        EpBetaMixupResampler(categorical_features=[5]).fit_resample(frame, Y)
    # With string labels, integers are positions (as in scikit-learn).
    named = frame.set_axis(["a", "b", "c"], axis=1)
    resampler = EpBetaMixupResampler(categorical_features=[1, "c"], random_state=0)
    resampler.fit(named, Y)
    assert resampler.categorical_features_.tolist() == [1, 2]


def test_one_error_lists_every_offending_column():
    frame = pd.DataFrame(
        {
            "x": np.arange(4.0),
            "city": ["a", "b", "c", "d"],
            "smoker": [True, False, True, True],
            "visit": pd.date_range("2020", periods=4),
            "plan": pd.Categorical(["p", "q", "p", "q"]),
        }
    )
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"'city' \(str\), 'smoker' \(bool\), 'plan' \(category\)"):
        EpBetaMixupResampler(categorical_features=None).fit_resample(frame, y)
    with pytest.raises(ValueError, match=r"'smoker' \(bool\), 'plan'"):
        EpBetaMixupResampler(categorical_features=["city"]).fit_resample(frame, y)
    nan = pd.DataFrame(
        {
            "a": [1.0, np.nan, 2.0, 3.0],
            "b": pd.array([1, None, 2, 3], dtype="Int64"),
            "c": [1.0, 2.0, np.inf, 0.0],
            "ok": [1.0, 2.0, 3.0, 4.0],
        }
    )
    with pytest.raises(ValueError, match=r"NaN or missing values in column\(s\) \['a', 'b'\] "):
        EpBetaMixupResampler().fit_resample(nan, y)
    with pytest.raises(ValueError, match=r"infinity in column\(s\) \['c'\]"):
        EpBetaMixupResampler().fit_resample(nan, y)


def test_complex_column_is_a_type_error_naming_it():
    frame = pd.DataFrame({"z": np.array([1 + 2j, 3, 4, 5]), "x": np.arange(4.0)})
    with pytest.raises(TypeError, match=r"complex column\(s\) 'z'"):
        EpBetaMixupResampler().fit_resample(frame, np.array([0, 0, 1, 1]))
    copied, _ = EpBetaMixupResampler(categorical_features=["z"], random_state=0).fit_resample(
        frame, np.array([0, 0, 1, 1])
    )
    assert set(copied["z"]) <= set(frame["z"])


def test_two_valued_columns_warn_once_naming_all():
    rng = np.random.default_rng(8)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=N),
            "sex": rng.choice([1, 2], N),
            "flag": rng.choice([0.0, 1.0], N),
            "smoker": rng.random(N) < 0.5,  # bool: copied, no warning
        }
    )
    # 'sex' is an integer column of consecutive values that rounding keeps in
    # {1, 2} (weights at most 0.3 beyond [0, 1]): not flagged.
    with pytest.warns(
        BinaryFeatureWarning, match=r"1 column.*\['flag'\].*categorical_features"
    ) as w:
        EpBetaMixupResampler(random_state=0).fit_resample(frame, Y)
    assert len(w) == 1 and w[0].filename == __file__
    with pytest.warns(BinaryFeatureWarning, match=r"\['sex', 'flag'\]"):
        EpBetaMixupResampler(eps0=0.6, eps1=0.6, random_state=0).fit_resample(frame, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BinaryFeatureWarning)
        declared = EpBetaMixupResampler(categorical_features=["sex", "flag", "smoker"])
        declared.fit_resample(frame, Y)
        EpBetaMixupResampler().fit_resample(frame.astype({"sex": "category", "flag": bool}), Y)
    sparse = sp.csr_matrix(np.c_[rng.normal(size=N), rng.choice([0.0, 3.0], N)])
    with pytest.warns(BinaryFeatureWarning, match=r"\[1\]"):
        EpBetaMixupResampler(random_state=0).fit_resample(sparse, Y)


@pytest.mark.parametrize(
    "values, dtype",
    [([1e308, -1e308], np.float64), ([3.3e38, 1e30], np.float32), ([1e308, 1.5e308], np.float64)],
)
def test_values_near_the_dtype_limit_are_refused_naming_the_column(values, dtype):
    X = np.c_[np.random.default_rng(9).normal(size=N), np.resize(values, N)].astype(dtype)
    with pytest.raises(ValueError, match=r"column\(s\) \[1\] hold values so large"):
        with warnings.catch_warnings():
            # scikit-learn's finiteness check sums X first (1e308 - 1e308 warns).
            warnings.simplefilter("ignore", RuntimeWarning)
            EpBetaMixupResampler().fit_resample(X, Y)
    frame = pd.DataFrame(X, columns=["ok", "huge"])
    with pytest.raises(ValueError, match=r"\['huge'\]"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            EpBetaMixupResampler().fit_resample(frame, Y)


def test_large_values_that_fit_are_mixed_without_inf():
    rng = np.random.default_rng(10)
    # 1e300 with weights in [-0.3, 1.3] stays far below the float64 limit.
    X = rng.normal(size=(N, 2)) * 1e300
    X_res, _ = EpBetaMixupResampler(random_state=0).fit_resample(X, Y)
    assert np.isfinite(X_res).all()
    # float16 columns of a DataFrame are mixed in float64 and clipped to
    # float16's finite range (65504) before the cast.
    frame = pd.DataFrame(
        {"h": rng.uniform(20000, 60000, N).astype(np.float16), "x": rng.normal(size=N)}
    )
    X_res, _ = EpBetaMixupResampler(eps0=2.0, eps1=2.0, random_state=0).fit_resample(frame, Y)
    assert X_res["h"].dtype == np.float16 and np.isfinite(X_res["h"].to_numpy()).all()
    unclipped = _twin(frame.to_numpy(dtype=float), eps0=2.0, eps1=2.0)[:, 0]
    assert (unclipped > 65504).any()
    np.testing.assert_array_equal(
        X_res["h"].iloc[N:], np.clip(unclipped, -65504, 65504).astype(np.float16)
    )


def test_regression_target_near_the_limit_is_refused():
    X = np.random.default_rng(11).normal(size=(N, 2))
    y = np.resize([-1.7e308, 1.7e308, 0.0], N)
    with pytest.raises(ValueError, match=r"\['y'\]"):
        with warnings.catch_warnings():
            # scikit-learn's type_of_target casts y to int first (and warns).
            warnings.simplefilter("ignore", RuntimeWarning)
            EpBetaMixupResampler(target_type="regression").fit_resample(X, y)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"eps0": 1e308}, "eps0"),
        ({"eps0": 1e200, "eps1": 1e200}, "eps0"),
        ({"eps0": 0.0, "eps1": 1e-320}, "eps1"),
        ({"mean": 1e-320}, "mean"),
        ({"eps0": 1e9}, "eps0"),
    ],
)
def test_extreme_epbeta_parameters_name_the_parameter(params, name):
    resampler = EpBetaMixupResampler(**params)
    with pytest.raises(ValueError, match=name) as error:
        resampler.fit_resample(np.random.default_rng(0).normal(size=(N, 2)), Y)
    assert "alpha must be" not in str(error.value)


def test_kmixup_accepts_auto_and_observed_clip():
    frame = _mixed_table()
    X_res, _ = KMixupResampler(k=4, clip="observed", random_state=0).fit_resample(frame, Y)
    assert (X_res.dtypes == frame.dtypes).all()
    new = X_res.iloc[N:]
    assert new["small"].between(frame["small"].min(), frame["small"].max()).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("clip", ["dtype", "observed"])
@pytest.mark.parametrize("synthetic_only", [False, True])
def test_all_float_frame_gives_the_rows_of_the_same_array(dtype, clip, synthetic_only):
    # A frame of one float dtype is assembled as one block; the array path
    # (restore_like) is an independent assembly of the same draws.
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 4)).astype(dtype), columns=["a", "b", "c", "d"])
    y = np.repeat([0, 1, 2], [200, 70, 30])
    params = dict(random_state=5, clip=clip, synthetic_only=synthetic_only)
    X_frame, y_frame = EpBetaMixupResampler(**params).fit_resample(X, y)
    X_array, y_array = EpBetaMixupResampler(**params).fit_resample(X.to_numpy(), y)
    assert isinstance(X_frame, pd.DataFrame) and list(X_frame.columns) == list(X.columns)
    assert (X_frame.dtypes == dtype).all() and X_frame.index.equals(pd.RangeIndex(len(X_frame)))
    np.testing.assert_array_equal(X_frame.to_numpy(), X_array)
    np.testing.assert_array_equal(y_frame, y_array)
    if not synthetic_only:
        pd.testing.assert_frame_equal(X_frame.iloc[:300], X)


def test_binary_warning_is_short_and_once_per_estimator():
    rng = np.random.default_rng(10)
    X = np.c_[rng.normal(size=(N, 2)), rng.integers(0, 2, size=(N, 300)).astype(float)]
    resampler = EpBetaMixupResampler(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resampler.fit_resample(X, Y)
        resampler.fit_resample(X, Y)
        EpBetaMixupResampler(random_state=0).fit_resample(X, Y)  # a new estimator warns
    messages = [str(w.message) for w in caught if w.category is BinaryFeatureWarning]
    assert len(messages) == 2
    assert "300 column(s)" in messages[0] and "[2, 3, 4, 5, 6, ... (300 in all)]" in messages[0]
    assert len(messages[0]) < 800
    # Integer 0/1 columns that rounding keeps in {0, 1}: no warning at all,
    # unless the weights reach half a step past [0, 1].
    integers = np.c_[rng.normal(size=(N, 1)) * 100, rng.integers(0, 2, size=(N, 3))].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BinaryFeatureWarning)
        X_res, _ = EpBetaMixupResampler(random_state=0).fit_resample(integers, Y)
    assert set(np.unique(X_res[:, 1:])) == {0, 1}
    with pytest.warns(BinaryFeatureWarning, match=r"\[1, 2, 3\]"):
        EpBetaMixupResampler(eps0=0.5, eps1=0.5, random_state=0).fit_resample(integers, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BinaryFeatureWarning)
        wide = EpBetaMixupResampler(eps0=0.5, eps1=0.5, clip="observed", random_state=0)
        wide.fit_resample(integers, Y)
