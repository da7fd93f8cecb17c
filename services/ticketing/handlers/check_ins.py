"""Checking in at the kiosk (a booking's ticket joins the queue) and the sweep that marks the
bookings nobody checked in for as no-shows."""

from __future__ import annotations

import datetime as dt

from antre.events import new_meta, ticket_ref
from antre.hall import model
from antre.hall.model import PriorityGroup, Service
from antre.problems import Refused
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.ticketing.adapters import bookings as store
from services.ticketing.adapters import repository as ticket_store
from services.ticketing.domain import bookings, citizen_bookings, hours
from services.ticketing.domain.citizen_bookings import Booking, State
from services.ticketing.domain.tickets import State as TicketState
from services.ticketing.domain.tickets import Ticket
from services.ticketing.handlers.bookings import bookable, find_slot, slot_pb, unknown_booking
from services.ticketing.handlers.deps import Deps
from services.ticketing.handlers.kiosks import kiosk_of, kiosk_of_token
from services.ticketing.handlers.tickets import open_ticket, report_issued


def check_in(
    deps: Deps,
    code: str,
    kiosk_id: str = "",
    priority: PriorityGroup = PriorityGroup.NONE,
    device_token: str | None = None,
) -> Ticket:
    """At the kiosk: the booking's ticket. Scanning twice gives the same ticket. ``priority`` is
    declared on arrival, as at a walk-in number: an elderly or pregnant citizen who booked keeps
    the priority lane (a booking made weeks before does not say it). ``device_token``: the
    kiosk's, which names it (None: a call from inside the service)."""
    kiosk = kiosk_of(deps, kiosk_id)
    with deps.uow.begin() as tx:
        if device_token is not None:
            kiosk = kiosk_of(deps, kiosk_of_token(tx.conn, device_token, kiosk_id))
        current = store.by_code(tx.conn, bookings.parse_booking_code(code), lock=True)
        if current is None:
            raise unknown_booking()
        earlier = ticket_store.get(tx.conn, current.ticket_id) if current.state == State.CHECKED_IN else None
        if earlier is not None and earlier.state != TicketState.CANCELLED:
            return earlier  # scanned twice: the same ticket
        service, rules = bookable(deps.hall, current.service)
        slot = find_slot(deps, service, current.day, deps.hall.local(current.session_start).time())
        try:
            if deps.hall.day_of(tx.now) != current.day:
                raise Refused(
                    "booking_other_day",
                    f"Reservasi ini untuk tanggal {current.day:%d-%m-%Y}",
                    f"This booking is for {current.day.isoformat()}",
                )
            if earlier is None:
                admission = bookings.admit(slot, rules, tx.now)  # too early or missed: refused
        except Refused as refusal:
            raise _outside_window(deps, tx, service, rules, slot, refusal) from None
        if earlier is not None:
            # The first ticket never printed: a fresh one keeps the first check-in's admission.
            kept = earlier.session_start
            admission = bookings.Admission("on_time" if kept else "late", kept)
        ticket = open_ticket(
            deps,
            tx,
            service,
            priority,
            kiosk,
            "online",
            booking_id=current.id,
            session_start=admission.session_start.astimezone(dt.UTC) if admission.session_start else None,
        )
        if earlier is not None:
            store.save(tx.conn, citizen_bookings.reissued(current, ticket.id, tx.now))
        else:
            store.save(tx.conn, citizen_bookings.checked_in(current, ticket.id, tx.now))
        tx.publish(
            pb.BookingCheckedIn(
                meta=new_meta(deps.hall.id, current.agency, tx.now),
                booking_id=current.id,
                ticket=ticket_ref(ticket),
                late=admission.state == "late",
            )
        )
    if ticket.state.value == "waiting":
        report_issued(deps, ticket, fresh=True)
    return ticket


def _outside_window(
    deps: Deps,
    tx: Transaction,
    service: Service,
    rules: model.Booking,
    slot: bookings.SessionSlot,
    refusal: Refused,
) -> Refused:
    """A check-in outside its window says when the window opens, while that is ahead
    (``opens_at``, hall time), and whether the citizen can take a walk-in number for the service
    now instead (``walk_in``: the hall issues and the day's walk-in places are not used up)."""
    opens, _ = bookings.check_in_window(slot, rules)
    if opens > tx.now:
        refusal.details["opens_at"] = deps.hall.local(opens).isoformat()
    refusal.details["service"] = service.code
    try:
        hours.check_issuing(deps.hall.hours, deps.hall.local(tx.now), always_open=deps.always_open)
    except Refused:
        refusal.details["walk_in"] = False
    else:
        left = store.pool(tx.conn, service.code, deps.hall.day_of(tx.now), rules).walk_in_left
        refusal.details["walk_in"] = left > 0
    return refusal


def mark_no_shows(deps: Deps) -> list[Booking]:
    """Bookings whose check-in window closed without a check-in become no-shows (as events); the
    online place stays used: the session is gone."""
    done: list[Booking] = []
    with deps.uow.begin() as tx:
        for current in store.due_for_no_show(tx.conn, tx.now):
            service = deps.hall.service(current.service)
            if service is None or service.booking is None:
                continue
            slot = find_slot(deps, service, current.day, deps.hall.local(current.session_start).time())
            if not bookings.no_show_due(slot, service.booking, tx.now):
                continue
            missed = citizen_bookings.no_show(current, tx.now)
            store.save(tx.conn, missed)
            store.add_no_show(tx.conn, missed)
            tx.publish(
                pb.BookingNoShow(
                    meta=new_meta(deps.hall.id, current.agency, tx.now),
                    booking_id=current.id,
                    slot=slot_pb(current),
                )
            )
            done.append(missed)
    return done
