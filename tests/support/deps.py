"""Handlers wired to a real store (SQLite file or PostgreSQL schema) without HTTP or NATS: the
outbox fills up and tests read it. The wiring is tools/deps.py's, which the benchmarks use too."""

from __future__ import annotations

from sqlalchemy import Engine, Table, select

from antre import db
from antre.events import Envelope, decode
from services.counters.adapters.tables import outbox as counters_outbox
from services.ticketing.adapters.tables import outbox as ticketing_outbox
from tools.deps import counters_deps, ticketing_deps

__all__ = ["counters_deps", "counters_outbox", "outbox_events", "ticketing_deps", "ticketing_outbox"]


def outbox_events(engine: Engine, table: Table = ticketing_outbox) -> list[Envelope]:
    with db.read(engine) as conn:
        rows = list(conn.execute(select(table).order_by(table.c.seq)))
    return [Envelope(r.subject, decode(r.event_type, r.payload), r.traceparent) for r in rows]
