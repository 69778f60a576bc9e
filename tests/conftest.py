"""Test-session settings."""


def pytest_configure(config):
    # pytest runs with -n 2 on two cores: one torch thread per worker avoids
    # oversubscription, which slows small torch operations many times over.
    try:
        import torch
    except ImportError:  # the neural-network tests skip themselves
        return
    torch.set_num_threads(1)
