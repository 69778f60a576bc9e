"""``skmixup check``: the conflict check on a table, in process and in a subprocess."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from skmixup import KMixupResampler, MultiMixResampler
from skmixup.cli import main
from skmixup.metrics import mixup_conflicts


def _spiral(n=300, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.uniform(np.pi, 4 * np.pi, n)
    arm = np.arange(n) % 2
    X = np.column_stack([t * np.cos(t), t * np.sin(t)]) * np.where(arm == 0, 1, -1)[:, None]
    X += 0.2 * rng.standard_normal(X.shape)
    return pd.DataFrame({"u": X[:, 0], "v": X[:, 1], "arm": arm})


def _blobs(n=150):
    # Three far-apart tight clusters: no mixed point comes near a third class.
    rng = np.random.default_rng(1)
    y = np.arange(n) % 3
    centres = 50.0 * np.array([[0, 0], [1, 0], [0.5, 0.87]])
    X = centres[y] + rng.uniform(-1, 1, (n, 2))
    return pd.DataFrame({"u": X[:, 0], "v": X[:, 1], "label": np.array(["a", "b", "c"])[y]})


def _printed_fraction(text, prefix=""):
    match = re.search(rf"^{prefix}conflicts \(closer than [\d.]+ x scale\)\s+([\d.]+)%", text, re.M)
    return float(match.group(1)) / 100


def test_options_reach_the_diagnostic(tmp_path, capsys):
    frame = _spiral()
    frame.to_csv(tmp_path / "spiral.csv", index=False)
    argv = ["check", str(tmp_path / "spiral.csv"), "--target", "arm", "--seed", "3"]
    argv += ["--method", "multimix", "--k", "4", "--alpha", "2", "--n-interpolations", "2"]
    argv += ["--threshold", "0.3", "--batch-size", "64", "--within-class"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    expected = mixup_conflicts(
        frame[["u", "v"]].to_numpy(),
        frame["arm"].to_numpy(),
        MultiMixResampler(k=4, alpha=2.0, n_interpolations=2),
        within_class=True,
        threshold=0.3,
        batch_size=64,
        random_state=3,
    )
    assert expected.conflict_fraction > 0
    assert _printed_fraction(out) == pytest.approx(expected.conflict_fraction, abs=5e-5)
    assert f"mixed points (one epoch)                  {expected.n_mixed:,}" in out
    assert "300 rows x 2 features, 2 classes" in out and "pairs within classes" in out
    assert "verdict: high." in out and "try (fewer conflicts):" in out
    assert "    --within-class" not in out  # already within classes
    assert "    --k 16" in out and "    --alpha 0.5" in out  # measured on the same seed


def test_conflicts_suggest_alternatives_and_no_conflict_says_so(tmp_path, capsys):
    _spiral().to_csv(tmp_path / "spiral.csv", index=False)
    assert main(["check", str(tmp_path / "spiral.csv"), "--target", "arm", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "verdict: high." in out and "advice (" in out
    _blobs().to_parquet(tmp_path / "blobs.parquet", index=False)
    assert main(["check", str(tmp_path / "blobs.parquet"), "--target", "label"]) == 0
    out = capsys.readouterr().out
    assert "verdict: none." in out and "advice" not in out
    assert _printed_fraction(out) == 0.0


def test_test_table_is_measured_too(tmp_path, capsys):
    train, test = _spiral(200, seed=0), _spiral(100, seed=1)
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    argv = ["check", str(tmp_path / "train.csv"), "--target", "arm", "--seed", "0"]
    assert (
        main([*argv, "--method", "kmixup", "--k", "8", "--test", str(tmp_path / "test.csv")]) == 0
    )
    out = capsys.readouterr().out
    expected = mixup_conflicts(
        train[["u", "v"]].to_numpy(),
        train["arm"].to_numpy(),
        KMixupResampler(k=8),
        X_test=test[["u", "v"]].to_numpy(),
        y_test=test["arm"].to_numpy(),
        random_state=0,
    )
    assert _printed_fraction(out, "test: ") == pytest.approx(
        expected.test.conflict_fraction, abs=5e-5
    )


@pytest.mark.parametrize(
    "change, args, message",
    [
        (lambda f: f.assign(u=f["u"].astype(str) + "x"), [], "column(s) ['u'] are not numeric"),
        (lambda f: f.assign(v=np.where(f.index == 3, np.nan, f["v"])), [], "missing values"),
        (lambda f: f.assign(arm=0), [], "single class"),
        (lambda f: f, ["--target", "nope"], "unknown column 'nope'"),
        (lambda f: f, ["--alpha", "-1"], "alpha"),
        (lambda f: f, ["--threshold", "0"], "threshold must be a number > 0"),
        (lambda f: f, ["--method", "mixup", "--k", "4"], "--k applies to kmixup"),
        (lambda f: f, ["--test", "missing.csv"], "no such file"),
    ],
)
def test_errors_are_one_line_with_status_2(tmp_path, capsys, change, args, message):
    change(_spiral(60)).to_csv(tmp_path / "data.csv", index=False)
    argv = ["check", str(tmp_path / "data.csv"), "--target", "arm", *args]
    if "--target" in args:
        argv = ["check", str(tmp_path / "data.csv"), *args]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("skmixup check: error: ")
    assert message in captured.err and captured.err.count("\n") == 1


def test_subprocess_entry_point(tmp_path):
    _spiral(100).to_csv(tmp_path / "spiral.csv", index=False)
    result = subprocess.run(
        [sys.executable, "-m", "skmixup", "check", "spiral.csv", "--target", "arm"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "min distance to a third class" in result.stdout and "verdict:" in result.stdout


# -- issue 18: scales, standardize, graded verdict, measured advice, refusals --


def _advice(out):
    """``{options: fraction}`` of the suggested and of the other measured settings."""
    suggested, others, block = {}, {}, None
    for line in out.splitlines():
        if line.startswith("  try (fewer conflicts):"):
            block = suggested
        elif line.startswith("  not suggested"):
            block = others
        elif block is not None and line.startswith("    "):
            options, fraction = line.strip().rsplit(None, 1)
            block[options.strip()] = float(fraction.rstrip("%")) / 100
        else:
            block = None
    return suggested, others


def _measure(frame, target, options, seed):
    """The conflict fraction of a setting written as options, measured in Python."""
    words = options.split()
    method = words[words.index("--method") + 1] if "--method" in words else "mixup"
    k = int(words[words.index("--k") + 1]) if "--k" in words else 1
    alpha = float(words[words.index("--alpha") + 1]) if "--alpha" in words else 1.0
    X, y = frame.drop(columns=[target]), frame[target].to_numpy()
    mixer = KMixupResampler(k=k if method == "kmixup" else 1, alpha=alpha)
    return mixup_conflicts(
        X,
        y,
        mixer,
        within_class="--within-class" in words,
        standardize="--standardize" in words,
        random_state=seed,
        advise=False,
    ).conflict_fraction


@pytest.mark.filterwarnings("ignore:feature scales differ:UserWarning")
def test_raw_wine_says_the_scales_differ_and_suggests_standardize(tmp_path, capsys):
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    frame.to_csv(tmp_path / "wine.csv", index=False)
    assert main(["check", str(tmp_path / "wine.csv"), "--target", "target", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "measured on: the features as given" in out
    assert re.search(r"warning: feature scales differ by [\d.e+]+x .* dominated by proline", out)
    current = _printed_fraction(out)
    suggested, _ = _advice(out)
    assert "--standardize" in suggested
    for options, fraction in suggested.items():
        assert fraction < current
        assert fraction == pytest.approx(_measure(frame, "target", options, 1), abs=5e-5)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.filterwarnings("ignore:feature scales differ:UserWarning")
def test_breast_cancer_suggests_nothing_that_raises_the_conflicts(tmp_path, capsys, seed):
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame.to_csv(tmp_path / "cancer.csv", index=False)
    argv = ["check", str(tmp_path / "cancer.csv"), "--target", "target", "--seed", str(seed)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    current = _printed_fraction(out)
    suggested, others = _advice(out)
    # Two classes: cross-class pairs have no third class, so pairing within
    # classes only adds conflicts (issue 18: 8.6% -> 16.0% was suggested).
    assert "--within-class" in others and "--within-class" not in suggested
    assert others["--within-class"] > current
    for options, fraction in {**suggested, **others}.items():
        assert fraction == pytest.approx(_measure(frame, "target", options, seed), abs=5e-5)
        assert (fraction < current) == (options in suggested)


def test_standardize_option_equals_python_on_standardized_features(tmp_path, capsys):
    from sklearn.preprocessing import StandardScaler

    frame = _spiral(120).assign(u=lambda f: f["u"] * 100)
    frame.to_csv(tmp_path / "spiral.csv", index=False)
    argv = ["check", str(tmp_path / "spiral.csv"), "--target", "arm", "--seed", "4"]
    assert main([*argv, "--standardize"]) == 0
    out = capsys.readouterr().out
    expected = mixup_conflicts(
        StandardScaler().fit_transform(frame[["u", "v"]]),
        frame["arm"].to_numpy(),
        KMixupResampler(k=1),
        random_state=4,
    )
    assert _printed_fraction(out) == pytest.approx(expected.conflict_fraction, abs=5e-5)
    assert "measured on: standardized features" in out and "warning:" not in out


def test_rows_shared_by_classes_are_reported_not_called_safe(tmp_path, capsys):
    frame = pd.DataFrame({"u": [0.0, 1.0, 2.0] * 8, "v": [1.0, 0.0, 5.0] * 8})
    frame["label"] = np.repeat(["a", "b", "c"], 8)  # every row in all three classes
    frame.to_csv(tmp_path / "copies.csv", index=False)
    assert main(["check", str(tmp_path / "copies.csv"), "--target", "label", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "rows shared by several classes: 24 of 24" in out
    assert "verdict: high." in out and "verdict: none" not in out


def test_settings_the_classifier_refuses_are_refused(tmp_path, capsys):
    _spiral(60).to_csv(tmp_path / "data.csv", index=False)
    argv = ["check", str(tmp_path / "data.csv"), "--target", "arm", "--method", "epbeta"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "outside [0, 1]" in err and "Use --within-class" in err
    assert main([*argv, "--within-class", "--seed", "0"]) == 0
