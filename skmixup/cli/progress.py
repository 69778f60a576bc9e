"""Stage lines and a small progress bar on stderr for the ``skmixup`` command."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager

_SPINNER = "|/-\\"


class Stage:
    """One running stage: reports its progress and the line that closes it."""

    def __init__(self, stages: Stages, label: str):
        self._stages = stages
        self._label = label
        self._start = time.perf_counter()
        self._lock = threading.Lock()
        self._drawn = False
        self._fraction: float | None = None
        self._ticks = 0
        self.summary: str | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    def update(self, done: int, total: int) -> None:
        """Record that ``done`` of ``total`` units are finished (redraws the bar)."""
        self._fraction = 1.0 if total <= 0 else min(max(done / total, 0.0), 1.0)
        self._draw()

    def _draw(self) -> None:
        if not self._stages.live:
            return
        with self._lock:
            if self._fraction is None:
                self._ticks += 1
                bar = f"{_SPINNER[self._ticks % len(_SPINNER)]} working"
            else:
                filled = int(round(self._fraction * self._stages.width))
                bar = f"[{'#' * filled}{'.' * (self._stages.width - filled)}] {self._fraction:4.0%}"
            self._stages.stream.write(f"\r{self._label} {bar} {self.elapsed():.1f} s")
            self._stages.stream.flush()
            self._drawn = True

    def _close(self, ok: bool) -> None:
        stream = self._stages.stream
        with self._lock:
            if self._drawn:
                stream.write("\r\033[K")
            if ok and self.summary is not None:
                stream.write(f"{self._label} {self.summary} ({self.elapsed():.1f} s)\n")
            stream.flush()


class Stages:
    """Announce each stage of a command when it starts, and close it with a summary.

    Parameters
    ----------
    n_stages : int
        Number of stages, shown as ``[i/n]``.
    stream : file-like, default=sys.stderr
    enabled : bool, default=True
        Print nothing when False (``--quiet``).
    live : bool or None, default=None
        Draw a progress bar (or, for stages that cannot count their work, a
        spinner with the elapsed time) on the stage's line while it runs.
        None draws it only when ``stream`` is a terminal, so logs get the
        start and end lines only.
    interval : float, default=0.25
        Seconds between redraws of a stage that cannot count its work.
    """

    width = 24

    def __init__(self, n_stages: int, stream=None, *, enabled=True, live=None, interval=0.25):
        self.n_stages = n_stages
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        if live is None:
            live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.live = enabled and live
        self.interval = interval
        self.index = 0

    @contextmanager
    def stage(self, title: str, *, counts_work: bool = False):
        """Run one stage: ``title`` is printed when it starts.

        Set ``stage.summary`` inside the block to print a closing line with
        the elapsed time. A stage that does not call ``update``
        (``counts_work=False``) gets a spinner while it runs, when live.
        """
        self.index += 1
        label = f"[{self.index}/{self.n_stages}]"
        stage = Stage(self, label)
        if not self.enabled:
            yield stage
            return
        self.stream.write(f"{label} {title} ...\n")
        self.stream.flush()
        stop = threading.Event()
        ticker = None
        if self.live and not counts_work:
            ticker = threading.Thread(target=_tick, args=(stage, stop, self.interval), daemon=True)
            ticker.start()
        ok = False
        try:
            yield stage
            ok = True
        finally:
            stop.set()
            if ticker is not None:
                ticker.join()
            stage._close(ok)


def _tick(stage: Stage, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        stage._draw()
