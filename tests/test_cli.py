"""The demo command end to end; the command-line helpers (messages, stage lines)."""

import io
import subprocess
import sys
import time

import pytest

from skmixup.cli import main
from skmixup.cli.progress import Stages
from skmixup.cli.resample import cli_words


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


# -- messages in the command's words ------------------------------------------


@pytest.mark.parametrize(
    "message, expected",
    [
        (
            "use target_type='regression' for a continuous target",
            "use --target-type regression for a continuous target",
        ),
        ('target_type="classification" but y', "--target-type classification but y"),
        ("give factor=2.", "give --factor 2."),
        ("with n_samples=10, or", "with --n-samples 10, or"),
        ("alpha=inf is not finite", "--alpha inf is not finite"),
        ("set synthetic_only=True", "set --synthetic-only"),
        ("with synthetic_only=False", "with no --synthetic-only"),
        (
            "The 'mean' parameter of EpBetaMixupResampler must be a float in (0, 1). Got 1.5.",
            "--mean must be a float in (0, 1). Got 1.5.",
        ),
        ("the 'k' parameter is too large", "the --k is too large"),
        ("list it in categorical_features.", "list it in --categorical."),
        ("random_state and n_interpolations", "--seed and --n-interpolations"),
        # Not options of the command, or not parameter names: unchanged.
        (
            "leave it out of sampling_strategy (a dict)",
            "leave it out of sampling_strategy (a dict)",
        ),
        ("the mean error is 0.1 and k is small", "the mean error is 0.1 and k is small"),
        ("max_k=3 and eps0_x=1", "max_k=3 and eps0_x=1"),
    ],
)
def test_cli_words_translates_parameters_of_the_command(message, expected):
    assert cli_words(message) == expected


# -- stage lines and the progress bar ---------------------------------------


def test_stages_announce_start_then_summary_and_draw_a_bar():
    stream = io.StringIO()
    stages = Stages(2, stream, live=True)
    with stages.stage("writing", counts_work=True) as stage:
        assert stream.getvalue() == "[1/2] writing ...\n"  # announced before any work
        for done in (1, 3, 4):
            stage.update(done, 4)
        stage.summary = "wrote 4 rows"
    text = stream.getvalue()
    bars = [part for part in text.split("\r") if part.startswith("[1/2] [")]
    assert [bar.split("] ")[2].split()[0] for bar in bars] == ["25%", "75%", "100%"]
    assert "[" + "#" * 6 + "." * 18 + "]" in bars[0]  # a quarter of 24 cells
    # The bar is erased, then the closing line is printed.
    assert text.endswith("\r\033[K" + text.rsplit("\033[K", 1)[1])
    assert text.rsplit("\033[K", 1)[1].startswith("[1/2] wrote 4 rows (")


def test_stages_spinner_for_work_that_cannot_be_counted():
    stream = io.StringIO()
    stages = Stages(1, stream, live=True, interval=0.005)
    with stages.stage("mixing") as stage:
        time.sleep(0.1)
        stage.summary = "made 3 rows"
    text = stream.getvalue()
    assert text.count("working") >= 2 and text.endswith(" s)\n")


def test_stages_not_live_on_a_file_and_silent_when_disabled():
    stream = io.StringIO()  # not a terminal: start and end lines only
    stages = Stages(1, stream)
    with stages.stage("reading", counts_work=True) as stage:
        stage.update(1, 2)
        stage.summary = "read"
    assert "\r" not in stream.getvalue() and stream.getvalue().count("\n") == 2
    quiet = io.StringIO()
    with Stages(1, quiet, enabled=False, live=True).stage("reading") as stage:
        stage.update(1, 2)
    assert quiet.getvalue() == ""


def test_a_failing_stage_prints_no_summary():
    stream = io.StringIO()
    with pytest.raises(RuntimeError), Stages(1, stream).stage("reading") as stage:
        stage.summary = "read"
        raise RuntimeError("boom")
    assert stream.getvalue() == "[1/1] reading ...\n"
