"""Every script in examples/ runs and writes a figure."""

import os
import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.name)
def test_example_runs_and_writes_a_figure(script, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    runpy.run_path(str(script), run_name="__main__")
    figures = list(tmp_path.glob("*.png"))
    assert figures and all(os.path.getsize(f) > 10_000 for f in figures)
