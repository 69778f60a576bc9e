"""``skmixup resample`` end to end, in a subprocess, on CSV and Parquet files."""

import os
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup._tables import io as table_io
from skmixup._tables.io import write_table
from skmixup.cli import build_parser, main
from skmixup.cli.resample import _make_resampler
from skmixup.metrics import structure_report


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
    assert "class 1 (30 new rows)" in result.stdout and "[5/5] wrote 90 rows" in result.stderr
    out = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    original = pd.read_csv(source) if suffix == ".csv" else pd.read_parquet(source)
    assert list(out.columns) == list(original.columns)
    assert (out.dtypes == original.dtypes).all()
    assert out["label"].value_counts().to_dict() == {0: 45, 1: 45}
    pd.testing.assert_frame_equal(out.iloc[:60], original)
    assert set(out["city"].iloc[60:]) <= set(original.loc[original["label"] == 1, "city"])


def test_text_columns_are_copied_without_being_declared(table, tmp_path):
    table.to_csv(tmp_path / "in.csv", index=False)
    result = _run("in.csv", "out.parquet", "--target", "label", "--seed", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out.shape == (90, 5) and out["city"].dtype == table["city"].dtype
    # Each new row's city is one of its class's cities, never a blend.
    assert set(out["city"].iloc[60:]) <= set(table.loc[table["label"] == 1, "city"])
    assert (out.iloc[:60]["city"] == table["city"]).all()


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
        ("nan", ["--target", "label"], "missing values in column(s) ['weight']"),
        ("empty", [], "the table is empty"),
        ("table", ["--method", "epbeta", "--mean", "1.5", "--categorical", "city"], "--mean must"),
    ],
)
def test_bad_input_one_line_nonzero_exit_no_output(table, tmp_path, make_input, extra, message):
    source = tmp_path / "in.csv"
    if make_input == "table":
        table.to_csv(source, index=False)
    elif make_input == "nan":
        table.assign(weight=table["weight"].where(table.index != 7)).to_csv(source, index=False)
    elif make_input == "empty":
        source.write_text("a,b\n")
    name = "in.csv" if make_input else "missing.csv"
    assert make_input is None or source.exists()
    result = _run(name, "out.csv", *extra, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1] and lines[-1].startswith("skmixup resample: error:")
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(".out.csv.*"))


def test_unknown_output_type_is_refused_before_reading(tmp_path):
    result = _run("missing.csv", "out.xlsx", cwd=tmp_path)
    assert result.returncode == 1 and "unknown file type '.xlsx'" in result.stderr


# -- in-process runs (fast) ---------------------------------------------------


def _main(*args):
    return main(["resample", *map(str, args)])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_output_permissions_follow_the_umask(table, tmp_path, monkeypatch, suffix, umask):
    monkeypatch.chdir(tmp_path)
    table.drop(columns="city").to_csv("in.csv", index=False)
    previous = os.umask(umask)
    try:
        assert _main("in.csv", f"out{suffix}", "--target", "label", "--quiet") == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(f"out{suffix}").st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    "method, option, value",
    [
        ("epbeta", "--k", "3"),
        ("epbeta", "--alpha", "0.5"),
        ("kmixup", "--eps0", "0.2"),
        ("kmixup", "--mean", "0.4"),
        ("multimix", "--eps1", "0.1"),
    ],
)
def test_options_of_another_method_are_refused(
    table, tmp_path, monkeypatch, capsys, method, option, value
):
    monkeypatch.chdir(tmp_path)
    table.drop(columns="city").to_csv("in.csv", index=False)
    assert _main("in.csv", "out.csv", "--method", method, option, value) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("skmixup resample: error:") and "\n" not in error
    assert f"{option} does not apply to --method {method}" in error
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "given, message",
    [
        (["--workers", "2"], "--workers applies to --engine dask only"),
        (["--processes"], "--processes applies to --engine dask only"),
        (["--workers", "1", "--processes"], "--workers and --processes apply to --engine dask"),
    ],
)
def test_dask_options_are_refused_in_memory(table, tmp_path, monkeypatch, capsys, given, message):
    monkeypatch.chdir(tmp_path)
    table.drop(columns="city").to_csv("in.csv", index=False)
    assert _main("in.csv", "out.csv", *given) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("skmixup resample: error:") and message in error
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "method, given, expected",
    [
        ("epbeta", {"eps0": 0.2, "mean": 0.6}, {"eps0": 0.2, "mean": 0.6}),
        ("kmixup", {"k": 4, "alpha": 0.5}, {"k": 4, "alpha": 0.5}),
        ("multimix", {"n_interpolations": 3}, {"n_interpolations": 3}),
    ],
)
def test_given_options_reach_the_resampler_and_the_rest_keep_its_defaults(method, given, expected):
    classes = {
        "epbeta": EpBetaMixupResampler,
        "kmixup": KMixupResampler,
        "multimix": MultiMixResampler,
    }
    argv = ["resample", "in.csv", "out.csv", "--method", method]
    for name, value in given.items():
        argv += ["--" + name.replace("_", "-"), str(value)]
    args = build_parser().parse_args(argv)
    resampler = _make_resampler(args, None)
    defaults = classes[method]().get_params()
    assert type(resampler) is classes[method]
    for name, value in resampler.get_params().items():
        assert value == expected.get(name, defaults[name]), name


