"""``skmixup synthesize`` and ``skmixup resample --clip``, through ``main``."""

import numpy as np
import pandas as pd
import pytest

from skmixup.cli import main


@pytest.fixture
def table_path(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    group = rng.choice(["a", "b"], n)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),
            "group": group,
            "income": np.where(group == "a", 30.0, 60.0) + rng.gamma(2.0, 5.0, n).round(1),
            "visits": rng.integers(0, 9, n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "income"] = np.nan
    path = tmp_path / "real.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_synthesize_writes_valid_rows_and_reports(table_path, tmp_path, capsys):
    path, frame = table_path
    out = tmp_path / "synthetic.csv"
    assert main(["synthesize", str(path), str(out), "--rows", "300", "--seed", "0"]) == 0
    printed = capsys.readouterr().out
    written = pd.read_csv(out)
    assert list(written.columns) == list(frame.columns) and written.shape[0] == 300
    for column in ("age", "income", "visits"):
        values = written[column].dropna()
        assert values.min() >= frame[column].min() and values.max() <= frame[column].max()
    assert (written["age"] % 1 == 0).all()
    assert set(written["group"]) == {"a", "b"}
    assert written["income"].isna().any()
    assert "structure" in printed and "privacy (" in printed and "dcr ratio" in printed
    again = tmp_path / "again.csv"
    main(["synthesize", str(path), str(again), "--rows", "300", "--seed", "0", "--quiet"])
    pd.testing.assert_frame_equal(pd.read_csv(again), written)


def test_synthesize_refuses_bad_options(table_path, tmp_path, capsys):
    path, _ = table_path
    out = str(tmp_path / "o.csv")
    assert main(["synthesize", str(path), out, "--rows", "0"]) == 1
    assert "--rows" in capsys.readouterr().err
    assert main(["synthesize", str(path), out, "--rows", "5", "--within", "nope"]) == 1
    assert "unknown column" in capsys.readouterr().err


def test_resample_clip_observed_keeps_ranges(table_path, tmp_path):
    path, frame = table_path
    frame = frame.dropna()
    clean = tmp_path / "clean.csv"
    frame.to_csv(clean, index=False)
    outputs = {}
    for clip in ("dtype", "observed"):
        out = tmp_path / f"{clip}.csv"
        args = ["resample", str(clean), str(out), "--synthetic-only", "--n-samples", "400"]
        assert (
            main([*args, "--eps0", "1", "--eps1", "1", "--clip", clip, "--seed", "0", "--quiet"])
            == 0
        )
        outputs[clip] = pd.read_csv(out)
    inside = outputs["observed"]["income"].between(frame.income.min(), frame.income.max())
    assert inside.all()
    # Without it, weights on [-1, 2] take some values out of the range.
    assert not outputs["dtype"]["income"].between(frame.income.min(), frame.income.max()).all()
