"""Ticketing's read side: a ticket as its status page shows it, and a service's bookable days,
sessions and places left, the same counts the kiosk and the booking commands use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antre.problems import NotFound
from services.ticketing.adapters import bookings as store
from services.ticketing.adapters import repository as repo
from services.ticketing.domain import bookings
from services.ticketing.domain.tickets import Ticket
from services.ticketing.handlers.bookings import bookable
from services.ticketing.handlers.deps import Deps


def get(deps: Deps, ticket_id: str) -> Ticket:
    with deps.uow.read() as conn:
        ticket = repo.get(conn, ticket_id)
    if ticket is None:
        raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan", "Ticket not found")
    return ticket


@dataclass(frozen=True)
class SessionView:
    start: dt.datetime
    end: dt.datetime
    capacity: int
    left: int


def availability(deps: Deps, code: str) -> list[tuple[dt.date, bookings.DayPool, list[SessionView]]]:
    """Each bookable day with the day's pool and each session's places left: the same counts the
    kiosk and the booking commands use."""
    service, rules = bookable(deps.hall, code)
    now = deps.uow.clock()
    hall = deps.hall
    out = []
    with deps.uow.read() as conn:
        for day in bookings.bookable_days(service, hall.hours, hall.day_of(now), hall.local(now)):
            slots = [
                s for s in bookings.sessions_on(service, day, hall.hours, hall.timezone) if s.start > now
            ]
            booked = store.sessions_booked(conn, service.code, [s.start.astimezone(dt.UTC) for s in slots])
            views = [
                SessionView(
                    s.start,
                    s.end,
                    s.capacity,
                    bookings.session_left(s.capacity, booked.get(s.start.astimezone(dt.UTC), 0)),
                )
                for s in slots
            ]
            out.append((day, store.pool(conn, service.code, day, rules), views))
    return out


def pool(deps: Deps, code: str, day: dt.date) -> bookings.DayPool:
    _, rules = bookable(deps.hall, code)
    with deps.uow.read() as conn:
        return store.pool(conn, code, day, rules)
