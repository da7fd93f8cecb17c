"""A ticket as ticketing knows it: numbered, printed (or not), then handed to the counters.

Life: ``printing`` (kiosk with a printer, waiting for the print to be confirmed) -> ``waiting``
(issued: callable) -> what the counters report (called, serving, completed, skipped, no_show);
``printing`` -> ``cancelled`` when the print fails or times out, so no ghost number is called;
``waiting`` -> ``cancelled`` once its hall day is over. The number stays used: numbering never
repeats in a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from antre.hall.model import Hall, PriorityGroup, Service
from antre.problems import Conflict, Invalid, NotFound


class State(StrEnum):
    PRINTING = "printing"
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


FINAL = frozenset({State.COMPLETED, State.SKIPPED, State.NO_SHOW, State.CANCELLED})


@dataclass(frozen=True)
class Ticket:
    id: str
    hall_day: dt.date
    service: str
    agency: str
    number: str
    sequence: int
    priority: PriorityGroup
    channel: str
    kiosk: str
    state: State
    created_at: dt.datetime
    issued_at: dt.datetime | None = None
    counter: int | None = None
    counter_name: str = ""
    traceparent: str = ""
    updated_at: dt.datetime | None = None
    booking_id: str = ""  # the booking this ticket checked in, if any
    session_start: dt.datetime | None = None  # its session, when checked in on time
    issued_service: str = ""  # the service the number was taken for; a transfer keeps it

    @property
    def transferred(self) -> bool:
        """An officer sent the citizen on to another service: the number stays, the line changed."""
        return bool(self.issued_service) and self.service != self.issued_service


def format_number(prefix: str, sequence: int) -> str:
    """``A-012``: three digits, more only past 999 (a busy day never wraps to a repeat)."""
    return f"{prefix}-{str(sequence).zfill(3)}"  # not a format spec: compiled, that is str.format


def resolve_service(hall: Hall, code: str) -> Service:
    service = hall.service(code)
    if service is None:
        raise NotFound("unknown_service", f"Layanan '{code}' tidak dikenal", f"Unknown service '{code}'")
    return service


def resolve_priority(value: str) -> PriorityGroup:
    try:
        return PriorityGroup(value)
    except ValueError:
        allowed = ", ".join(p.value for p in PriorityGroup)
        raise Invalid(
            "unknown_priority",
            f"Kelompok prioritas '{value}' tidak dikenal (pilihan: {allowed})",
            f"Unknown priority group '{value}' (one of: {allowed})",
        ) from None


def new_ticket(
    *,
    ticket_id: str,
    service: Service,
    sequence: int,
    day: dt.date,
    priority: PriorityGroup,
    channel: str,
    kiosk: str,
    needs_print: bool,
    now: dt.datetime,
    traceparent: str = "",
    booking_id: str = "",
    session_start: dt.datetime | None = None,
) -> Ticket:
    return Ticket(
        id=ticket_id,
        hall_day=day,
        service=service.code,
        agency=service.agency,
        number=format_number(service.prefix, sequence),
        sequence=sequence,
        priority=priority,
        channel=channel,
        kiosk=kiosk,
        state=State.PRINTING if needs_print else State.WAITING,
        created_at=now,
        issued_at=None if needs_print else now,
        traceparent=traceparent,
        updated_at=now,
        booking_id=booking_id,
        session_start=session_start,
        issued_service=service.code,
    )


def confirm_print(ticket: Ticket, now: dt.datetime) -> Ticket | None:
    """The print came out: the ticket becomes callable. None if it already was (idempotent)."""
    if ticket.state == State.PRINTING:
        return replace(ticket, state=State.WAITING, issued_at=now, updated_at=now)
    if ticket.state == State.CANCELLED:
        raise Conflict(
            "ticket_cancelled",
            f"Nomor {ticket.number} sudah dibatalkan; silakan ambil nomor baru",
            f"Ticket {ticket.number} was cancelled; please take a new number",
        )
    return None


def cancel_print(ticket: Ticket, now: dt.datetime) -> Ticket | None:
    """The print failed or was never confirmed. Only a ticket still printing can be cancelled
    this way; a confirmed one is already in the queue."""
    if ticket.state != State.PRINTING:
        return None
    return replace(ticket, state=State.CANCELLED, updated_at=now)


def end_with_day(ticket: Ticket, today: dt.date, now: dt.datetime) -> Ticket | None:
    """A ticket still waiting once its hall day is over will not be called: numbers are valid
    for their day (the counters only call today's), so it ends as cancelled and its holder takes
    a new number. None for any other ticket."""
    if ticket.state != State.WAITING or ticket.hall_day >= today:
        return None
    return replace(ticket, state=State.CANCELLED, updated_at=now)


def print_expired(ticket: Ticket, now: dt.datetime, timeout: dt.timedelta) -> bool:
    return ticket.state == State.PRINTING and now - ticket.created_at >= timeout


def follow_counter(
    ticket: Ticket,
    state: State,
    now: dt.datetime,
    *,
    service: str | None = None,
    agency: str | None = None,
    counter: int | None = None,
    counter_name: str = "",
) -> Ticket:
    """Mirror what the counters (the owner of the queue) report about the ticket. A report older
    than the last one applied (a redelivery out of order) changes nothing."""
    if ticket.updated_at is not None and now < ticket.updated_at:
        return ticket
    if state == State.WAITING:
        at_counter, name = None, ""  # back in a queue: at no counter
    elif counter is not None:
        at_counter, name = counter, counter_name
    else:
        at_counter, name = ticket.counter, ticket.counter_name
    return replace(
        ticket,
        state=state,
        updated_at=now,
        service=ticket.service if service is None else service,
        agency=ticket.agency if agency is None else agency,
        counter=at_counter,
        counter_name=name,
    )
