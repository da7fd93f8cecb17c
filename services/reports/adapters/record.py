"""Reading and writing the visit record: the visits a batch of events touches are read whole
(with their legs), folded, and written back, each row upserted by its key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.reports.adapters.tables import legs, visits
from services.reports.domain.visits import Leg, Outcome, Visit


def load(conn: Connection, ticket_ids: Iterable[str]) -> dict[str, Visit]:
    wanted = sorted(set(ticket_ids))
    if not wanted:
        return {}
    found: dict[str, Visit] = {}
    for row in conn.execute(select(visits).where(visits.c.ticket_id.in_(wanted))).mappings():
        found[row["ticket_id"]] = Visit(
            ticket_id=row["ticket_id"],
            day=row["day"],
            number=row["number"],
            channel=row["channel"],
            priority=row["priority"],
            kiosk=row["kiosk"],
            booking_id=row["booking_id"],
            issued_at=utc(row["issued_at"]),
            outcome=Outcome(row["outcome"]),
            finished_at=maybe_utc(row["finished_at"]),
        )
    query = select(legs).where(legs.c.ticket_id.in_(wanted)).order_by(legs.c.ticket_id, legs.c.leg)
    for row in conn.execute(query).mappings():
        visit = found.get(row["ticket_id"])
        if visit is None:
            continue
        visit.legs.append(
            Leg(
                ticket_id=row["ticket_id"],
                leg=row["leg"],
                day=row["day"],
                hour=row["hour"],
                service=row["service"],
                agency=row["agency"],
                channel=row["channel"],
                priority=row["priority"],
                queued_at=utc(row["queued_at"]),
                called_at=maybe_utc(row["called_at"]),
                recalls=row["recalls"],
                counter=row["counter"],
                officer=row["officer"],
                started_at=maybe_utc(row["started_at"]),
                finished_at=maybe_utc(row["finished_at"]),
                outcome=Outcome(row["outcome"]),
                transferred_to=row["transferred_to"],
                held_at=maybe_utc(row["held_at"]),
                returned_at=maybe_utc(row["returned_at"]),
                away=dt.timedelta(seconds=row["away_seconds"]),
            )
        )
    return found


def save(conn: Connection, hall: str, changed: Sequence[Visit]) -> None:
    if not changed:
        return
    upsert(conn, visits, ["ticket_id"], [{"hall": hall, **_visit_row(v)} for v in changed])
    rows = [{"hall": hall, **_leg_row(leg)} for v in changed for leg in v.legs]
    upsert(conn, legs, ["ticket_id", "leg"], rows)


def upsert(conn: Connection, table: Table, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Insert each row, or overwrite the one with its key (both databases speak ON CONFLICT)."""
    if not rows:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table)
    changes = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes), rows)


def _visit_row(visit: Visit) -> dict[str, Any]:
    return {
        "ticket_id": visit.ticket_id,
        "day": visit.day,
        "number": visit.number,
        "channel": visit.channel,
        "priority": visit.priority,
        "kiosk": visit.kiosk,
        "booking_id": visit.booking_id,
        "issued_at": visit.issued_at,
        "outcome": visit.outcome.value,
        "finished_at": visit.finished_at,
        "legs": len(visit.legs),
    }


def _leg_row(leg: Leg) -> dict[str, Any]:
    wait, service = leg.wait_seconds, leg.service_seconds
    return {
        "ticket_id": leg.ticket_id,
        "leg": leg.leg,
        "day": leg.day,
        "hour": leg.hour,
        "service": leg.service,
        "agency": leg.agency,
        "channel": leg.channel,
        "priority": leg.priority,
        "queued_at": leg.queued_at,
        "called_at": leg.called_at,
        "recalls": leg.recalls,
        "counter": leg.counter,
        "officer": leg.officer,
        "started_at": leg.started_at,
        "finished_at": leg.finished_at,
        "outcome": leg.outcome.value,
        "transferred_to": leg.transferred_to,
        "held_at": leg.held_at,
        "returned_at": leg.returned_at,
        "away_seconds": leg.away.total_seconds(),
        # Whole seconds, the fraction dropped: what every report and its tests count in.
        "wait_seconds": None if wait is None else int(wait),
        "service_seconds": None if service is None else int(service),
    }


def utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every time here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def maybe_utc(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else utc(moment)
