"""Run skorch's own tests against skorch classes composed with MixupMixin.

Downloads the sdist of the installed skorch (``pip download --no-deps
--no-binary :all: skorch==<version>``) into ``build/peer/``, then runs its
net, classifier, regressor and callback tests three times: plain skorch, the
mixin without a mixer, and the mixin with an active mixer and a soft-label
criterion (see ``skmixup_peer.py``). Prints a table of every test whose
outcome differs from plain skorch's, with the reason from REASONS (or
"UNEXPLAINED"). Exit status 1 when a test passing on plain skorch fails
with the mixin and no mixer (the mixin must then change nothing).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import skorch

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "peer"
TESTS = [
    "skorch/tests/test_net.py",
    "skorch/tests/test_classifier.py",
    "skorch/tests/test_regressor.py",
    "skorch/tests/callbacks",
]
MODES = ["plain", "nomixer", "mixer"]

# Why a test that passes on plain skorch fails with an active mixer, by
# pattern of test id. Mixing changes what the module sees in training (new
# rows, soft or mixed targets), so tests that pin training itself differ.
REASONS = [
    (
        r"test_takes_log_with_nllloss",
        "expected: the test asks for torch's NLLLoss, which takes class indices only; "
        "an active mixer gives soft labels (the mixin refuses it before training)",
    ),
    (
        r"test_takes_no_log_without_nllloss",
        "expected: the test replaces the loss by torch's NLLLoss (class indices only) "
        "while the mixer gives soft labels",
    ),
    (
        r"test_repr_(uninitialized|initialized|fitted)_works",
        "harness: the repr names the class with its module, skmixup_peer.NeuralNetClassifier "
        "here, skorch.classifier.NeuralNetClassifier in the expected text (the composed "
        "class cannot take skorch's module name: pickle would then find skorch's class)",
    ),
    (
        r"test_criterion_training_set_correctly|test_criterion_is_not_a_torch_module",
        "expected: the test's criterion (an NLLLoss subclass with its own forward, or "
        "torch's functional nll_loss) takes class indices only; the mixer gives soft labels",
    ),
    (
        r"test_net_variable_prediction_lengths",
        "expected: float sequence targets (n, 3, 1) in a classifier; the harness gives the "
        "mixer n_classes from classes_, and BatchMixer refuses them with a message saying "
        "to pass n_classes=None to mix float targets as they are",
    ),
    (
        r"test_net_variable_label_lengths",
        "expected: ragged object-array labels (lengths 1 to 3) have no classes_ (the "
        "harness reads them to size the one-hot) and cannot be interpolated row by row",
    ),
    (
        r"test_change_get_loss|test_predict_nonlinearity_is_identity_with_multiple_criteria",
        "expected: the test's own get_loss reads y_true as class indices (y_true - "
        "y_pred[:, 1], or torch's NLL loss); the mixer gives soft labels (n, n_classes)",
    ),
    (
        r"test_customize_net_with_custom_dataset_that_returns_3_values",
        "expected: the test's net takes (x0, x1, y) batches in its own train_step_single; "
        "the mixin mixes (X, y) batches and gets skorch's own 'returns 3 values' error "
        "(such a net overrides mix_batch/train_step to say what to mix)",
    ),
    (
        r"test_net_overrides_caching\[(True|auto)\]",
        "expected, the documented cost of honest on-train scores: with a caching on-train "
        "scorer the mixin predicts each training batch's original rows once more (no "
        "grad); 8 training batches x 3 epochs = 24 extra infer calls, 54 = 30 + 24",
    ),
    (r"", "UNEXPLAINED"),
]


def sdist() -> Path:
    version = skorch.__version__
    source = BUILD / f"skorch-{version}"
    if source.exists():
        return source
    BUILD.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         f"skorch=={version}", "-d", str(BUILD), "-q"],
        check=True,
    )  # fmt: skip
    with tarfile.open(BUILD / f"skorch-{version}.tar.gz") as archive:
        archive.extractall(BUILD, filter="data")
    return source


def start(source: Path, mode: str, tests: list[str], workers: int) -> subprocess.Popen:
    """One pytest run of ``tests`` in ``mode``, logging to build/peer/<mode>.log."""
    env = {
        **os.environ,
        "SKMIXUP_PEER": mode,
        # what the caller's path adds (e.g. skorch's test dependency flaky) comes last
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "peer_tests"), str(ROOT), os.environ.get("PYTHONPATH", "")]
        ),
    }
    command = [
        sys.executable, "-m", "pytest", *tests, "-q", "-rA", "-p", "skmixup_peer",
        "-p", "no:randomly", "-p", "no:cacheprovider", "-o", "addopts=", "-W", "ignore",
    ]  # fmt: skip
    if workers:
        command += ["-n", str(workers)]  # pytest-xdist
    log = open(BUILD / f"{mode}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT)


def outcomes(mode: str) -> dict[str, str]:
    result = {}
    for line in (BUILD / f"{mode}.log").read_text().splitlines():
        match = re.match(r"(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", line)
        if match:
            result[match.group(2)] = match.group(1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="*", default=TESTS, help="paths in the sdist")
    parser.add_argument("--reuse", action="store_true", help="table from earlier logs")
    parser.add_argument("-n", "--workers", type=int, default=0, help="xdist per mode")
    args = parser.parse_args()
    needs_flaky = not args.reuse and any("test_net" in t for t in args.tests)
    if needs_flaky and importlib.util.find_spec("flaky") is None:
        print(
            "skorch's test_net.py imports flaky (a skorch test dependency): install it, "
            "or put a folder holding it on PYTHONPATH (pip install --target DIR flaky).",
            file=sys.stderr,
        )
        return 2
    source = sdist()
    runs = (
        [] if args.reuse else [start(source, mode, args.tests, args.workers) for mode in MODES]
    )  # the three modes at once
    for run in runs:
        run.wait()
    results = {mode: outcomes(mode) for mode in MODES}
    print(
        f"skorch {skorch.__version__}: "
        + ", ".join(
            f"{mode} {sum(v == 'PASSED' for v in r.values())} passed / "
            f"{sum(v in ('FAILED', 'ERROR') for v in r.values())} failed"
            for mode, r in results.items()
        )
    )
    print("\n| test | plain | mixin, no mixer | mixin, mixer | reason |")
    print("|---|---|---|---|---|")
    bad = 0
    for test in sorted(set().union(*results.values())):
        row = [results[m].get(test, "-") for m in MODES]
        if len(set(row)) == 1:
            continue
        reason = next(r for pattern, r in REASONS if re.search(pattern, test))
        if row[1] != row[0] and reason == "UNEXPLAINED":
            reason = "BUG: the mixin without a mixer must change nothing"
            bad += row[0] == "PASSED"
        print(f"| {test} | {' | '.join(row)} | {reason} |")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
