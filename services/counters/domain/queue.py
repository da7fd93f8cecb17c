"""A ticket in the queue, from the moment it is callable until it leaves a counter.

States: ``waiting`` -> ``called`` (by exactly one counter) -> ``serving`` -> ``completed``;
``called`` -> ``skipped`` or ``no_show`` (after the hall's number of recalls); ``called`` or
``serving`` -> ``waiting`` in another service's queue (transfer; keeps its number, joins the back).
Out of the queue's order (an officer's choice, not the dispatch policy's):

- ``waiting`` -> ``called`` by its number (:func:`call` too: the counter chose it);
- ``called`` or ``serving`` -> ``held`` (:func:`hold`, the citizen fetches a document) -> ``called``
  again by the same counter (:func:`call_held`); a held ticket is no one's to call but its
  counter's, and is never waiting;
- ``skipped``, ``no_show`` (today's) or ``held`` -> ``waiting`` again (:func:`bring_back`), at the
  place :func:`place_after` gives it.

Every transition names the counter, and only the counter holding the ticket may move it (a
passed-over ticket is brought back by any counter serving its service: its citizen may come back
to another desk).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from antre.hall.model import PriorityGroup, Service
from antre.problems import Conflict, Invalid

from .dispatch import Candidate


class State(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    HELD = "held"


PASSED_OVER = (State.SKIPPED, State.NO_SHOW)
# The smallest step between two queue times: what a returned ticket's place is set before.
TICK = dt.timedelta(microseconds=1)


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
    held_at: dt.datetime | None = None  # set aside at its counter (state ``held``) since then
    returned_at: dt.datetime | None = None  # last brought back to the queue; its wait was measured before

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


def may_call(ticket: QueuedTicket, counter: int, serves: Collection[str], today: dt.date) -> None:
    """A number an officer chose is called only if it waits today in a service of the counter
    (``serves``); :func:`call` is then the call itself."""
    if ticket.state != State.WAITING:
        raise Conflict(
            "ticket_not_waiting",
            f"Nomor {ticket.number} tidak sedang menunggu (status: {ticket.state.value})",
            f"Ticket {ticket.number} is not waiting (state: {ticket.state.value})",
        )
    _here_today(ticket, counter, serves, today)


def _here_today(ticket: QueuedTicket, counter: int, serves: Collection[str], today: dt.date) -> None:
    if ticket.service not in serves:
        raise Conflict(
            "ticket_not_served_here",
            f"Loket {counter} tidak melayani layanan nomor {ticket.number}",
            f"Counter {counter} does not serve the service of ticket {ticket.number}",
        )
    if ticket.hall_day != today:
        raise Conflict(
            "ticket_not_today",
            f"Nomor {ticket.number} berlaku untuk hari lain",
            f"Ticket {ticket.number} belongs to another day",
        )


def hold(ticket: QueuedTicket, counter: int, now: dt.datetime) -> QueuedTicket:
    """Set the citizen at the counter aside (they went to fetch a document): the counter is free
    to call others, and the ticket stays this counter's, waiting for no one else."""
    _held_by(ticket, counter, State.CALLED, State.SERVING)
    return replace(ticket, state=State.HELD, held_at=now)


def call_held(ticket: QueuedTicket, counter: int, officer: str, now: dt.datetime) -> QueuedTicket:
    """Call a held citizen again at the counter that held them. The call and the start of serving
    move later by the time they were away, so that the counter's time with them (from
    ``called_at``) and their service (from ``serving_started_at``) never count it; serving, if it
    had begun, goes on from where it stopped."""
    _held_by(ticket, counter, State.HELD)
    assert ticket.held_at is not None
    away = max(now - ticket.held_at, dt.timedelta(0))
    called = ticket.called_at + away if ticket.called_at is not None else now
    started = ticket.serving_started_at + away if ticket.serving_started_at is not None else None
    return replace(
        ticket,
        state=State.CALLED,
        officer=officer,
        called_at=called,
        serving_started_at=started,
        held_at=None,
        recalls=0,
    )


