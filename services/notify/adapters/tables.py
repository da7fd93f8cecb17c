"""Notify's tables. Owned by notify alone: the deliveries it owes to webhooks, plus the shared
outbox (unused so far: notify publishes no events yet, but the runtime relays one) and the inbox
that makes its consumer idempotent."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

from antre.inbox import inbox_table
from antre.outbox import outbox_table

metadata = MetaData()

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("event", String(64), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("traceparent", String(64), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # A redelivered event must not reach a receiver twice through two rows.
    UniqueConstraint("event_id", "url", name="uq_delivery_event_url"),
    # The worker's question: which pending deliveries are due, oldest first.
    Index("ix_deliveries_due", "state", "next_attempt_at"),
    # The operators' listing, newest first.
    Index("ix_deliveries_created_at", "created_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
