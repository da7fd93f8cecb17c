"""Notify's periodic jobs for citizens: reminders the day before, "your turn is near" (and the
periodic re-check behind it), and the purge of contacts past their retention. Each is safe to run
on every replica at once: what it makes is unique per message key, and what it changes is re-read
in its own transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict

from antre import db
from services.notify.adapters import contacts
from services.notify.adapters import repository as repo
from services.notify.adapters.positions import PositionUnavailable
from services.notify.domain import citizens
from services.notify.domain.citizens import Contact, Kind, Stage
from services.notify.handlers.citizens import make_message
from services.notify.handlers.deps import Deps

log = logging.getLogger(__name__)

PURGE_BATCH = 500


def remind(deps: Deps) -> int:
    """Make the reminders that are due (see ``citizens.reminder_due``); returns how many
    deliveries were made."""
    if not deps.citizens.enabled:
        return 0
    hall, now = deps.hall, deps.uow.clock()
    at = hall.messages.reminder_at
    tomorrow = (hall.day_of(now) + dt.timedelta(days=1)).isoformat()
    with db.read(deps.uow.engine) as conn:
        candidates = contacts.reminder_candidates(conn, tomorrow, now)
    created = 0
    for candidate in candidates:
        if not citizens.reminder_due(candidate, now, at, hall.timezone):
            continue
        with deps.uow.begin() as tx:
            contact = contacts.get(tx.conn, candidate.booking_id)
            if contact is None or not citizens.reminder_due(contact, tx.now, at, hall.timezone):
                continue  # cancelled, checked in or reminded by another replica meanwhile
            contacts.save(tx.conn, dataclasses.replace(contact, reminded_day=contact.day))
            key = (contact.booking_id, contact.day)
            created += make_message(deps, tx, contact, Kind.REMINDER, key, "job.reminder")
    return created


def check_positions(deps: Deps) -> int:
    """Ask counters where each booked ticket behind a moved queue stands (one question per
    service); tell those with at most their service's ``turn_near`` tickets ahead, once per
    ticket. Returns how many deliveries were made."""
    source = deps.citizens.positions
    if not deps.citizens.enabled or source is None:
        return 0
    with db.read(deps.uow.engine) as conn:
        due = contacts.position_checks_due(conn, deps.citizens.batch)
    by_service: dict[str, list[Contact]] = defaultdict(list)
    for contact in due:
        by_service[contact.service].append(contact)
    created = 0
    for service_code, waiting in sorted(by_service.items()):
        service = deps.hall.service(service_code)
        turn_near = service.booking.turn_near if service and service.booking else None
        positions: dict[str, int | None] = {}
        if turn_near is not None:
            try:
                positions = source.positions(service_code, [c.ticket_id for c in waiting])
            except PositionUnavailable as exc:
                deps.metrics.position_lookups.labels("error").inc()
                log.warning("positions of %s unavailable: %s", service_code, exc)
                break  # counters is down: the flags stay, and the next round asks again
            deps.metrics.position_lookups.labels("ok").inc()
        for seen in waiting:
            created += _turn_near(deps, seen, positions.get(seen.ticket_id), turn_near)
    return created


def _turn_near(deps: Deps, seen: Contact, position: int | None, turn_near: int | None) -> int:
    with deps.uow.begin() as tx:
        if not contacts.position_checked(tx.conn, seen.booking_id, seen.position_check):
            return 0  # the queue moved again since: the next round asks afresh
        contact = contacts.get(tx.conn, seen.booking_id)
        if (
            contact is None
            or turn_near is None
            or position is None
            or contact.stage != Stage.WAITING
            or contact.turn_near_sent
            or contact.ticket_id != seen.ticket_id
            or not citizens.turn_is_near(position, turn_near)
        ):
            return 0
        contacts.save(tx.conn, dataclasses.replace(contact, turn_near_sent=True, position_check=0))
        key = (contact.ticket_id,)
        ahead = str(position - 1)
        return make_message(deps, tx, contact, Kind.TURN_NEAR, key, "job.turn_near", ahead=ahead)


def recheck_positions(deps: Deps) -> int:
    """Flag every booked ticket still waiting for its "turn near": a queue also reorders with time
    alone (a booked ticket moves ahead as its session begins), not only when a ticket leaves it.
    Returns how many were flagged."""
    if not deps.citizens.enabled:
        return 0
    with deps.uow.begin() as tx:
        return contacts.queue_moved(tx.conn, None)


def purge(deps: Deps) -> int:
    """Delete the contacts past their retention, with their messages; returns how many contacts."""
    purged = 0
    while True:
        with deps.uow.begin() as tx:
            booking_ids = contacts.due_for_purge(tx.conn, tx.now, PURGE_BATCH)
            repo.delete_for_bookings(tx.conn, booking_ids)
            contacts.remove_many(tx.conn, booking_ids)
        purged += len(booking_ids)
        deps.metrics.contacts_purged.inc(len(booking_ids))
        if len(booking_ids) < PURGE_BATCH:
            return purged
