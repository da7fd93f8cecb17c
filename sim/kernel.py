"""The discrete-event kernel: a virtual clock and a heap of ``(time, order, action, argument)``.

After simpy's ``core.py``, minus processes and generators: an event here is a plain callable and
its one argument, which keeps the hot loop to one ``heappop`` and one call and spares a closure
per event. Ties in time are broken by ``order``: the event's priority in the high bits and the
order in which events were scheduled in the low ones, so a run is a pure function of its inputs
and its generator. Randomness lives in the :class:`numpy.random.Generator` the caller passes in;
the kernel never touches global random state.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

import numpy as np

Action = Callable[[], None]

# Same-instant order: counters close and breaks start before anything else happens at that
# instant, then service completions free counters, then citizens arrive, then measurements
# observe the settled state.
URGENT = 0
NORMAL = 1
LATE = 2
_SHIFT = 1 << 40  # room for 10^12 events per priority


def _call(action: Action) -> None:
    action()


class Kernel:
    """Time is in seconds from the start of the simulated hall day (local midnight)."""

    __slots__ = ("_heap", "_sequence", "now", "rng")

    def __init__(self, rng: np.random.Generator, start: float = 0.0) -> None:
        self.now = start
        self.rng = rng
        self._heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._sequence = 0

    def call(self, time: float, fn: Callable[[Any], None], arg: Any, priority: int = NORMAL) -> None:
        """``fn(arg)`` at ``time``: the model's hot path, with no closure to allocate."""
        if time < self.now:
            raise ValueError(f"cannot schedule in the past: {time} < {self.now}")
        self._sequence += 1
        heapq.heappush(self._heap, (time, priority * _SHIFT + self._sequence, fn, arg))

    def at(self, time: float, action: Action, priority: int = NORMAL) -> None:
        self.call(time, _call, action, priority)

    def after(self, delay: float, action: Action, priority: int = NORMAL) -> None:
        self.at(self.now + delay, action, priority)

    def peek(self) -> float:
        """Time of the next event, or infinity when nothing is scheduled."""
        return self._heap[0][0] if self._heap else float("inf")

    def run(self, until: float = float("inf")) -> None:
        """Process events up to and including ``until``; the clock then stands at ``until`` (if
        finite), so that measurements taken after a run see the same instant every time."""
        heap = self._heap
        pop = heapq.heappop
        while heap and heap[0][0] <= until:
            time, _, fn, arg = pop(heap)
            self.now = time
            fn(arg)
        if until != float("inf"):
            self.now = max(self.now, until)
