"""The hall's events as the display hears them. Each event it consumes becomes one of these values
at its wire edge (:mod:`services.display.handlers.wire`), and both the board and the voice read
that one value: a call is the same :class:`TicketEvent` whether a board shows it or the hall
hears it, and nothing past the edge reads the event's wire form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from antre.hall.model import Hall
from services.display.domain.announcements import Kind, Part
from services.display.domain.board import (
    CounterFact,
    CounterStatus,
    Fact,
    Source,
    Stage,
    TicketSeen,
)


class Step(StrEnum):
    """What happened to a ticket, in the words of the events' subjects (``ticket.<step>``)."""

    ISSUED = "issued"
    TRANSFERRED = "transferred"  # into another service's queue, away from its counter
    CALLED = "called"
    RECALLED = "recalled"
    SERVING = "serving"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TicketEvent:
    """A step of a ticket. ``at``: when it happened (an issue: when the ticket was issued);
    ``hall_day`` as the event names it (None when it names none that is a date); ``agency`` the
    event's. The counter's fields are the counter's events' (zero and empty for ticketing's:
    an issue, a cancel), ``counter_zone`` as the event reports it; ``recalls`` a recall's count."""

    step: Step
    ticket_id: str
    number: str
    service: str
    at: dt.datetime
    hall_day: dt.date | None = None
    agency: str = ""
    counter: int = 0
    counter_name: str = ""
    counter_zone: str = ""
    recalls: int = 0

    @property
    def is_call(self) -> bool:
        """A call or a recall: the hall hears it, whatever the board already knows."""
        return self.step in (Step.CALLED, Step.RECALLED)


@dataclass(frozen=True)
class CounterEvent:
    """A counter opened, paused, resumed or closed. ``reason``: a pause's, as the event says it."""

    counter: int
    counter_zone: str  # as the event reports it
    status: CounterStatus
    at: dt.datetime
    reason: str = ""


HallEvent = TicketEvent | CounterEvent

STAGES = {
    Step.ISSUED: Stage.WAITING,
    Step.TRANSFERRED: Stage.WAITING,  # into another service's queue
    Step.CALLED: Stage.CALLED,
    Step.RECALLED: Stage.CALLED,
    Step.SERVING: Stage.SERVING,
    Step.COMPLETED: Stage.DONE,
    Step.SKIPPED: Stage.DONE,
    Step.CANCELLED: Stage.DONE,
}

# What a counter's own event about a ticket says of the counter's slot on the board.
FACTS = {
    Step.CALLED: Fact.CALLED,
    Step.RECALLED: Fact.RECALLED,
    Step.SERVING: Fact.SERVING,
    Step.COMPLETED: Fact.RELEASED,
    Step.SKIPPED: Fact.RELEASED,
    Step.TRANSFERRED: Fact.RELEASED,  # away from this counter, into another queue
}


def seen(event: TicketEvent, hall: Hall) -> TicketSeen:
    """What the event says of its ticket, as the board keeps it: its hall day the event's, else
    the day its moment falls on in the hall."""
    day = event.hall_day if event.hall_day is not None else hall.day_of(event.at)
    source = Source.TICKETING if event.step in (Step.ISSUED, Step.CANCELLED) else Source.COUNTERS
    return TicketSeen(event.ticket_id, event.number, event.service, day, STAGES[event.step], event.at, source)


def fact(event: TicketEvent, zone: str, counter_name: str) -> CounterFact | None:
    """What a counter's event says of its slot, in ``zone``. None for ticketing's events: a
    cancel comes before any call, and once the counters spoke ticketing's word is ignored."""
    kind = FACTS.get(event.step)
    if kind is None:
        return None
    return CounterFact(
        counter=event.counter,
        kind=kind,
        at=event.at,
        ticket_id=event.ticket_id,
        number=event.number,
        service=event.service,
        counter_name=counter_name,
        zone=zone,
        recalls=event.recalls if event.step == Step.RECALLED else 0,
    )


def part(event: TicketEvent, created_at: dt.datetime, agency: str) -> Part:
    """The call (or recall) as the voice says it. ``created_at``: the moment its slot is
    counted from; ``agency``: whose counter called, for "{agency}" in a template."""
    kind = Kind.RECALL if event.step == Step.RECALLED else Kind.CALL
    return Part(event.ticket_id, event.number, event.counter, kind, created_at, agency)
