"""Walk-in tickets: issuing at the kiosk, the print's confirmation or failure, and the end of a
hall day's leftovers. (Bookings' tickets are opened here too, by :func:`open_ticket`.)

Each command is one unit of work: the ticket and the events it produced commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from antre import devices
from antre.events import new_meta, ticket_ref, timestamp
from antre.hall.model import Kiosk, PriorityGroup, Service
from antre.problems import NotFound
from antre.telemetry import current_traceparent, span_under
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from antre.wire import CHANNEL_TO_WIRE, PRIORITY_TO_WIRE
from services.ticketing.adapters import bookings as pools
from services.ticketing.adapters import repository as repo
from services.ticketing.adapters.tables import devices as devices_table
from services.ticketing.domain import hours
from services.ticketing.domain import tickets as domain
from services.ticketing.domain.tickets import State, Ticket
from services.ticketing.handlers.deps import Deps
from services.ticketing.handlers.kiosks import kiosk_of, kiosk_of_token, limit_kiosk

CHANNELS = CHANNEL_TO_WIRE
PRIORITIES = PRIORITY_TO_WIRE


@dataclass(frozen=True)
class IssueTicket:
    service: str
    priority: str = "none"
    kiosk: str = ""
    channel: str = "walk_in"
    # From a kiosk over HTTP: its device token (checked in the issue's own transaction; it names
    # the kiosk) and the key of this request, so that a retry gets the same ticket. None: a call
    # from inside the service, whose kiosk is trusted.
    device_token: str | None = None
    idempotency_key: str = ""


def issue(deps: Deps, cmd: IssueTicket) -> Ticket:
    """A walk-in number. For a service with bookings it takes one of the day's walk-in places.
    A kiosk's retry with the key of an earlier issue gets that ticket back, as it is now."""
    try:
        return _issue(deps, cmd)
    except IntegrityError:
        # Two tries with one key at once: the other committed first; answer with its ticket.
        if not cmd.idempotency_key:
            raise
        with deps.uow.read() as conn:
            kiosk = _kiosk_of_token(conn, cmd) if cmd.device_token is not None else cmd.kiosk
            done = repo.by_idempotency_key(conn, kiosk_of(deps, kiosk).id, cmd.idempotency_key)
        if done is None:
            raise
        return done


def _issue(deps: Deps, cmd: IssueTicket) -> Ticket:
    hall = deps.hall
    service = domain.resolve_service(hall, cmd.service)
    priority = domain.resolve_priority(cmd.priority)
    now = deps.uow.clock()
    hours.check_issuing(hall.hours, hall.local(now), always_open=deps.always_open)
    day = hall.day_of(now)
    with deps.uow.begin() as tx:
        kiosk = kiosk_of(deps, _kiosk_of_token(tx.conn, cmd) if cmd.device_token is not None else cmd.kiosk)
        if cmd.idempotency_key:
            done = repo.by_idempotency_key(tx.conn, kiosk.id, cmd.idempotency_key)
            if done is not None:
                return done
        if cmd.device_token is not None:
            limit_kiosk(deps, kiosk.id)
        if service.booking is not None:
            pools.ensure_pool(tx.conn, service.code, day, service.booking)
            if not pools.take_from_pool(tx.conn, service.code, day, "walk_in"):
                pools.pool(tx.conn, service.code, day, service.booking).take_walk_in()  # raises: full
        ticket = open_ticket(
            deps, tx, service, priority, kiosk, cmd.channel, idempotency_key=cmd.idempotency_key
        )
    if ticket.state == State.WAITING:
        report_issued(deps, ticket, fresh=True)
    return ticket


def _kiosk_of_token(conn: Connection, cmd: IssueTicket) -> str:
    return kiosk_of_token(conn, cmd.device_token or "", cmd.kiosk)


def open_ticket(
    deps: Deps,
    tx: Transaction,
    service: Service,
    priority: PriorityGroup,
    kiosk: Kiosk,
    channel: str,
    *,
    booking_id: str = "",
    session_start: dt.datetime | None = None,
    idempotency_key: str = "",
) -> Ticket:
    """Number and store a ticket in the caller's transaction; callable at once unless its kiosk
    prints (then on confirmation). The caller calls :func:`report_issued` after commit."""
    # The ticket's journey is one trace; this span is its root and every later step its child.
    with span_under("ticket", "", "antre.ticketing", service=service.code):
        day = deps.hall.day_of(tx.now)
        ticket = domain.new_ticket(
            ticket_id=deps.new_id(),
            service=service,
            sequence=repo.next_sequence(tx.conn, service.code, day),
            day=day,
            priority=priority,
            channel=channel,
            kiosk=kiosk.id,
            needs_print=kiosk.printer != "none",
            now=tx.now,
            traceparent=current_traceparent(),
            booking_id=booking_id,
            session_start=session_start,
        )
        repo.add(tx.conn, ticket, issued_service=service.code, idempotency_key=idempotency_key)
        if ticket.state == State.WAITING:
            _publish_issued(deps, tx, ticket)
    return ticket


def confirm_print(deps: Deps, ticket_id: str, device_token: str | None = None) -> Ticket:
    """``device_token``: a kiosk's, which must be the kiosk that issued the ticket (None: a call
    from inside the service)."""
    with deps.uow.begin() as tx:
        ticket = _get(tx, ticket_id, device_token)
        issued = domain.confirm_print(ticket, tx.now)
        if issued is None:
            return ticket
        repo.save(tx.conn, issued)
        _publish_issued(deps, tx, issued)
    report_issued(deps, issued)
    return issued


