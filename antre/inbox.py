"""Idempotent consumers: a consumer records each event id it applied in the same transaction as
the change the event caused, so a redelivered event changes nothing the second time."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from sqlalchemy import Column, Connection, DateTime, Insert, MetaData, String, Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from antre.events import Envelope


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(64), primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )


@functools.cache
def _mark(table: Table, dialect: str) -> Insert:
    # Built once with parameters: SQLAlchemy's compiled cache then serves every event.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table).values(
        event_id=bindparam("event_id"), consumer=bindparam("consumer"), applied_at=bindparam("applied_at")
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return stmt.on_conflict_do_nothing().returning(table.c.event_id)


def first_time(conn: Connection, table: Table, consumer: str, event_id: str, now: dt.datetime) -> bool:
    """Record the event as applied; False if it already was (then the caller does nothing)."""
    params = {"event_id": event_id, "consumer": consumer, "applied_at": now}
    return conn.execute(_mark(table, conn.dialect.name), params).first() is not None


def new_events(
    conn: Connection, table: Table, consumer: str, envelopes: Sequence[Envelope], now: dt.datetime
) -> list[Envelope]:
    """Record a batch of events as applied in one statement; the events applied for the first
    time, in their order (an event twice in the batch comes once)."""
    if not envelopes:
        return []
    params = [{"event_id": e.event_id, "consumer": consumer, "applied_at": now} for e in envelopes]
    fresh = {row[0] for row in conn.execute(_mark(table, conn.dialect.name), params)}
    out = []
    for envelope in envelopes:
        if envelope.event_id in fresh:
            fresh.discard(envelope.event_id)
            out.append(envelope)
    return out
