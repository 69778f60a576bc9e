"""The demo command, end to end."""

import subprocess
import sys

from skmixup.cli import main


def test_demo_prints_tables_and_writes_figure(tmp_path, capsys):
    assert main(["demo", "--output-dir", str(tmp_path), "--generations", "3"]) == 0
    printed = capsys.readouterr().out
    assert "error covariance" in printed and "EpBeta" in printed
    assert (tmp_path / "skmixup_demo.png").stat().st_size > 10_000
    lines = [line.split() for line in printed.splitlines() if line.strip().startswith("3 ")]
    uniform, beta, epbeta = map(float, lines[0][1:4])
    # After 3 generations uniform mixup keeps about (2/3)^3 = 0.30 of the variance.
    assert uniform < 0.5 < epbeta


def test_module_entry_point_reports_bad_arguments():
    result = subprocess.run(
        [sys.executable, "-m", "skmixup", "demo", "--generations", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "--generations must be >= 1" in result.stderr
