"""The README's Python examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["X_res"].shape == (160, 3)
    assert namespace["X_syn"].shape == (300, 3)
    assert abs(namespace["law"].covariance_factor - 1) < 1e-12
    assert namespace["X_m"].shape == (160, 3) and namespace["X_k"].shape == (160, 3)
    assert namespace["accuracy"] > 0.8
    assert namespace["balanced"]["outcome"].value_counts().to_dict() == {0: 80, 1: 80}
    assert 0 < namespace["result"].min_distance < float("inf")
