"""Ticketing's tables. Owned by ticketing alone; other services learn of tickets from events."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, Integer, MetaData, String, Table, UniqueConstraint, text

from antre.devices import devices_table
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
    Column("booking_id", String(32), nullable=False, default="", server_default=""),
    Column("session_start", DateTime(timezone=True)),
    # The key a kiosk sends with an issue, so that its retry after a lost answer gets this ticket.
    Column("idempotency_key", String(64), nullable=False, default="", server_default=""),
    UniqueConstraint("hall_day", "issued_service", "sequence", name="uq_ticket_number"),
    Index(
        "uq_tickets_idempotency",
        "kiosk",
        "idempotency_key",
        unique=True,
        sqlite_where=text("idempotency_key != ''"),
        postgresql_where=text("idempotency_key != ''"),
    ),
)

# The kiosks enrolled by the hall's manager, with their tokens' hashes.
devices = devices_table(metadata)

# The last number handed out per service and hall day; incremented in the issuing transaction,
# so a rolled-back issue gives its number back and numbering has no gaps.
day_sequences = Table(
    "day_sequences",
    metadata,
    Column("service", String(64), primary_key=True),
    Column("hall_day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

# ---- bookings (online booking) ----

# The table keeps its first name, reservations (and its indexes theirs): renaming it needs a
# migration and gains nothing.
bookings = Table(
    "reservations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("service", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("session_start", DateTime(timezone=True), nullable=False),
    Column("session_end", DateTime(timezone=True), nullable=False),
    Column("nik_key", String(64), nullable=False),
    Column("nik_masked", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("email", String(254), nullable=False, default=""),
    Column("language", String(2), nullable=False, default="id"),
    Column("channel", String(16), nullable=False),
    Column("client", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("ticket_id", String(32), nullable=False, default=""),
    # Wrong NIKs given with this code since it was made or last unlocked by the help desk.
    Column("nik_failures", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_reservations_due", "state", "session_start"),
    # One active booking per NIK per service per day, enforced by the database itself.
    Index(
        "uq_reservations_active",
        "nik_key",
        "service",
        "day",
        unique=True,
        sqlite_where=text("state IN ('booked', 'checked_in')"),
        postgresql_where=text("state IN ('booked', 'checked_in')"),
    ),
)

# The day's one pool per service: the kiosk and the booking page both count here.
day_pools = Table(
    "day_pools",
    metadata,
    Column("service", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("daily_quota", Integer, nullable=False),
    Column("online_quota", Integer, nullable=False),
    Column("online_used", Integer, nullable=False, default=0),
    Column("walk_in_used", Integer, nullable=False, default=0),
)

session_counts = Table(
    "session_counts",
    metadata,
    Column("service", String(64), primary_key=True),
    Column("session_start", DateTime(timezone=True), primary_key=True),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False, default=0),
)

no_shows = Table(
    "no_shows",
    metadata,
    Column("reservation_id", String(32), primary_key=True),  # the booking's id, by the first name
    Column("nik_key", String(64), nullable=False, index=True),
    Column("day", Date, nullable=False),
)

# Fixed windows per key (a phone, a client; a minute, or an hour for wrong NIKs): shared by
# every replica.
rate_windows = Table(
    "rate_windows",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("window", DateTime(timezone=True), primary_key=True),
    Column("hits", Integer, nullable=False),
    Index("ix_rate_windows_window", "window"),  # old windows are deleted by age
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
