"""All of ticketing's queries."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Connection, Insert, Row, Update, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import row_of, utc
from antre.hall.model import PriorityGroup
from services.ticketing.adapters.tables import day_sequences, tickets
from services.ticketing.domain.tickets import State, Ticket

# Statements are built once and take their values as parameters, so that SQLAlchemy's compiled
# cache serves every issue (building ``.values(...)`` anew costs more than the database here).


@functools.cache
def _take_number(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    t = day_sequences
    return (
        insert(t)
        .values(service=bindparam("service"), hall_day=bindparam("hall_day"), last=1)
        .on_conflict_do_update(index_elements=[t.c.service, t.c.hall_day], set_={"last": t.c.last + 1})
        .returning(t.c.last)
    )


@functools.cache
def _update() -> Update:
    return update(tickets).where(tickets.c.id == bindparam("key"))


@functools.cache
def _update_from() -> Update:
    return update(tickets).where(tickets.c.id == bindparam("key"), tickets.c.state == bindparam("was"))


def next_sequence(conn: Connection, service: str, day: dt.date) -> int:
    """Atomically take the next number: one statement, so two kiosks never read the same value."""
    stmt = _take_number(conn.dialect.name)
    return int(conn.execute(stmt, {"service": service, "hall_day": day}).scalar_one())


def add(conn: Connection, ticket: Ticket, issued_service: str, idempotency_key: str = "") -> None:
    row = {**_row(ticket), "issued_service": issued_service, "idempotency_key": idempotency_key}
    conn.execute(tickets.insert(), row)


def by_idempotency_key(conn: Connection, kiosk: str, key: str) -> Ticket | None:
    """The ticket a kiosk already asked for with this key, if any."""
    query = select(tickets).where(tickets.c.kiosk == kiosk, tickets.c.idempotency_key == key)
    row = conn.execute(query).first()
    return _ticket(row) if row else None


def save(conn: Connection, ticket: Ticket) -> None:
    conn.execute(_update(), {**_row(ticket), "key": ticket.id})


def move(conn: Connection, ticket: Ticket, was: State) -> bool:
    """Save ``ticket`` only if its row is still in state ``was``; True if this call moved it.
    Two transactions racing to move one ticket out of ``was`` (a kiosk's print-failed and the
    print timeout) both get here; only the one whose update matched may act on the move."""
    return conn.execute(_update_from(), {**_row(ticket), "key": ticket.id, "was": was.value}).rowcount == 1


def get(conn: Connection, ticket_id: str, *, lock: bool = False) -> Ticket | None:
    query = select(tickets).where(tickets.c.id == ticket_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _ticket(row) if row else None


def printing_before(conn: Connection, moment: dt.datetime) -> list[Ticket]:
    """Tickets still printing since ``moment`` or before. On PostgreSQL they are locked and rows
    another transaction holds (a kiosk confirming or failing the print, another replica's round)
    are skipped; in one order, so two rounds never wait on each other's rows."""
    query = (
        select(tickets)
        .where(tickets.c.state == State.PRINTING, tickets.c.created_at <= moment)
        .order_by(tickets.c.created_at, tickets.c.id)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [_ticket(r) for r in conn.execute(query)]


def waiting_before(conn: Connection, day: dt.date, limit: int) -> list[Ticket]:
    """Tickets still waiting from hall days before ``day``, oldest first. On PostgreSQL they are
    locked and rows another replica holds are skipped, so two replicas never end one twice."""
    query = (
        select(tickets)
        .where(tickets.c.state == State.WAITING, tickets.c.hall_day < day)
        .order_by(tickets.c.hall_day, tickets.c.sequence)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [_ticket(r) for r in conn.execute(query)]


def _row(ticket: Ticket) -> dict[str, object]:
    row = row_of(ticket)
    row["priority"] = ticket.priority.value
    row["state"] = ticket.state.value
    return row


def _ticket(row: Row[*tuple[Any, ...]]) -> Ticket:
    m = row._mapping
    return Ticket(
        id=m["id"],
        hall_day=m["hall_day"],
        service=m["service"],
        agency=m["agency"],
        number=m["number"],
        sequence=m["sequence"],
        priority=PriorityGroup(m["priority"]),
        channel=m["channel"],
        kiosk=m["kiosk"],
        state=State(m["state"]),
        created_at=utc(m["created_at"]),
        issued_at=utc(m["issued_at"]),
        counter=m["counter"],
        counter_name=m["counter_name"],
        traceparent=m["traceparent"],
        updated_at=utc(m["updated_at"]),
        booking_id=m["booking_id"],
        session_start=utc(m["session_start"]),
        issued_service=m["issued_service"],
    )
