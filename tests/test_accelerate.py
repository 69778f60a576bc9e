"""MixupMixin with skorch's AccelerateMixin: two CPU processes (torchrun, gloo)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("accelerate")
pytest.importorskip("skorch")

SCRIPT = Path(__file__).with_name("_accelerate_train.py")


def test_two_processes_mix_their_own_shards_and_train(tmp_path):
    torchrun = shutil.which("torchrun", path=os.path.dirname(sys.executable))
    assert torchrun, "torchrun comes with torch"
    result = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node", "2", str(SCRIPT), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{i}.json").read_text()) for i in range(2)]
    assert [r["world"] for r in ranks] == [2, 2]
    for rank in ranks:
        losses = rank["loss"]
        assert losses[-1] < 0.8 * losses[0]  # it trains
    # each process mixed its own shard: two full batches of different rows
    shards = [{tuple(row) for row in r["first_shard"]} for r in ranks]
    assert len(shards[0]) == len(shards[1]) == 64 and not shards[0] & shards[1]
    # gradients were synchronised: the processes end with the same network
    np.testing.assert_array_equal(ranks[0]["weights"], ranks[1]["weights"])
