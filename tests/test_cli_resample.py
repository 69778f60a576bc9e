"""``skmixup resample`` end to end, in a subprocess, on CSV and Parquet files."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest


def _run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "skmixup", "resample", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame(
        {
            "height": rng.normal(170, 10, n),
            "weight": rng.normal(70, 8, n).astype(np.float32),
            "visits": rng.integers(0, 9, n),
            "city": rng.choice(["Lyon", "Oslo"], n),
            "label": np.r_[np.zeros(45, dtype=int), np.ones(15, dtype=int)],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_balances_and_keeps_columns(table, tmp_path, suffix):
    source, target = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    if suffix == ".csv":
        table.to_csv(source, index=False)
    else:
        table.to_parquet(source, index=False)
    result = _run(
        source, target, "--target", "label", "--categorical", "city", "--seed", "0", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "class 1 (30 new rows)" in result.stdout and "[3/3] wrote 90 rows" in result.stderr
    out = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    original = pd.read_csv(source) if suffix == ".csv" else pd.read_parquet(source)
    assert list(out.columns) == list(original.columns)
    assert (out.dtypes == original.dtypes).all()
    assert out["label"].value_counts().to_dict() == {0: 45, 1: 45}
    pd.testing.assert_frame_equal(out.iloc[:60], original)
    assert set(out["city"].iloc[60:]) <= set(original.loc[original["label"] == 1, "city"])


def test_seed_reproducibility_and_synthetic_only(table, tmp_path):
    # Without a target, the 0/1 label would be mixed (with a BinaryFeatureWarning).
    table.drop(columns=["city", "label"]).to_csv(tmp_path / "in.csv", index=False)
    outputs = []
    for name, seed in [("a.csv", 3), ("b.csv", 3), ("c.csv", 4)]:
        args = [
            "in.csv",
            name,
            "--method",
            "kmixup",
            "--k",
            "4",
            "--factor",
            "2",
            "--synthetic-only",
            "--seed",
            seed,
            "--quiet",
        ]
        result = _run(*args, cwd=tmp_path)
        assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
        outputs.append(pd.read_csv(tmp_path / name))
    assert len(outputs[0]) == 120  # factor 2 on 60 rows, without the originals
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    assert not outputs[0].equals(outputs[2])


def test_no_target_mixes_the_whole_table(table, tmp_path):
    table.drop(columns=["city", "label"]).to_csv(tmp_path / "in.csv", index=False)
    result = _run(
        "in.csv",
        "out.parquet",
        "--method",
        "multimix",
        "--n-samples",
        "25",
        "--seed",
        "0",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 85
    assert "all rows (25 new rows)" in result.stdout


@pytest.mark.parametrize(
    "make_input, extra, message",
    [
        (None, [], "missing.csv: no such file"),
        ("table", ["--target", "nope"], "--target: unknown column 'nope'"),
        ("table", ["--categorical", "town"], "--categorical: unknown column(s) ['town']"),
        ("table", ["--target", "label"], "non-numeric column(s) 'city'"),
        ("empty", [], "the table is empty"),
        ("table", ["--method", "epbeta", "--mean", "1.5", "--categorical", "city"], "'mean'"),
    ],
)
def test_bad_input_one_line_nonzero_exit_no_output(table, tmp_path, make_input, extra, message):
    source = tmp_path / "in.csv"
    if make_input == "table":
        table.to_csv(source, index=False)
    elif make_input == "empty":
        source.write_text("a,b\n")
    name = "in.csv" if make_input else "missing.csv"
    result = _run(name, "out.csv", *extra, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1] and lines[-1].startswith("skmixup resample: error:")
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(".out.csv.*"))


def test_unknown_output_type_is_refused_before_reading(tmp_path):
    result = _run("missing.csv", "out.xlsx", cwd=tmp_path)
    assert result.returncode == 1 and "unknown file type '.xlsx'" in result.stderr
