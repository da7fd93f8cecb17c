"""The live hall as one person may see it: today's legs and the counters as they stand, read from
the record and handed to :func:`services.reports.domain.live.hall_now`.

Scope is decided here, not in the page: a supervisor's view is built from their agency's
services and counters only, so nothing of another agency is read, counted or sent. The hall's
kiosks and boards are no agency's: they are read for the whole hall's view alone, which only
hall-wide people (the hall's manager, a platform admin) get; a view narrowed to one agency, a
supervisor's or a manager's ``?agency=``, shows that agency's and nothing of the hall's devices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select

from antre.hall.model import Counter, Hall, Service
from services.reports.adapters import record
from services.reports.adapters.tables import legs, stations
from services.reports.domain import live
from services.reports.domain.stations import Station
from services.reports.handlers import devices
from services.reports.handlers.deps import Deps
from services.reports.handlers.recording import station_of


def visible(hall: Hall, agency: str) -> tuple[list[Service], list[Counter]]:
    """The services and counters of ``agency`` (every one when empty). A counter belongs to each
    agency whose service it serves."""
    if not agency:
        return list(hall.services), list(hall.counters)
    services = [s for s in hall.services if s.agency == agency]
    counters = [c for c in hall.counters if agency in hall.counter_agencies(c)]
    return services, counters


def hall_now(deps: Deps, agency: str, idle_minutes: float) -> live.HallNow:
    """Today's hall for ``agency`` ("" for the whole hall), at the unit of work's clock."""
    now = deps.uow.clock()
    day = deps.hall.day_of(now)
    services, counters = visible(deps.hall, agency)
    numbers = [c.number for c in counters]
    with deps.uow.read() as conn:
        today = _legs(conn, deps.hall.id, day, agency)
        held = _stations(conn, deps.hall.id, numbers)
        free = _last_free(conn, deps.hall.id, day, numbers)
        hall_devices = [] if agency else devices.watched(conn, deps.hall.id, deps.zone)
    return live.hall_now(services, counters, today, held, free, day, now, idle_minutes, hall_devices)


def _legs(conn: Connection, hall: str, day: dt.date, agency: str) -> list[live.LegNow]:
    """Only the four columns the live hall counts, of the hall's legs of the day (by the
    hall-day-agency index). A citizen brought back into the queue waits again from then."""
    since = func.coalesce(legs.c.returned_at, legs.c.queued_at).label("since")
    query = select(legs.c.service, legs.c.outcome, since, legs.c.wait_seconds).where(
        legs.c.hall == hall, legs.c.day == day
    )
    if agency:
        query = query.where(legs.c.agency == agency)
    return [
        live.LegNow(r.service, r.outcome, record.utc(r.since), r.wait_seconds) for r in conn.execute(query)
    ]


def _stations(conn: Connection, hall: str, numbers: list[int]) -> dict[int, Station]:
    if not numbers:
        return {}
    where = (stations.c.hall == hall) & stations.c.number.in_(numbers)
    rows = conn.execute(select(stations).where(where)).mappings()
    return {row["number"]: station_of(row) for row in rows}


def _last_free(conn: Connection, hall: str, day: dt.date, numbers: list[int]) -> dict[int, dt.datetime]:
    """When each counter last let a citizen go today (served, skipped, passed on): the record
    keeps no idle-since of its own, and a counter is idle from then as much as from opening."""
    if not numbers:
        return {}
    latest = func.max(legs.c.finished_at)
    query = (
        select(legs.c.counter, latest)
        .where(
            legs.c.hall == hall,
            legs.c.day == day,
            legs.c.counter.in_(numbers),
            legs.c.finished_at.is_not(None),
        )
        .group_by(legs.c.counter)
    )
    return {counter: record.utc(at) for counter, at in conn.execute(query) if at is not None}
