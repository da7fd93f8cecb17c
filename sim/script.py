"""A scripted hall day: who comes when, and when each counter calls, all written down in advance.

The random day (:class:`sim.model.HallDay`) calls as soon as a counter is free and lets drawn
service times decide when that is. A script instead fixes every moment, as an officer's clicks
in a recorded or staged day would: at a call moment the counter finishes whoever it holds and
calls next. Everything else is the day's own code (the kiosk's hours, ticketing's check-in rule,
the counters' blending and streaks), so a scripted day is what the twin says the live hall does
with those very arrivals and clicks. Nothing here draws a random number.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from antre.hall.model import Hall
from sim.citizens import Citizen
from sim.demand import Demand
from sim.kernel import LATE
from sim.model import DayLog, Desk, HallDay, Scenario


@dataclass(frozen=True)
class Arrival:
    """A citizen at the kiosk (a walk-in) or checking in (``session`` set: the booked session's
    start). Times are seconds from the hall's local midnight."""

    at: float
    service: str
    priority: bool = False
    session: float | None = None


@dataclass(frozen=True)
class Call:
    """Counter ``counter`` finishes its current citizen, if any, and calls next at ``at``."""

    at: float
    counter: int


@dataclass(frozen=True)
class Script:
    arrivals: tuple[Arrival, ...]
    calls: tuple[Call, ...]

    def citizens(self) -> list[Citizen]:
        """In arrival order; a tie keeps the script's order (the live kiosk issues one at a time)."""
        ordered = sorted(enumerate(self.arrivals), key=lambda pair: (pair[1].at, pair[0]))
        return [
            Citizen(i, a.at, (a.service,), (math.inf,), (math.inf,), a.priority, a.session)
            for i, (_, a) in enumerate(ordered)
        ]


class ScriptedDay(HallDay):
    """A hall day whose counters call only at the script's moments. A call at the same instant
    as an arrival comes after it, as the live test issues first and clicks after."""

    def __init__(self, hall: Hall, day: dt.date, script: Script, scenario: Scenario | None = None) -> None:
        citizens = script.citizens()
        # Every counter opens at the hall's opening (no staffing plan); the rng is never drawn from.
        demand = Demand(hall="", services={})
        super().__init__(hall, demand, day, scenario or Scenario(), citizens, {}, np.random.default_rng(0))
        numbers = {d.number: d for d in self.desks}
        unknown = sorted({c.counter for c in script.calls} - set(numbers))
        if unknown:
            raise ValueError(f"the script calls at counters the hall does not have: {unknown}")
        self._calls = [(c.at, numbers[c.counter]) for c in script.calls]

    def run(self) -> DayLog:
        for at, desk in self._calls:
            self.kernel.call(at, self.scripted_call, desk, LATE)
        return super().run()

    def call(self, desk: Desk) -> None:
        """Counters never call on their own in a scripted day."""

    def scripted_call(self, desk: Desk) -> None:
        if desk.current is not None:
            self.done(desk)  # its own call that follows is the no-op above
        self.pick(desk)


def order(log: DayLog) -> list[tuple[int, str]]:
    """The day's calls as (counter, ticket number), in the order they were made."""
    return [(counter, number) for _, counter, number, _, _ in log.calls]
