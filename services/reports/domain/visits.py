"""A visit as the hall's events tell it: one citizen's ticket from the kiosk to its end, and each
leg of it (a transfer starts a new leg at another service, perhaps another agency's).

The fold is applied in the stream's order, event by event, and is deterministic: the same events
in the same order give the same rows, so replaying the stream rebuilds the record exactly. An
event about a ticket the record never saw issued (its issue fell before the stream's history) is
ignored rather than guessed at.

Times are UTC; a leg's hour is the hour of its queueing in the hall's time zone, and its day is the
ticket's hall day, so that a report's "day" is the hall's day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"  # set aside at the counter (tunda): the citizen went to fetch a document
    SERVED = "served"
    NO_SHOW = "no_show"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    DAY_ENDED = "day_ended"
    TRANSFERRED = "transferred"


OPEN = frozenset({Outcome.WAITING, Outcome.CALLED, Outcome.SERVING, Outcome.HELD})
# Passed over, or set aside: an officer may bring the ticket back into its queue (TicketReturned).
RETURNABLE = frozenset({Outcome.SKIPPED, Outcome.NO_SHOW, Outcome.HELD})
DAY_ENDED_REASON = "day_ended"


@dataclass
class Leg:
    """One queue the ticket stood in: its service, who called it, how it ended there."""

    ticket_id: str
    leg: int  # 0 for the service the ticket was issued for, then one more per transfer
    day: dt.date
    hour: int  # of queueing, hall time
    service: str
    agency: str
    channel: str
    priority: str
    queued_at: dt.datetime
    called_at: dt.datetime | None = None  # the first call
    recalls: int = 0
    counter: int | None = None
    officer: str = ""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    outcome: Outcome = Outcome.WAITING
    transferred_to: str = ""
    held_at: dt.datetime | None = None  # set aside since then, until called again
    returned_at: dt.datetime | None = None  # brought back into the queue then: waiting again since
    away: dt.timedelta = dt.timedelta(0)  # time set aside while served: not service

    @property
    def wait_seconds(self) -> float | None:
        """From joining this queue to the first call; None while never called."""
        if self.called_at is None:
            return None
        return max(0.0, (self.called_at - self.queued_at).total_seconds())

    @property
    def service_seconds(self) -> float | None:
        """At the counter, from the start of serving to its end (served or passed on), less the
        time the citizen was set aside to fetch a document."""
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at - self.away).total_seconds())


@dataclass
class Visit:
    """The ticket as a whole: where and how it came, and how it ended in the hall."""

    ticket_id: str
    day: dt.date
    number: str
    channel: str  # walk_in, online, staff
    priority: str  # none, elderly, disability, pregnant, child
    kiosk: str
    booking_id: str
    issued_at: dt.datetime
    outcome: Outcome = Outcome.WAITING
    finished_at: dt.datetime | None = None
    legs: list[Leg] = field(default_factory=list)

    @property
    def leg(self) -> Leg:
        """The leg the ticket stands in now (the last)."""
        return self.legs[-1]


def issued(
    *,
    ticket_id: str,
    day: dt.date,
    number: str,
    service: str,
    agency: str,
    channel: str,
    priority: str,
    kiosk: str,
    booking_id: str,
    at: dt.datetime,
    hour: int,
) -> Visit:
    visit = Visit(ticket_id, day, number, channel, priority, kiosk, booking_id, at)
    visit.legs.append(Leg(ticket_id, 0, day, hour, service, agency, channel, priority, at))
    return visit


def called(visit: Visit, at: dt.datetime, counter: int, officer: str) -> None:
    """A call; the wait counts to the first one. Called again after being set aside, the citizen
    resumes where they were (at the desk, or being served)."""
    leg = visit.leg
    if leg.outcome not in OPEN:
        return
    if leg.called_at is None:
        leg.called_at = at
    leg.counter, leg.officer = counter, officer
    if leg.held_at is not None:
        leg.away += max(dt.timedelta(0), at - leg.held_at)
        leg.held_at = None
    if leg.outcome in (Outcome.WAITING, Outcome.HELD):
        _end(
            visit,
            Outcome.SERVING if leg.started_at is not None and leg.outcome is Outcome.HELD else Outcome.CALLED,
            None,
        )


def held(visit: Visit, at: dt.datetime) -> None:
    """Set aside at the counter while the citizen fetches a document. Set aside while being
    served, the time away until the next call is taken out of the service time."""
    leg = visit.leg
    if leg.outcome not in (Outcome.CALLED, Outcome.SERVING):
        return
    leg.held_at = at if leg.started_at is not None else None
    _end(visit, Outcome.HELD, None)


def returned(visit: Visit, at: dt.datetime) -> None:
    """Brought back into its service's queue: it waits again in the same leg (its first call
    still counts for the wait; a served citizen set aside is away until the next call)."""
    leg = visit.leg
    if leg.outcome not in RETURNABLE:
        return
    leg.finished_at = None
    leg.returned_at = at
    _end(visit, Outcome.WAITING, None)


def recalled(visit: Visit, recalls: int) -> None:
    leg = visit.leg
    if leg.outcome in OPEN:
        leg.recalls = max(leg.recalls, recalls)


def serving(visit: Visit, at: dt.datetime, counter: int) -> None:
    leg = visit.leg
    if leg.outcome not in OPEN:
        return
    if leg.started_at is None:
        leg.started_at = at
    leg.counter = counter
    _end(visit, Outcome.SERVING, None)


def completed(visit: Visit, at: dt.datetime, started_at: dt.datetime | None, counter: int) -> None:
    leg = visit.leg
    if leg.outcome not in OPEN:
        return
    if leg.started_at is None:
        leg.started_at = started_at or at
    leg.counter = counter
    _end(visit, Outcome.SERVED, at)


def skipped(visit: Visit, at: dt.datetime, no_show: bool, recalls: int, counter: int) -> None:
    leg = visit.leg
    if leg.outcome not in OPEN:
        return
    leg.recalls = max(leg.recalls, recalls)
    leg.counter = counter
    _end(visit, Outcome.NO_SHOW if no_show else Outcome.SKIPPED, at)


def cancelled(visit: Visit, at: dt.datetime, reason: str) -> None:
    if visit.leg.outcome not in OPEN:
        return
    _end(visit, Outcome.DAY_ENDED if reason == DAY_ENDED_REASON else Outcome.CANCELLED, at)


def transferred(
    visit: Visit,
    at: dt.datetime,
    *,
    service: str,
    agency: str,
    priority: str,
    counter: int | None,
    hour: int,
) -> None:
    """The leg ends as passed on, and the ticket queues at the new service (keeping its number)."""
    leg = visit.leg
    if leg.outcome not in OPEN:
        return
    if counter is not None:
        leg.counter = counter
    leg.transferred_to = service
    _end(visit, Outcome.TRANSFERRED, at)
    visit.legs.append(
        Leg(visit.ticket_id, leg.leg + 1, visit.day, hour, service, agency, visit.channel, priority, at)
    )
    visit.outcome, visit.finished_at = Outcome.WAITING, None


def _end(visit: Visit, outcome: Outcome, at: dt.datetime | None) -> None:
    """The current leg reaches ``outcome``; the visit follows its last leg."""
    leg = visit.leg
    leg.outcome = outcome
    if at is not None:
        leg.finished_at = at
    visit.outcome, visit.finished_at = outcome, at


def hall_hour(moment: dt.datetime, zone: dt.tzinfo) -> int:
    return moment.astimezone(zone).hour