def recall(ticket: QueuedTicket, counter: int) -> QueuedTicket:
    _held_by(ticket, counter, State.CALLED)
    return replace(ticket, recalls=ticket.recalls + 1)


def start(ticket: QueuedTicket, counter: int, now: dt.datetime) -> QueuedTicket:
    """Serving starts now, or goes on for a held citizen whose serving had begun."""
    _held_by(ticket, counter, State.CALLED)
    return replace(ticket, state=State.SERVING, serving_started_at=ticket.serving_started_at or now)


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


def bring_back(
    ticket: QueuedTicket,
    counter: int,
    serves: Collection[str],
    today: dt.date,
    place: dt.datetime,
    now: dt.datetime,
) -> QueuedTicket:
    """Put a ticket back in its service's queue, waiting from ``place`` (see :func:`place_after`):
    one of today passed over at any counter serving its service (``serves``), or one held at this
    counter. It keeps its number and priority group and rejoins as a walk-in: a booking's session
    is spent."""
    if ticket.state == State.HELD:
        _held_by(ticket, counter, State.HELD)
    elif ticket.state not in PASSED_OVER:
        raise Conflict(
            "ticket_not_returnable",
            f"Nomor {ticket.number} tidak dilewati, tidak hadir atau ditunda (status: {ticket.state.value})",
            f"Ticket {ticket.number} was not skipped, a no-show or held (state: {ticket.state.value})",
        )
    _here_today(ticket, counter, serves, today)
    return replace(
        ticket,
        state=State.WAITING,
        queued_at=place,
        counter=None,
        officer="",
        called_at=None,
        serving_started_at=None,
        finished_at=None,
        recalls=0,
        session_start=None,
        held_at=None,
        returned_at=now,
    )


def lane_of(ticket: QueuedTicket, waiting: Sequence[Candidate], fifo: bool) -> list[Candidate]:
    """The tickets a returned ticket takes its place among: the others waiting in its service and,
    under the priority lane, in its lane (priority or regular)."""
    return [
        c
        for c in waiting
        if c.service == ticket.service
        and c.ticket_id != ticket.id
        and (fifo or c.priority == ticket.is_priority)
    ]


def place_after(lane: Sequence[Candidate], ahead: int, now: dt.datetime) -> tuple[dt.datetime, int]:
    """The queue time that leaves ``ahead`` tickets of ``lane`` before a returned ticket in
    check-in order (queue time, then id), and how many that really is: all of them when fewer
    wait, and then it joins at the back (now, unless one of them joined later). Its place is one
    microsecond before the ticket it goes ahead of, so two tickets queued within a microsecond of
    each other may leave it one place off."""
    order = sorted(lane, key=lambda c: (c.queued_at, c.ticket_id))
    ahead = max(ahead, 0)
    if ahead < len(order):
        return order[ahead].queued_at - TICK, ahead
    last = order[-1].queued_at + TICK if order else now
    return max(now, last), len(order)


NUMBER = re.compile(r"\s*([A-Za-z]{1,2})\s*-?\s*([0-9]{1,4})\s*")


def number_of(text: str) -> str:
    """A ticket number as officers type it ("a12", "A 012", "A-012") in the printed form, A-012."""
    found = NUMBER.fullmatch(text)
    if found is None:
        raise Invalid(
            "bad_ticket_number",
            f"'{text.strip()}' bukan nomor antrean (contoh: A-012)",
            f"'{text.strip()}' is not a ticket number (for example A-012)",
        )
    prefix, digits = found.groups()
    return f"{prefix.upper()}-{int(digits):03d}"


def wait_seconds(ticket: QueuedTicket) -> float:
    assert ticket.called_at is not None
    return (ticket.called_at - ticket.queued_at).total_seconds()


def service_seconds(ticket: QueuedTicket) -> float:
    assert ticket.finished_at is not None and ticket.serving_started_at is not None
    return (ticket.finished_at - ticket.serving_started_at).total_seconds()
