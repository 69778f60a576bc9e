"""Test-session settings."""

import os

from hypothesis import settings

# Property-based tests: a bounded number of examples by default so the suite
# stays fast on two cores; HYPOTHESIS_PROFILE=thorough for a deeper search.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True, database=None)
settings.register_profile("thorough", max_examples=3000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    # pytest runs with -n 2 on two cores: one torch thread per worker avoids
    # oversubscription, which slows small torch operations many times over.
    try:
        import torch
    except ImportError:  # the neural-network tests skip themselves
        return
    torch.set_num_threads(1)
