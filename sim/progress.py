"""The progress line of the twin's long commands, on a terminal only.

A run of ``staff`` is hundreds of simulated days and half a minute or more; without a sign of life
people stop it. The line goes to stderr and only when stderr is a terminal: piped or redirected
output (``--json -``, CI logs, a file) gets none of it. Standard library only.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

WIDTH = 24  # characters of the bar


class Progress(Protocol):
    """``done`` of ``total`` units of the current step; ``step`` names the step when a command
    has several (``staff``: the hour being decided)."""

    def __call__(self, done: int, total: int, step: str = "") -> None: ...


class ProgressLine:
    """One line redrawn in place: ``staff 09:00 (2/7) [#####.......] 24/40 hari / days  12 s``.
    Redrawn at most every ``every`` seconds (a day is a few milliseconds: drawing each would cost
    more than the day), and wiped by :meth:`close` so that the answer prints on a clean line."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        every: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.on = _is_terminal(self.stream)
        self.every = every
        self.clock = clock
        self.began = clock()
        self.drawn_at = -float("inf")
        self.width = 0  # of the line now shown, to wipe it

    def __call__(self, done: int, total: int, step: str = "") -> None:
        if not self.on:
            return
        now = self.clock()
        if now - self.drawn_at < self.every and done < total:
            return
        self.drawn_at = now
        filled = WIDTH * done // total if total else WIDTH
        elapsed = now - self.began
        head = f"{self.label} {step}".rstrip()
        line = f"{head} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} hari / days  {elapsed:.0f} s"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.on and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-less stream
        return False
