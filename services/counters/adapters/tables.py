"""The counters' tables: the queue (owner of queue order), the counters, officers (people in
their roles) and their sign-ins."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, Integer, MetaData, String, Table

from antre.inbox import inbox_table
from antre.outbox import outbox_table

metadata = MetaData()

queue = Table(
    "queue",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("hall_day", Date, nullable=False),
    Column("service", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("number", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("counter", Integer),
    Column("officer", String(64), nullable=False, default=""),
    Column("called_at", DateTime(timezone=True)),
    Column("serving_started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("recalls", Integer, nullable=False, default=0),
    Column("traceparent", String(64), nullable=False, default=""),
    # Set for a booked ticket that checked in on time: it is blended from its session's start.
    Column("session_start", DateTime(timezone=True)),
    Column("booking_id", String(32), nullable=False, default="", server_default=""),
    # Set aside at its counter since (state held); last brought back to the queue at.
    Column("held_at", DateTime(timezone=True)),
    Column("returned_at", DateTime(timezone=True)),
    Index("ix_queue_waiting", "state", "hall_day", "service", "queued_at"),
    Index("ix_queue_booked", "state", "hall_day", "service", "session_start", "queued_at"),
    # An officer names a ticket by its number: unique per hall day (prefixes are per service).
    Index("ix_queue_number", "hall_day", "number"),
)

stations = Table(
    "stations",
    metadata,
    Column("number", Integer, primary_key=True),
    Column("state", String(16), nullable=False),
    Column("officer", String(64), nullable=False, default=""),
    Column("current", String(32), nullable=False, default=""),
    Column("priority_streak", Integer, nullable=False, default=0),
    Column("booked_streak", Integer, nullable=False, default=0, server_default="0"),
    Column("changed_at", DateTime(timezone=True)),
    Column("pause_reason", String(200), nullable=False, default="", server_default=""),
)

officers = Table(
    "officers",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("agency", String(64), nullable=False, default=""),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False, default="officer", server_default="officer"),
    # Set when a manager disables the account: it cannot sign in, and its sessions were ended.
    Column("disabled_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Failed sign-ins per username and per client, so that guessing slows down across replicas;
# a row goes once its block has passed and a sign-in succeeds (or the next failure restarts it).
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("blocked_until", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