def test_zero_new_rows_prints_a_hint_and_succeeds(table, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    balanced = table.drop(columns="city").assign(label=np.arange(60) % 2)
    balanced.to_csv("in.csv", index=False)
    assert _main("in.csv", "out.csv", "--target", "label") == 0
    error = capsys.readouterr().err
    assert "no new rows" in error and "--factor" in error and "--n-samples" in error
    pd.testing.assert_frame_equal(pd.read_csv("out.csv"), pd.read_csv("in.csv"))


def test_each_stage_is_announced_before_it_ends(table, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    table.drop(columns="city").to_csv("in.csv", index=False)
    assert _main("in.csv", "out.csv", "--target", "label", "--seed", "0") == 0
    lines = capsys.readouterr().err.splitlines()
    starts = ["reading in.csv", "checking", "mixing 30 new rows", "comparing", "writing 90 rows"]
    ends = ["read 60 rows x 4 columns", "30 new rows to make", "made 30", "1 group", "wrote 90"]
    expected = []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        expected += [f"[{index}/5] {start}", f"[{index}/5] {end}"]
    assert len(lines) == len(expected)
    assert all(line.startswith(prefix) for line, prefix in zip(lines, expected, strict=True))
    assert all(line.endswith(" ...") for line in lines[::2])


def test_parquet_named_index_is_kept(table, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    indexed = table.set_index(pd.Index([f"p{i}" for i in range(60)], name="patient"))
    indexed.to_parquet("in.parquet")
    args = ["--target", "label", "--categorical", "city,patient", "--seed", "0", "--quiet"]
    assert _main("in.parquet", "out.parquet", *args) == 0
    assert _main("in.parquet", "out.csv", *args) == 0
    out = pd.read_parquet("out.parquet")
    assert out.index.name == "patient" and list(out.columns) == list(table.columns)
    pd.testing.assert_frame_equal(out.iloc[:60], indexed)
    # New rows of class 1 carry the index of a class-1 row (copied from the anchor).
    assert set(out.index[60:]) <= set(indexed.index[indexed["label"] == 1])
    as_csv = pd.read_csv("out.csv")
    assert list(as_csv.columns) == ["patient", *table.columns]
    # float32 is written in its shortest form, which reads back exactly as float32.
    pd.testing.assert_frame_equal(as_csv.set_index("patient").astype({"weight": "float32"}), out)


def test_constant_class_diagnostics_do_not_fail_the_run(table, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    frame = table.drop(columns="city")
    frame.loc[frame["label"] == 1, ["height", "weight", "visits"]] = [170.0, 70.0, 4]
    frame.loc[frame["label"] == 0, "visits"] = 4  # class 0: one constant column
    frame.to_csv("in.csv", index=False)
    assert _main("in.csv", "out.csv", "--target", "label", "--factor", "1", "--seed", "0") == 0
    printed = capsys.readouterr().out
    assert len(pd.read_csv("out.csv")) == 120
    class_0 = next(line for line in printed.splitlines() if "class 0" in line)
    class_1 = next(line for line in printed.splitlines() if "class 1" in line)
    assert "1 constant column(s) left out" in class_0
    assert "every numeric column is constant" in class_1 and "3 constant" in class_1
    # Class 0 is compared on its two varying columns, as structure_report does directly.
    out = pd.read_csv("out.csv").iloc[60:]
    cols = ["height", "weight"]
    report = structure_report(frame[frame.label == 0][cols], out[out.label == 0][cols])
    assert f"mean {report['mean']:.3f}, variance {report['variance']:.3f}" in class_0


def test_output_directory_and_input_as_output_are_refused(table, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    table.drop(columns="city").to_csv("in.csv", index=False)
    before = (tmp_path / "in.csv").read_bytes()
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "link.csv").symlink_to(tmp_path / "in.csv")
    (tmp_path / "sub").mkdir()
    cases = [
        ("folder.csv", "folder.csv: is a directory"),
        ("sub", "sub: is a directory"),
        ("in.csv", "is the input file"),
        ("./sub/../in.csv", "is the input file"),
        ("link.csv", "is the input file"),
    ]
    for output, message in cases:
        assert _main("in.csv", output, "--target", "label") == 1
        error = capsys.readouterr().err.strip()
        assert error.startswith("skmixup resample: error:") and message in error
        assert "\n" not in error and "Traceback" not in error
    assert (tmp_path / "in.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.csv", "in.csv", "link.csv", "sub"]


def test_diabetes_regression_target_needs_no_target_type(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    frame = load_diabetes(as_frame=True).frame
    frame.to_csv("diabetes.csv", index=False)
    assert _main("diabetes.csv", "out.csv", "--target", "target", "--seed", "0") == 0
    captured = capsys.readouterr()
    assert "target read as continuous" in captured.err
    out = pd.read_csv("out.csv")
    # A continuous target gets as many new rows as the table has, mixed with the rows.
    assert len(out) == 2 * len(frame) and out["target"].iloc[442:].nunique() > 400


def _mixed_types_frame(n):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "x 64": rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n),
            "x32": rng.standard_normal(n).astype(np.float32),
            "integral": rng.integers(-5, 5, n).astype(np.float64),
            "with nan": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 3, n)),
            "count": rng.integers(0, 1000, n),
            "flag": rng.random(n) < 0.5,
            "text": rng.choice(["plain", 'a "quoted" word', "a, comma", "line\nbreak"], n),
        }
    )


