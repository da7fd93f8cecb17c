"""A ticket in the queue, from the moment it is callable until it leaves a counter.

States: ``waiting`` -> ``called`` (by exactly one counter) -> ``serving`` -> ``completed``;
``called`` -> ``skipped`` or ``no_show`` (after the hall's number of recalls); ``called`` or
``serving`` -> ``waiting`` in another service's queue (transfer; keeps its number, joins the back).
Every transition names the counter, and only the counter holding the ticket may move it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from antre.hall.model import PriorityGroup, Service
from antre.problems import Conflict


class State(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class QueuedTicket:
    id: str
    hall_day: dt.date
    service: str
    agency: str
    number: str
    priority: PriorityGroup
    channel: str
    state: State
    issued_at: dt.datetime
    queued_at: dt.datetime  # joined this service's queue: issue, or transfer
    counter: int | None = None
    officer: str = ""
    called_at: dt.datetime | None = None
    serving_started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    recalls: int = 0
    traceparent: str = ""
    session_start: dt.datetime | None = None  # a booked ticket checked in on time
    booking_id: str = ""

    @property
    def is_priority(self) -> bool:
        return self.priority != PriorityGroup.NONE


def _held_by(ticket: QueuedTicket, counter: int, *states: State) -> None:
    if ticket.counter != counter or ticket.state not in states:
        raise Conflict(
            "ticket_not_at_counter",
            f"Nomor {ticket.number} tidak sedang di loket {counter} (status: {ticket.state.value})",
            f"Ticket {ticket.number} is not at counter {counter} (state: {ticket.state.value})",
        )


def call(ticket: QueuedTicket, counter: int, officer: str, now: dt.datetime) -> QueuedTicket:
    if ticket.state != State.WAITING:
        raise Conflict(
            "ticket_not_waiting",
            f"Nomor {ticket.number} tidak sedang menunggu",
            f"Ticket {ticket.number} is not waiting",
        )
    return replace(ticket, state=State.CALLED, counter=counter, officer=officer, called_at=now, recalls=0)


def recall(ticket: QueuedTicket, counter: int) -> QueuedTicket:
    _held_by(ticket, counter, State.CALLED)
    return replace(ticket, recalls=ticket.recalls + 1)


def start(ticket: QueuedTicket, counter: int, now: dt.datetime) -> QueuedTicket:
    _held_by(ticket, counter, State.CALLED)
    return replace(ticket, state=State.SERVING, serving_started_at=now)


def complete(ticket: QueuedTicket, counter: int, now: dt.datetime) -> QueuedTicket:
    """Completing straight from ``called`` is allowed (a quick question at the desk); service
    time then counts from the call."""
    _held_by(ticket, counter, State.CALLED, State.SERVING)
    started = ticket.serving_started_at or ticket.called_at
    return replace(ticket, state=State.COMPLETED, serving_started_at=started, finished_at=now)


def skip(ticket: QueuedTicket, counter: int, now: dt.datetime, max_recalls: int) -> QueuedTicket:
    """Pass over a called citizen who did not come. After ``max_recalls`` recalls it counts as a
    no-show (the citizen was called out loud 1 + max_recalls times)."""
    _held_by(ticket, counter, State.CALLED)
    state = State.NO_SHOW if ticket.recalls >= max_recalls else State.SKIPPED
    return replace(ticket, state=state, finished_at=now)


def transfer(ticket: QueuedTicket, counter: int, to: Service, now: dt.datetime) -> QueuedTicket:
    """Send the citizen to another service (any agency's): same number and priority, back of that
    service's queue, as of now."""
    _held_by(ticket, counter, State.CALLED, State.SERVING)
    if to.code == ticket.service:
        raise Conflict(
            "transfer_same_service",
            "Tidak dapat mengalihkan ke layanan yang sama",
            "Cannot transfer to the same service",
        )
    return replace(
        ticket,
        service=to.code,
        agency=to.agency,
        state=State.WAITING,
        queued_at=now,
        counter=None,
        officer="",
        called_at=None,
        serving_started_at=None,
        recalls=0,
        session_start=None,  # the session belonged to the old service
    )


def wait_seconds(ticket: QueuedTicket) -> float:
    assert ticket.called_at is not None
    return (ticket.called_at - ticket.queued_at).total_seconds()


def service_seconds(ticket: QueuedTicket) -> float:
    assert ticket.finished_at is not None and ticket.serving_started_at is not None
    return (ticket.finished_at - ticket.serving_started_at).total_seconds()
