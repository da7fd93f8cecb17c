"""The discrete-event kernel: a virtual clock and a heap of ``(time, priority, sequence, action)``.

After simpy's ``core.py``, minus processes and generators: an event here is a plain callable, which
keeps the hot loop to one ``heappop`` and one call. Ties in time are broken by ``priority`` and then
by the order in which events were scheduled (``sequence``), so a run is a pure function of its
inputs and its generator. Randomness lives in the :class:`numpy.random.Generator` the caller passes
in; the kernel never touches global random state.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

import numpy as np

Action = Callable[[], None]

# Same-instant order: counters close and breaks start before anything else happens at that
# instant, then service completions free counters, then citizens arrive, then measurements
# observe the settled state.
URGENT = 0
NORMAL = 1
LATE = 2


class Kernel:
    """Time is in seconds from the start of the simulated hall day (local midnight)."""

    __slots__ = ("_heap", "_sequence", "now", "rng")

    def __init__(self, rng: np.random.Generator, start: float = 0.0) -> None:
        self.now = start
        self.rng = rng
        self._heap: list[tuple[float, int, int, Action]] = []
        self._sequence = itertools.count()

    def at(self, time: float, action: Action, priority: int = NORMAL) -> None:
        if time < self.now:
            raise ValueError(f"cannot schedule in the past: {time} < {self.now}")
        heapq.heappush(self._heap, (time, priority, next(self._sequence), action))

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
            time, _, _, action = pop(heap)
            self.now = time
            action()
        if until != float("inf"):
            self.now = max(self.now, until)
