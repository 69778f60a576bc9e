"""EpBetaSynthesizer: valid values, conditional partners, missing values."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes

from skmixup import EpBetaSynthesizer
from skmixup._engine import MixPlan
from skmixup.metrics import structure_report
from skmixup.synthesis import _partner_pools, _restricted_sample
from skmixup.weights import EpBeta


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(scaled=False, as_frame=True).frame


@pytest.mark.parametrize("value_range", ["clip", "redraw"])
def test_diabetes_values_stay_valid(diabetes, value_range):
    synthetic = EpBetaSynthesizer(value_range=value_range, random_state=0).fit(diabetes)
    new = synthetic.sample(3 * len(diabetes))
    assert list(new.columns) == list(diabetes.columns)
    assert list(new.dtypes) == list(diabetes.dtypes)
    assert (new.min() >= diabetes.min()).all() and (new.max() <= diabetes.max()).all()
    assert new["sex"].nunique() == 2
    for column in diabetes.columns:
        # Each column keeps its observed number of decimals (0 for ages,
        # the target, sex; 1 for bmi; 4 for s5).
        decimals = synthetic.decimals_[diabetes.columns.get_loc(column)]
        scaled = new[column].to_numpy() * 10**decimals
        np.testing.assert_allclose(scaled, np.round(scaled), atol=1e-6)
    assert synthetic.decimals_[0] == 0 and synthetic.decimals_[10] == 0


def test_diabetes_covariance_error_near_a_bootstrap(diabetes):
    # Fair comparison: tables of the real table's size, 8 seeds each.
    n = len(diabetes)
    synthetic = [
        structure_report(diabetes, EpBetaSynthesizer(random_state=s).fit(diabetes).sample(n))
        for s in range(8)
    ]
    bootstrap = [
        structure_report(diabetes, diabetes.sample(n, replace=True, random_state=s))
        for s in range(8)
    ]
    ours = np.mean([r["covariance"] for r in synthetic])
    theirs = np.mean([r["covariance"] for r in bootstrap])
    assert ours <= 1.5 * theirs, (ours, theirs)


def test_clipping_shrinks_variance_less_than_redrawing(diabetes):
    # Measured (see the value_range docs): redraw removes the extreme weights
    # of far-apart pairs, which carry most of the variance.
    ratios = {
        mode: structure_report(
            diabetes,
            EpBetaSynthesizer(value_range=mode, random_state=1).fit(diabetes).sample(4000),
        )["variance_ratio"]
        for mode in ("dtype", "clip", "redraw")
    }
    assert ratios["dtype"] > 0.95
    assert ratios["clip"] > ratios["redraw"]


def test_restricted_law_matches_rejection_sampling():
    law = EpBeta.variance_preserving(0.3, 0.3)
    rng = np.random.default_rng(0)
    low, high = -0.1, 1.05
    fallback = _restricted_sample(law, np.full(4000, low), np.full(4000, high), rng)
    draws = law.sample(40000, rng)
    kept = draws[(draws >= low) & (draws <= high)]
    assert fallback.min() >= low and fallback.max() <= high
    assert stats.ks_2samp(fallback, kept).pvalue > 0.01


def test_redraw_fallback_alone_keeps_ranges():
    rng = np.random.default_rng(3)
    X = rng.exponential(size=(300, 4))
    synthesizer = EpBetaSynthesizer(value_range="redraw", max_redraws=0, random_state=0)
    new = synthesizer.fit(X).sample(1000)
    assert (new >= X.min(axis=0)).all() and (new <= X.max(axis=0)).all()
    # Not clipped onto the bounds: no atoms at the extremes.
    assert (new == X.max(axis=0)).sum() < 10


def _grouped_table(rng, n=600):
    group = rng.choice(["a", "b"], size=n, p=[0.6, 0.4])
    value = np.where(group == "a", rng.normal(0.0, 1.0, n), rng.normal(6.0, 2.0, n))
    return pd.DataFrame({"group": group, "value": value})


def test_levels_keep_their_means_and_sds_only_within_categories():
    real = _grouped_table(np.random.default_rng(0))
    n_new = 6000
    kept = EpBetaSynthesizer(random_state=0).fit(real).sample(n_new)
    mixed = EpBetaSynthesizer(within_categories=None, random_state=0).fit(real).sample(n_new)
    for level, mean, sd in (("a", 0.0, 1.0), ("b", 6.0, 2.0)):
        real_level = real.loc[real.group == level, "value"]
        n_real = real_level.shape[0]
        # Standard errors of the real sample's mean and sd (the new rows
        # add less, being many more).
        se_mean = sd / np.sqrt(n_real)
        se_sd = sd / np.sqrt(2 * n_real)
        ours = kept.loc[kept.group == level, "value"]
        assert abs(ours.mean() - mean) < 4 * se_mean + 2 * sd / np.sqrt(ours.shape[0])
        assert abs(ours.std() - sd) < 4 * se_sd + 2 * sd / np.sqrt(2 * ours.shape[0])
        theirs = mixed.loc[mixed.group == level, "value"]
        assert abs(theirs.mean() - mean) > 10 * se_mean


def test_single_row_level_pairs_in_the_coarser_group():
    codes = [np.array([0, 0, 0, 1, 1, 1]), np.array([0, 0, 1, 0, 0, 0])]
    pools = _partner_pools(codes, 6)
    # Row 2 is alone in (0, 1): it pairs within level 0 of the first column.
    depth_of = {}
    for depth, (lookup, _, _, sizes, _) in zip((2, 1, 0), pools):
        for row in np.flatnonzero(lookup >= 0):
            depth_of[row] = (depth, sizes[lookup[row]])
    assert depth_of[2] == (1, 3)
    assert depth_of[0] == (2, 2) and depth_of[3] == (2, 3)
    X = pd.DataFrame({"a": list("xxxyyy"), "b": list("ppqppp"), "v": np.arange(6.0)})
    synthesizer = EpBetaSynthesizer(value_range="dtype", precision=None, random_state=0)
    new = synthesizer.fit(X).sample(600)
    rows_q = new[new.b == "q"]
    # Partners of row 2 are rows 0 and 1 (level x), so with weights in
    # [-0.3, 1.3] its values stay in [2 - 1.3 * 2, 2 + 0.3 * 2]; a partner of
    # level y (3 to 5) would reach up to 5.9 half of the time.
    assert len(rows_q) == 100
    assert rows_q.v.between(-0.6 - 1e-9, 2.6 + 1e-9).all() and rows_q.v.max() > 2.0


def test_arrays_keep_dtype_and_seed():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 50, size=(40, 3))
    first = EpBetaSynthesizer(random_state=7).fit(X).sample(100)
    second = EpBetaSynthesizer(random_state=7).fit(X).sample(100)
    assert first.dtype == X.dtype and first.shape == (100, 3)
    np.testing.assert_array_equal(first, second)
    assert (first >= X.min(axis=0)).all() and (first <= X.max(axis=0)).all()


def test_missing_values_follow_the_anchor():
    rng = np.random.default_rng(2)
    n = 400
    real = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
        }
    )
    real.loc[rng.random(n) < 0.2, "x"] = np.nan
    real.loc[rng.random(n) < 0.4, "z"] = np.nan
    synthesizer = EpBetaSynthesizer(within_categories=None, random_state=0).fit(real)
    new = synthesizer.sample(5 * n)
    # id is copied from the anchor: each new row's pattern is its anchor's.
    anchor = real.set_index("id").loc[new["id"]]
    np.testing.assert_array_equal(new[["x", "z"]].isna(), anchor[["x", "z"]].isna())
    # Each real row anchors 5 times: the rates are exactly the real ones.
    np.testing.assert_allclose(new[["x", "z"]].isna().mean(), real[["x", "z"]].isna().mean())
    # A partial pass (n_rows not a multiple): rates within sampling error.
    part = synthesizer.sample(n // 2)
    for column in ("x", "z"):
        p = real[column].isna().mean()
        assert abs(part[column].isna().mean() - p) < 4 * np.sqrt(p * (1 - p) / (n // 2))


def test_partner_missing_copies_the_anchor_value():
    X = np.array([[1.0, 5.0], [2.0, np.nan], [3.0, 7.0]])
    synthesizer = EpBetaSynthesizer(random_state=0).fit(X)
    plan = MixPlan(np.array([0, 2]), np.array([1, 1]), np.array([0.3, -0.2]))
    new = synthesizer._mix(plan)
    np.testing.assert_allclose(new[:, 1], [5.0, 7.0])
    np.testing.assert_allclose(new[:, 0], [0.3 * 1 + 0.7 * 2, -0.2 * 3 + 1.2 * 2])


def test_bad_parameters_are_named():
    X = pd.DataFrame({"g": list("aabb"), "v": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match="'v'"):
        EpBetaSynthesizer(within_categories=["v"]).fit(X)
    with pytest.raises(ValueError, match="n_rows"):
        EpBetaSynthesizer().fit(X).sample(0)
    with pytest.raises(ValueError, match="only missing"):
        EpBetaSynthesizer().fit(np.array([[1.0, np.nan], [2.0, np.nan]]))


@pytest.mark.parametrize("as_frame", [False, True])
def test_resampler_keeps_missing_values_where_the_anchor_has_them(as_frame):
    from skmixup import EpBetaMixupResampler

    rng = np.random.default_rng(5)
    n = 300
    X = np.c_[np.arange(n, dtype=float), rng.normal(size=(n, 2))]
    X[rng.random(n) < 0.3, 1] = np.nan
    X[rng.random(n) < 0.1, 2] = np.nan
    y = rng.normal(size=n)
    data = pd.DataFrame(X, columns=["id", "a", "b"]) if as_frame else X
    with pytest.raises(ValueError, match="NaN"):
        EpBetaMixupResampler(random_state=0).fit_resample(data, y)
    resampler = EpBetaMixupResampler(
        missing_values="keep", categorical_features=[0], synthetic_only=True, random_state=0
    )
    X_new, _ = resampler.fit_resample(data, y)
    X_new = np.asarray(X_new, dtype=float)
    anchors = X_new[:, 0].astype(int)  # the id column is copied from the anchor
    np.testing.assert_array_equal(np.isnan(X_new[:, 1:]), np.isnan(X[anchors, 1:]))
    for column in (1, 2):
        p = np.isnan(X[:, column]).mean()
        assert abs(np.isnan(X_new[:, column]).mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert not np.isnan(X_new[~np.isnan(X[anchors, 1]), 1]).any()
