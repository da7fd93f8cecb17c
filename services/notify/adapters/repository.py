"""Notify's queries about deliveries (contacts and opt-outs: :mod:`.contacts`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.db import utc
from services.notify.adapters.tables import deliveries
from services.notify.domain.deliveries import Delivery, State


def add(conn: Connection, delivery: Delivery) -> bool:
    """Insert a delivery; False if this event already has one for this URL. The inbox normally
    stops a redelivered event first; the unique key is the backstop."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(deliveries).values(**_row(delivery)).on_conflict_do_nothing()
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return conn.execute(stmt.returning(deliveries.c.id)).first() is not None


def save(conn: Connection, delivery: Delivery) -> None:
    conn.execute(update(deliveries).where(deliveries.c.id == delivery.id).values(**_row(delivery)))


def get(conn: Connection, delivery_id: str) -> Delivery | None:
    row = conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
    return _delivery(row) if row else None


def claim_due(conn: Connection, now: dt.datetime, limit: int, lease_until: dt.datetime) -> list[Delivery]:
    """Take the due pending deliveries (oldest due first) and push their ``next_attempt_at`` to
    ``lease_until``, in the caller's transaction.

    The lease is what keeps two workers from sending the same delivery at once: once the claiming
    transaction commits, no other worker sees the rows as due until the lease runs out, and the
    claimer records the outcome long before that. On PostgreSQL, ``FOR UPDATE SKIP LOCKED`` lets
    a second replica claiming at the same moment skip the rows instead of waiting for them; on
    SQLite the write transaction (``BEGIN IMMEDIATE``) already serialises claimers.
    Returned deliveries keep their original ``next_attempt_at``.
    """
    query = due_query(now, limit, skip_locked=conn.dialect.name == "postgresql")
    claimed = [_delivery(r) for r in conn.execute(query)]
    if claimed:
        ids = [d.id for d in claimed]
        conn.execute(update(deliveries).where(deliveries.c.id.in_(ids)).values(next_attempt_at=lease_until))
    return claimed


def due_query(now: dt.datetime, limit: int, *, skip_locked: bool) -> Select[*tuple[Any, ...]]:
    t = deliveries
    query = (
        select(t)
        .where(t.c.state == State.PENDING.value, t.c.next_attempt_at <= now)
        .order_by(t.c.next_attempt_at, t.c.id)
        .limit(limit)
    )
    return query.with_for_update(skip_locked=True) if skip_locked else query


def listing(conn: Connection, state: State | None, limit: int) -> list[Delivery]:
    """Newest first, for operators."""
    t = deliveries
    query = select(t).order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(t.c.state == state.value)
    return [_delivery(r) for r in conn.execute(query)]


def count_pending(conn: Connection) -> int:
    query = select(func.count()).select_from(deliveries).where(deliveries.c.state == State.PENDING.value)
    return int(conn.execute(query).scalar_one())


def for_event(conn: Connection, event_id: str) -> list[Delivery]:
    query = select(deliveries).where(deliveries.c.event_id == event_id).order_by(deliveries.c.url)
    return [_delivery(r) for r in conn.execute(query)]


def delete_for_bookings(conn: Connection, booking_ids: Collection[str]) -> int:
    """A booking's messages, sent or not, go with its contact (the purge)."""
    if not booking_ids:
        return 0
    t = deliveries
    return conn.execute(delete(t).where(t.c.booking_id.in_(list(booking_ids)))).rowcount


def _row(delivery: Delivery) -> dict[str, object]:
    row = asdict(delivery)
    row["state"] = delivery.state.value
    return row


def _delivery(row: Row[*tuple[Any, ...]]) -> Delivery:
    m = row._mapping
    return Delivery(
        id=m["id"],
        event_id=m["event_id"],
        event=m["event"],
        url=m["url"],
        subject=m["subject"],
        payload=m["payload"],
        state=State(m["state"]),
        attempts=m["attempts"],
        next_attempt_at=utc(m["next_attempt_at"]),
        created_at=utc(m["created_at"]),
        updated_at=utc(m["updated_at"]),
        last_error=m["last_error"],
        traceparent=m["traceparent"],
        channel=m["channel"],
        booking_id=m["booking_id"],
    )
