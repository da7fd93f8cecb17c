"""The discrete-event kernel: a virtual clock and a heap of ``(time, order, action, argument)``.

After simpy's ``core.py``, minus processes and generators: an event here is a plain callable and
its one argument, which keeps the hot loop to one ``heappop`` and one call and spares a closure
per event. Ties in time are broken by ``order``: the event's priority in the high bits and the
order in which events were scheduled in the low ones, so a run is a pure function of its inputs
and its generator. Randomness lives in the :class:`numpy.random.Generator` the caller passes in;
the kernel never touches global random state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from heapq import heappop, heappush
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
        self._sequence = sequence = self._sequence + 1
        heappush(self._heap, (time, priority * _SHIFT + sequence, fn, arg))

    def call_each(
        self, fn: Callable[[Any], None], calls: Iterable[tuple[float, Any]], priority: int = NORMAL
    ) -> None:
        """``fn(arg)`` at each ``(time, arg)``, scheduled in the order given: the same as one
        :meth:`call` each, for a day's many arrivals at once."""
        heap, now, sequence = self._heap, self.now, self._sequence
        base = priority * _SHIFT
        for time, arg in calls:
            if time < now:
                self._sequence = sequence  # those already pushed keep their places
                raise ValueError(f"cannot schedule in the past: {time} < {now}")
            sequence += 1
            heappush(heap, (time, base + sequence, fn, arg))
        self._sequence = sequence

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
        pop = heappop
        while heap and heap[0][0] <= until:
            time, _, fn, arg = pop(heap)
            self.now = time
            fn(arg)
        if until != float("inf"):
            self.now = max(self.now, until)
