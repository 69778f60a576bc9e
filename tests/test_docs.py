"""Every code block of the user guide runs (``doc/user_guide/*.rst``).

Literal blocks (``::``) and ``.. code-block::`` directives are collected.
Python blocks run in one namespace per page, seeded with small data (``X``,
``y``, ``MyModule``) and files in a temporary directory; ``skmixup ...``
command lines run through the CLI's ``main``. A block that cannot run here is
listed in NOT_RUN with its reason, and the test fails if such a block changes
or disappears, so nothing is skipped silently. SUBSTITUTIONS shrink what a
block would do on a real machine (a 4-process cluster) and must each apply.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GUIDE = Path(__file__).resolve().parents[1] / "doc" / "user_guide"
PAGES = sorted(GUIDE.glob("*.rst"))

NOT_RUN = {
    ("install.rst", 0): (
        "make demo/test/docs create a virtualenv and run the whole suite: CI runs them",
        "make demo",
    ),
}

SUBSTITUTIONS = {
    "dask.rst": [
        # one in-process worker instead of four processes (2-core CI)
        (
            "LocalCluster(n_workers=4, threads_per_worker=1, processes=True)",
            "LocalCluster(n_workers=1, threads_per_worker=2, processes=False)",
        ),
        # fewer epochs: the search runs 20 fits and a refit
        (
            "MixupNeuralNetClassifier(random_state=0, max_epochs=20)",
            "MixupNeuralNetClassifier(random_state=0, max_epochs=2)",
        ),
    ],
}


def _blocks(text: str) -> list[str]:
    """Bodies of the literal blocks and code-block directives, dedented."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i].rstrip()
        opens = line.endswith("::") and not re.match(r"\s*\.\. (?!code-block)", line)
        if opens:
            indent = len(line) - len(line.lstrip())
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            body = []
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
            ):
                body.append(lines[j])
                j += 1
            code = textwrap.dedent("\n".join(body)).strip("\n")
            if code and not code.lstrip().startswith(":"):  # not a directive's options
                blocks.append(code)
            i = j
        else:
            i += 1
    return blocks


def _write_fixture_files(root: Path) -> None:
    rng = np.random.default_rng(0)
    n = 60
    patients = pd.DataFrame(
        {
            "age": rng.normal(50, 10, n),
            "weight": rng.normal(70, 8, n),
            "city": rng.choice(["a", "b"], n),
            "sex": rng.choice(["f", "m"], n),
            "outcome": np.r_[np.zeros(45, dtype=int), np.ones(15, dtype=int)],
        }
    )
    patients.to_csv(root / "patients.csv", index=False)
    (root / "patients").mkdir()
    patients.drop(columns=["city", "sex"]).to_parquet(root / "patients" / "part.0.parquet")
    train = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    train["label"] = (train["a"] > 0).astype(int)
    train.to_csv(root / "train.csv", index=False)
    (root / "events").mkdir()
    for part in range(2):
        train.iloc[part * 30 : (part + 1) * 30].to_parquet(root / "events" / f"{part}.parquet")


def _namespace() -> dict:
    import torch

    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(-1, 1, (40, 4)), rng.normal(1, 1, (40, 4))])
    y = np.repeat([0, 1], 40)

    class MyModule(torch.nn.Module):
        def __init__(self, n_outputs: int = 10):
            super().__init__()
            self.linear = torch.nn.Linear(4, n_outputs)

        def forward(self, X):
            return self.linear(X)

    return {"X": X, "y": y, "MyModule": MyModule, "__name__": "__docs__"}


def _run_cli(command: str) -> None:
    from skmixup.cli import main

    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[0] == "skmixup"
    assert main(argv[1:]) == 0, command


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_user_guide_blocks_run(page, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    _write_fixture_files(tmp_path)
    namespace = _namespace()
    substitutions = list(SUBSTITUTIONS.get(page.name, []))
    for index, code in enumerate(_blocks(page.read_text())):
        if (page.name, index) in NOT_RUN:
            _, first_line = NOT_RUN[page.name, index]
            assert code.startswith(first_line), f"{page.name} block {index} changed"
            continue
        for old, new in list(substitutions):
            if old in code:
                code = code.replace(old, new)
                substitutions.remove((old, new))
        if code.startswith("skmixup "):
            for command in re.split(r"\n(?=skmixup )", code):
                _run_cli(command)
            continue
        exec(compile(code, f"{page.name} block {index}", "exec"), namespace)
    if page.name == "dask.rst":  # the search over the default mixer ran
        assert namespace["search"].best_params_["mixer__alpha"] in (0.2, 1.0)
    assert not substitutions, f"substitutions that no longer apply: {substitutions}"
    if "client" in namespace:
        namespace["client"].close()
        namespace["cluster"].close()


def test_every_not_run_block_exists():
    for (name, index), (_, first_line) in NOT_RUN.items():
        assert _blocks((GUIDE / name).read_text())[index].startswith(first_line)
