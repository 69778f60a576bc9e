"""Issue 18, start and command line: --version, Parquet directories, `factor`, the demo figure."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skmixup
from skmixup import EpBetaMixupResampler, KMixupResampler, MultiMixResampler
from skmixup.cli import build_parser, main
from skmixup.resampling._counts import FACTOR_DEFINITION, new_rows_per_class

ROOT = Path(__file__).resolve().parents[1]


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


def test_version_option_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"skmixup {skmixup.__version__}"


def test_version_option_from_the_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "skmixup", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.split() == ["skmixup", skmixup.__version__]


@pytest.fixture
def parquet_directory(tmp_path):
    directory = tmp_path / "parts"
    directory.mkdir()
    for part in range(2):
        frame = pd.DataFrame({"a": np.arange(4.0) + part, "y": [0, 0, 1, 1]})
        frame.to_parquet(directory / f"part.{part}.parquet", index=False)
    return directory


@pytest.mark.parametrize("glob", [False, True])
def test_a_parquet_directory_in_memory_suggests_the_dask_engine(
    tmp_path, capsys, parquet_directory, glob
):
    source = str(parquet_directory / "*.parquet") if glob else str(parquet_directory)
    output = tmp_path / "out.parquet"
    assert main(["resample", source, str(output), "--target", "y", "--seed", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("skmixup resample: error: ") and err.count("\n") == 1
    assert "--engine dask" in err and "(none)" not in err
    assert not output.exists()


def test_a_directory_given_to_check_is_named_as_one(capsys, parquet_directory):
    assert main(["check", str(parquet_directory), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "is a directory; give one .csv or .parquet file" in err


def test_factor_has_one_definition_in_help_readme_and_docstrings():
    definition = _words(FACTOR_DEFINITION)
    resample = build_parser()._subparsers._group_actions[0].choices["resample"]
    (factor,) = [a for a in resample._actions if "--factor" in a.option_strings]
    places = {
        "--factor help": factor.help,
        "README.md": (ROOT / "README.md").read_text(),
        "doc/user_guide/command_line.rst": (ROOT / "doc/user_guide/command_line.rst").read_text(),
        "EpBetaMixupResampler docstring": EpBetaMixupResampler.__doc__,
        "KMixupResampler docstring": KMixupResampler.__doc__,
        "MultiMixResampler docstring": MultiMixResampler.__doc__,
        "new_rows_per_class docstring": new_rows_per_class.__doc__,
    }
    for place, text in places.items():
        assert definition in _words(text), place
    # The retired wordings that disagreed with it are gone.
    assert "augment every class 3x" not in _words(places["README.md"])


def test_factor_does_what_its_definition_says():
    # Classes of 7 and 10 rows, factor 3: 21 and 30 new rows; (1 + 3) n in all.
    X = np.arange(34.0).reshape(17, 2)
    y = np.r_[np.zeros(7, dtype=int), np.ones(10, dtype=int)]
    _, y_new = EpBetaMixupResampler(factor=3, synthetic_only=True, random_state=0).fit_resample(
        X, y
    )
    assert np.bincount(y_new).tolist() == [21, 30]
    _, y_all = EpBetaMixupResampler(factor=3, random_state=0).fit_resample(X, y)
    assert np.bincount(y_all).tolist() == [28, 40]
    # A continuous target: the whole table is one group of n rows.
    _, y_reg = EpBetaMixupResampler(
        factor=0.5, synthetic_only=True, target_type="regression", random_state=0
    ).fit_resample(X, np.linspace(0, 1, 17))
    assert y_reg.shape[0] == round(0.5 * 17)


def test_demo_figure_shows_both_clouds_on_the_same_named_axes():
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from skmixup.cli.demo import _make_figure

    rng = np.random.default_rng(0)
    original = pd.DataFrame(rng.normal(size=(200, 2)), columns=["s1", "s2"])
    shown = {"uniform": original * 0.3, "EpBeta": original * 1.5 + 2.0}
    variance = {"uniform": [1.0, 0.09], "Beta(0.4)": [1.0, 0.5], "EpBeta": [1.0, 2.25]}
    fig = _make_figure(original, shown, 1, variance)
    try:
        first, second, collapse = fig.axes[:3]
        assert first.get_xlim() == second.get_xlim() == first.get_ylim() == second.get_ylim()
        everything = np.vstack([original, shown["uniform"], shown["EpBeta"]])
        low, high = first.get_xlim()
        assert low <= everything.min() and everything.max() <= high
        for ax in (first, second):
            assert ax.get_xlabel() == "s1: total serum cholesterol"
            assert ax.get_ylabel() == "s2: LDL cholesterol"
        assert "x0.09" in first.get_title() and "x2.2" in second.get_title()
        assert "shrunk" in fig._suptitle.get_text()
    finally:
        plt.close(fig)