def cancel_print(deps: Deps, ticket_id: str, reason: str, device_token: str | None = None) -> Ticket:
    with deps.uow.begin() as tx:
        ticket = _get(tx, ticket_id, device_token)
        cancelled = _withdraw_print(deps, tx, ticket, reason)
    if cancelled is None:
        return ticket
    _cancelled(deps, cancelled, reason)
    return cancelled


def expire_prints(deps: Deps) -> list[Ticket]:
    """Cancel tickets whose print was never confirmed: no ghost numbers in the queue."""
    timeout = dt.timedelta(seconds=deps.hall.queue.print_timeout_seconds)
    done: list[Ticket] = []
    with deps.uow.begin() as tx:
        for ticket in repo.printing_before(tx.conn, tx.now - timeout):
            if not domain.print_expired(ticket, tx.now, timeout):
                continue
            if (cancelled := _withdraw_print(deps, tx, ticket, "print_timeout")) is not None:
                done.append(cancelled)
    for ticket in done:
        _cancelled(deps, ticket, "print_timeout")
    return done


def _withdraw_print(deps: Deps, tx: Transaction, ticket: Ticket, reason: str) -> Ticket | None:
    """Cancel a ticket whose print failed or never came, in the caller's transaction; None if it
    is no longer printing. The move from ``printing`` is conditional, so when a kiosk's
    print-failed (posted twice, say) and the timeout race, one transaction cancels and only that
    one gives the walk-in place back and announces it."""
    cancelled = domain.cancel_print(ticket, tx.now)
    if cancelled is None or not repo.move(tx.conn, cancelled, State.PRINTING):
        return None
    _give_back_place(deps, tx, cancelled)
    _publish_cancelled(deps, tx, cancelled, reason)
    return cancelled


def _give_back_place(deps: Deps, tx: Transaction, ticket: Ticket) -> None:
    """A walk-in number that never reached the queue frees its place in the day's pool. A
    booking's ticket took none: its online place stays with the booking, which may check in
    again for a fresh print."""
    service = deps.hall.service(ticket.service)
    if service is None or service.booking is None or ticket.booking_id:
        return
    pools.release_walk_in(tx.conn, service.code, ticket.hall_day)


DAY_END_BATCH = 500  # tickets ended per transaction; the rest on the next round


def end_past_days(deps: Deps) -> list[Ticket]:
    """Cancel tickets left waiting from earlier hall days (reason ``day_ended``): their status
    pages stop saying "waiting", notify stops following them, the counters drop them. A day's
    tickets end from the local midnight that closes it; a real hall closed hours before, so no call
    crosses it (in an always-open demo hall a call in the day's last seconds may, and then the
    counters keep the call)."""

    def ended(tx: Transaction) -> Iterator[Ticket]:
        today = deps.hall.day_of(tx.now)
        for ticket in repo.waiting_before(tx.conn, today, DAY_END_BATCH):
            if (cancelled := domain.end_with_day(ticket, today, tx.now)) is not None:
                yield cancelled

    return _cancel_each(deps, "day_ended", ended)


def _cancel_each(deps: Deps, reason: str, found: Callable[[Transaction], Iterator[Ticket]]) -> list[Ticket]:
    """Save and announce, in one transaction, the cancelled tickets ``found`` yields."""
    done: list[Ticket] = []
    with deps.uow.begin() as tx:
        for cancelled in found(tx):
            repo.save(tx.conn, cancelled)
            _publish_cancelled(deps, tx, cancelled, reason)
            done.append(cancelled)
    for ticket in done:
        _cancelled(deps, ticket, reason)
    return done


# ---- helpers ----


def _get(tx: Transaction, ticket_id: str, device_token: str | None = None) -> Ticket:
    kiosk = (
        devices.device_for(tx.conn, devices_table, device_token, "kiosk").id
        if device_token is not None
        else None
    )
    ticket = repo.get(tx.conn, ticket_id, lock=True)
    # Another kiosk's ticket is refused as an unknown one: a kiosk learns nothing of others'.
    if ticket is None or (kiosk is not None and ticket.kiosk != kiosk):
        raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan", "Ticket not found")
    return ticket


def _publish_issued(deps: Deps, tx: Transaction, ticket: Ticket) -> None:
    event = pb.TicketIssued(
        meta=new_meta(deps.hall.id, ticket.agency, tx.now),
        ticket=ticket_ref(ticket),
        priority=PRIORITIES[ticket.priority],
        channel=CHANNELS.get(ticket.channel, pb.CHANNEL_UNSPECIFIED),
        kiosk=ticket.kiosk,
        issued_at=timestamp(ticket.issued_at or tx.now),
        booking_id=ticket.booking_id,
    )
    if ticket.session_start is not None:
        event.session_start.CopyFrom(timestamp(ticket.session_start))
    tx.publish(event, ticket.traceparent)


def report_issued(deps: Deps, ticket: Ticket, *, fresh: bool = False) -> None:
    """After commit: count the ticket and tell its status page, if one can be open: none is for
    a ``fresh`` ticket, numbered by this very call (its id was made here), so nothing is sent."""
    deps.metrics.issued.labels(ticket.agency, ticket.service, ticket.channel).inc()
    if not fresh:
        deps.live.publish(f"ticket:{ticket.id}", ticket.state.value)


def _publish_cancelled(deps: Deps, tx: Transaction, ticket: Ticket, reason: str) -> None:
    event = pb.TicketCancelled(
        meta=new_meta(deps.hall.id, ticket.agency, tx.now), ticket=ticket_ref(ticket), reason=reason
    )
    tx.publish(event, ticket.traceparent)


def _cancelled(deps: Deps, ticket: Ticket, reason: str) -> None:
    deps.metrics.cancelled.labels(ticket.agency, ticket.service, reason).inc()
    deps.live.publish(f"ticket:{ticket.id}", ticket.state.value)
