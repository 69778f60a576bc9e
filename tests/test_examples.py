"""Every script in examples/ runs, draws a figure and writes no file.

The gallery runs the scripts in ``examples/`` itself: a script that saved its
figure would leave files in the source tree; sphinx-gallery collects the
figures that are open instead.
"""

import os
import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs_and_draws_a_figure(script, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    runpy.run_path(str(script), run_name="__main__")
    assert list(tmp_path.iterdir()) == []
    numbers = plt.get_fignums()
    assert numbers
    for number in numbers:
        plt.figure(number).savefig(tmp_path / f"figure_{number}.png", dpi=80)
    plt.close("all")
    assert all(os.path.getsize(f) > 10_000 for f in tmp_path.glob("*.png"))