def test_csv_writer_reads_back_as_pandas_own_writer(tmp_path, monkeypatch):
    monkeypatch.setattr(table_io, "CSV_CHUNK_ROWS", 7)
    frame = _mixed_types_frame(50)
    calls = []
    write_table(frame, tmp_path / "ours.csv", progress=lambda done, total: calls.append(done))
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    ours, theirs = pd.read_csv(tmp_path / "ours.csv"), pd.read_csv(tmp_path / "pandas.csv")
    pd.testing.assert_frame_equal(ours, theirs)  # same values and dtypes (floats stay floats)
    assert ours["integral"].dtype == np.float64
    assert np.array_equal(ours["x 64"].to_numpy(), frame["x 64"].to_numpy())  # exact
    assert np.array_equal(ours["x32"].to_numpy(np.float32), frame["x32"].to_numpy())
    assert calls == [7, 14, 21, 28, 35, 42, 49, 50]  # one call per batch of 7 rows


def test_csv_writer_falls_back_for_columns_arrow_cannot_hold(tmp_path):
    frame = pd.DataFrame({"mixed": pd.Series([1, "a", 2.5], dtype=object), "x": [0.5, 1.0, 2.0]})
    calls = []
    write_table(frame, tmp_path / "out.csv", progress=lambda done, total: calls.append(done))
    assert (tmp_path / "out.csv").read_text() == frame.to_csv(index=False)
    assert calls == [3]


def test_library_warnings_are_printed_once_in_option_words(table, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ratings = table.drop(columns="city").assign(
        label=np.r_[np.repeat([1.0, 2.0, 3.0], [20, 20, 19]), 4.0]
    )
    ratings.to_csv("in.csv", index=False)
    assert _main("in.csv", "out.csv", "--target", "label") == 1  # class 4.0 has one row
    error = capsys.readouterr().err.strip().splitlines()
    warnings = [line for line in error if line.startswith("skmixup resample: warning:")]
    assert len(warnings) == 1 and "--target-type classification" in warnings[0]
    assert "target_type" not in warnings[0]
    assert "pass --single-row-classes skip" in error[-1]
    args = ["--target", "label", "--target-type", "classification", "--single-row-classes", "skip"]
    assert _main("in.csv", "out.csv", *args) == 0
    error = capsys.readouterr().err
    assert "warning:" in error and "receive no new rows" in error
    counts = pd.read_csv("out.csv")["label"].value_counts().to_dict()
    assert counts == {1.0: 20, 2.0: 20, 3.0: 20, 4.0: 1}  # 4.0 skipped
