"""Notify's tables. Owned by notify alone: the deliveries it owes to webhooks and citizens, the
contacts of citizens who booked (personal data: minimised and purged, see
``services/notify/domain/citizens.py``), keyed hashes of opted-out addresses, plus the shared outbox
(unused so far: notify publishes no events yet, but the runtime relays one) and the inbox that
makes its consumers idempotent."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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
    Column("channel", String(16), nullable=False, server_default="webhook"),
    Column("booking_id", String(64), nullable=False, server_default=""),
    # A redelivered event must not reach a receiver twice through two rows.
    UniqueConstraint("event_id", "url", name="uq_delivery_event_url"),
    # The worker's question: which pending deliveries are due, oldest first.
    Index("ix_deliveries_due", "state", "next_attempt_at"),
    # The operators' listing, newest first.
    Index("ix_deliveries_created_at", "created_at"),
    # The purge: a booking's messages go with its contact.
    Index("ix_deliveries_booking_id", "booking_id"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("booking_id", String(64), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("service", String(64), nullable=False),
    Column("code", String(64), nullable=False),
    Column("day", String(10), nullable=False),
    Column("session_start", DateTime(timezone=True), nullable=False),
    Column("session_end", DateTime(timezone=True), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("email", String(254), nullable=False),
    Column("language", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("purge_after", DateTime(timezone=True), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("ticket_number", String(16), nullable=False),
    Column("position_check", Integer, nullable=False),
    Column("turn_near_sent", Boolean, nullable=False),
    Column("reminded_day", String(10), nullable=False),
    Index("ix_contacts_ticket_id", "ticket_id"),
    Index("ix_contacts_day", "day"),
    Index("ix_contacts_purge_after", "purge_after"),
    # The position job's question: whose queue moved; and which waiting tickets a call affects.
    Index("ix_contacts_stage_service", "stage", "service"),
)

opt_outs = Table(
    "opt_outs",
    metadata,
    Column("digest", String(64), primary_key=True),  # HMAC-SHA256 of the address, hex
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One-time codes proving a citizen holds a phone or email (services/notify/domain/phone_codes.py):
# the address is kept only to send the code and is purged hours later with the row.
phone_codes = Table(
    "phone_codes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("purpose", String(16), nullable=False),
    Column("address", String(254), nullable=False),
    Column("client", String(64), nullable=False),
    Column("salt", String(32), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("wrong", Integer, nullable=False),
    Column("state", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    # The limits' questions: codes sent to an address, and for a client, since a moment.
    Index("ix_phone_codes_address", "address", "created_at"),
    Index("ix_phone_codes_client", "client", "created_at"),
    Index("ix_phone_codes_created_at", "created_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
