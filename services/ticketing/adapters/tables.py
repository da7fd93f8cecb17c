"""Ticketing's tables. Owned by ticketing alone; other services learn of tickets from events."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, UniqueConstraint

from antre.inbox import inbox_table
from antre.outbox import outbox_table

metadata = MetaData()

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("hall_day", Date, nullable=False),
    Column("service", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("number", String(16), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("priority", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("kiosk", String(64), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("issued_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("counter", Integer),
    Column("counter_name", String(128), nullable=False, default=""),
    Column("traceparent", String(64), nullable=False, default=""),
    # The original service and sequence identify the number: a transfer changes the service.
    Column("issued_service", String(64), nullable=False),
    UniqueConstraint("hall_day", "issued_service", "sequence", name="uq_ticket_number"),
)

# The last number handed out per service and hall day; incremented in the issuing transaction,
# so a rolled-back issue gives its number back and numbering has no gaps.
day_sequences = Table(
    "day_sequences",
    metadata,
    Column("service", String(64), primary_key=True),
    Column("hall_day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
