"""privacy_report against a brute-force computation and known cases."""

import numpy as np
import pandas as pd
import pytest

from skmixup.metrics import privacy_report


def _mixed_table(rng, n):
    return pd.DataFrame(
        {
            "x": rng.normal(10.0, 3.0, n),
            "colour": rng.choice(["red", "blue", "green"], n),
            "k": rng.integers(0, 5, n),
        }
    )


def _brute_force(real, synthetic, holdout):
    sd = real[["x", "k"]].std(ddof=1).to_numpy()

    def closest(rows):
        out = []
        for _, row in rows.iterrows():
            numeric = (real[["x", "k"]].to_numpy() - row[["x", "k"]].to_numpy(float)) / sd
            mismatch = (real["colour"].to_numpy() != row["colour"]).astype(float)
            out.append(np.sqrt((numeric**2).sum(axis=1) + mismatch).min())
        return np.array(out)

    d_syn, d_hold = closest(synthetic), closest(holdout)
    p5 = np.percentile(d_hold, 5)
    return {
        "exact_copies": np.mean(d_syn == 0),
        "dcr_ratio": np.median(d_syn) / np.median(d_hold),
        "closer_than_holdout_p5": np.mean(d_syn < p5),
    }


def test_equals_brute_force_on_a_mixed_table():
    rng = np.random.default_rng(0)
    real, holdout = _mixed_table(rng, 40), _mixed_table(rng, 30)
    synthetic = pd.concat([_mixed_table(rng, 25), real.iloc[:5]], ignore_index=True)
    report = privacy_report(real, synthetic, holdout)
    expected = _brute_force(real, synthetic, holdout)
    for key, value in expected.items():
        assert report[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    assert report["exact_copies"] == pytest.approx(5 / 30)


def test_copy_and_fresh_sample():
    rng = np.random.default_rng(1)
    real, holdout, fresh = rng.normal(size=(3, 300, 3))
    copy = privacy_report(real, real[::-1].copy(), holdout)
    assert copy["exact_copies"] == 1.0 and copy["dcr_ratio"] == 0.0
    assert copy["closer_than_holdout_p5"] == 1.0
    report = privacy_report(real, fresh, holdout)
    # Over 200 seeds of this setting (300 rows, 3 Gaussian columns) the log
    # ratio had mean 0.001 and sd 0.046, the share mean 0.053 and sd 0.018:
    # 4 sds.
    assert abs(np.log(report["dcr_ratio"])) < 4 * 0.046
    assert abs(report["closer_than_holdout_p5"] - 0.05) < 4 * 0.018
    assert report["exact_copies"] == 0.0


def test_mismatched_or_missing_columns_are_refused():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="same columns"):
        privacy_report(real, real[:, :2], real)
    holed = real.copy()
    holed[0, 1] = np.nan
    with pytest.raises(ValueError, match="column 1"):
        privacy_report(real, holed, real)
