"""Helpers shared by the benchmark scripts: timing, table cells, machine line."""

from __future__ import annotations

import gc
import os
import platform
import time


def best_times(funcs, repeats: int) -> list[float]:
    """Return the best wall-clock time of each function over ``repeats`` rounds.

    Each round calls every function once, in order, so the functions compared
    see the same load on a shared machine. Results are dropped (and garbage
    collected) before the next call starts.

    Parameters
    ----------
    funcs : sequence of callable
        Functions without arguments.
    repeats : int
        Number of rounds.

    Returns
    -------
    times : list of float
        Best time of each function, in seconds.
    """
    best = [float("inf")] * len(funcs)
    for _ in range(repeats):
        for index, func in enumerate(funcs):
            gc.collect()
            start = time.perf_counter()
            result = func()
            elapsed = time.perf_counter() - start
            del result
            best[index] = min(best[index], elapsed)
    return best


def format_cells(cells, columns, left: int = 0) -> str:
    """Align cells under their ``(name, width)`` columns: the first ``left`` to
    the left, the rest to the right."""
    return "  ".join(
        str(cell).ljust(width) if index < left else str(cell).rjust(width)
        for index, (cell, (_, width)) in enumerate(zip(cells, columns, strict=True))
    ).rstrip()


def cpu_line() -> str:
    """CPUs of the machine and those this process may use."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    cpu_name = platform.processor() or platform.machine()
    return f"CPUs: {os.cpu_count()} (usable: {usable}), {cpu_name}"
