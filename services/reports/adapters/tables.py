"""The reports service's tables: a read model of the hall built from its events, nothing else's
to write. ``visits`` holds one row per ticket, ``legs`` one per queue it stood in (a transfer adds
one), ``bookings`` one per booking, ``stations`` each counter as it stands now and ``devices`` each
kiosk and board as its service last published it (the live hall), ``surveys`` the SKM responses
(tied to a visit, no NIK, no phone; each is also an event, so it too comes back from the stream).
The inbox makes the consumer idempotent; the outbox carries the survey events.

Every row names its hall: a service folds one hall's stream, but one database may hold the record
of many halls (a city's), and a report across them is one query.

Every row can be rebuilt: wipe the read model and replay the stream (``cli rebuild``)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

from antre.inbox import inbox_table
from antre.outbox import outbox_table

metadata = MetaData()

visits = Table(
    "visits",
    metadata,
    Column("ticket_id", String(64), primary_key=True),
    Column("hall", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("number", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("kiosk", String(64), nullable=False),
    Column("booking_id", String(64), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("legs", SmallInteger, nullable=False),
    Index("ix_visits_hall_day", "hall", "day"),
)

legs = Table(
    "legs",
    metadata,
    Column("ticket_id", String(64), primary_key=True),
    Column("leg", SmallInteger, primary_key=True),
    Column("hall", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("hour", SmallInteger, nullable=False),
    Column("service", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("called_at", DateTime(timezone=True), nullable=True),
    Column("recalls", SmallInteger, nullable=False),
    Column("counter", Integer, nullable=True),
    Column("officer", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("transferred_to", String(64), nullable=False),
    # Seconds, kept beside the times they come from so reports aggregate without date arithmetic
    # (which differs between databases); null where the leg has none (never called, not served).
    Column("wait_seconds", Integer, nullable=True),
    Column("service_seconds", Integer, nullable=True),
    # Set aside at the counter (tunda) while being served: since when, and the time away in all
    # (taken out of the service time).
    Column("held_at", DateTime(timezone=True), nullable=True),
    Column("away_seconds", Float, nullable=False, server_default="0"),
    # Brought back into the queue (kembalikan ke antrean) then: the live hall's wait runs from it.
    Column("returned_at", DateTime(timezone=True), nullable=True),
    # A report reads a range of a hall's days, for the hall or one agency: the columns it counts
    # ride in the index (PostgreSQL), so a range is read from the index alone, in order, however
    # the halls' rows lie interleaved in the table.
    Index(
        "ix_legs_report",
        "hall",
        "day",
        "agency",
        postgresql_include=[
            "service",
            "hour",
            "counter",
            "officer",
            "ticket_id",
            "leg",
            "channel",
            "priority",
            "outcome",
            "wait_seconds",
            "service_seconds",
            "queued_at",
            "returned_at",
        ],
    ),
)

bookings = Table(
    "bookings",
    metadata,
    Column("booking_id", String(64), primary_key=True),
    Column("hall", String(64), nullable=False),
    Column("day", Date, nullable=False),  # the session's hall day
    Column("service", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("session_start", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False),  # booked, cancelled, checked_in, no_show
    Column("checked_in_at", DateTime(timezone=True), nullable=True),
    Column("late", SmallInteger, nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Index("ix_bookings_hall_day_agency", "hall", "day", "agency"),
)

stations = Table(
    "stations",
    metadata,
    Column("hall", String(64), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("state", String(16), nullable=False),  # open, paused, closed
    Column("officer", String(64), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("services", Text, nullable=False),  # comma-separated, as opened
    Column("since", DateTime(timezone=True), nullable=True),
    Column("ticket_id", String(64), nullable=False),
    Column("ticket_number", String(16), nullable=False),
    Column("ticket_service", String(64), nullable=False),
    Column("ticket_state", String(16), nullable=False),  # called, serving, or empty
    Column("ticket_since", DateTime(timezone=True), nullable=True),
)

surveys = Table(
    "surveys",
    metadata,
    Column("ticket_id", String(64), primary_key=True),  # one response per completed visit
    Column("hall", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("service", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("u1", SmallInteger, nullable=False),
    Column("u2", SmallInteger, nullable=False),
    Column("u3", SmallInteger, nullable=False),
    Column("u4", SmallInteger, nullable=False),
    Column("u5", SmallInteger, nullable=False),
    Column("u6", SmallInteger, nullable=False),
    Column("u7", SmallInteger, nullable=False),
    Column("u8", SmallInteger, nullable=False),
    Column("u9", SmallInteger, nullable=False),
    Column("age", SmallInteger, nullable=True),
    Column("sex", String(1), nullable=False),
    Column("education", String(16), nullable=False),
    Column("occupation", String(16), nullable=False),
    Column("suggestion", Text, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_surveys_hall_day_agency", "hall", "day", "agency"),
)

# The hall's kiosks and boards as ticketing and the display last published them (device.status):
# only devices that ever changed have a row. ``at`` is the status's time: an older one, published
# by another replica and arriving late, never overwrites a newer.
devices = Table(
    "devices",
    metadata,
    Column("hall", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),  # kiosk, board
    Column("device", String(64), primary_key=True),
    Column("silent", Boolean, nullable=False),
    Column("sound", Boolean, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# The hall's IKM of the month as reports last published it (skm.index): the job publishes a change
# only, decided against this row in the transaction that moves it. Reports' own memory, not part
# of the record: a rebuild leaves it.
skm_published = Table(
    "skm_published",
    metadata,
    Column("hall", String(64), primary_key=True),
    Column("month", String(7), nullable=False),  # YYYY-MM; empty before the first
    Column("responses", Integer, nullable=False),
    Column("ikm_hundredths", Integer, nullable=False),  # 8740 for 87.40; 0 with no responses
    Column("grade", String(1), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# What a rebuild wipes and the stream gives back.
READ_MODEL = (visits, legs, bookings, stations, surveys, devices)
