"""The benchmark scripts still run (smallest sizes; their numbers are not checked here)."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    "script, args",
    [
        ("bench_resampling.py", ["--sizes", "20000", "--repeats", "1"]),
        ("bench_kmixup.py", ["--quick", "--repeats", "1"]),
        ("bench_neural_net.py", ["--quick", "--repeats", "1", "--epochs", "1"]),
        ("bench_cli_io.py", ["--sizes", "2000", "--repeats", "1"]),
        ("bench_dask.py", ["--quick"]),
        ("bench_batch_mixing.py", ["--quick"]),
        ("bench_conflicts.py", ["--sizes", "2000", "--repeats", "1", "--threads", "1"]),
        ("bench_synthetic.py", ["--quick"]),
        ("bench_balancing.py", ["--quick"]),
    ],
)
def test_benchmark_runs(script, args):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "goal" in result.stdout
