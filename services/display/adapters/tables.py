"""The display's tables. Owned by the display alone: the announcement logs it decided, and its
mirror of the board (calls, tickets, counters) built from other services' events."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from antre.devices import devices_table
from antre.inbox import inbox_table
from antre.outbox import outbox_table

metadata = MetaData()

Seq = BigInteger().with_variant(Integer, "sqlite")

# Every zone's log in one table: seq orders the whole hall, zone picks one log. event_id is the
# call or recall that caused the entry, unique so that no call is announced twice.
announcements = Table(
    "announcements",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("zone", String(64), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("number", String(16), nullable=False),
    Column("counter", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("duration_seconds", Float, nullable=False),
    Column("event_id", String(36), nullable=False, unique=True),
    # JSON: the calls a group says, the words per language, the seqs this entry stands for
    # (empty text: a single call in Indonesian, as the first entries were written).
    Column("parts", Text, nullable=False, server_default=""),
    Column("segments", Text, nullable=False, server_default=""),
    Column("replaces", Text, nullable=False, server_default=""),
    # Set when a later entry replaced this one (a group grew, a message went ahead): boards no
    # longer read it, and it is never spoken.
    Column("superseded_by", Seq, nullable=True),
    # Who posted a message (the username): messages are capped per officer and zone.
    Column("posted_by", String(64), nullable=False, server_default=""),
    Index("ix_announcements_zone_seq", "zone", "seq"),
)

# What speaker boards reported of an entry: the first report counts (spoken or stale).
announcement_outcomes = Table(
    "announcement_outcomes",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("zone", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("via", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Where each zone's voice is booked until. One row per zone, locked while an announcement is
# scheduled, so that two replicas never give two calls the same slot.
zone_voices = Table(
    "zone_voices",
    metadata,
    Column("zone", String(64), primary_key=True),
    Column("last_end", DateTime(timezone=True), nullable=True),
)

# "Sedang dipanggil": the latest call per counter.
now_calling = Table(
    "now_calling",
    metadata,
    Column("counter", Integer, primary_key=True),
    Column("counter_name", String(128), nullable=False),
    Column("zone", String(64), nullable=False, index=True),
    Column("ticket_id", String(64), nullable=False),
    Column("number", String(16), nullable=False),
    Column("service", String(64), nullable=False),
    Column("called_at", DateTime(timezone=True), nullable=False),
    Column("announced_at", DateTime(timezone=True), nullable=False),
    Column("recalls", Integer, nullable=False),
    Column("serving", Boolean, nullable=False),
)

# Each counter's slot (domain.board.Slot): the newest fact applied, kept when the slot is empty
# so that an older event never refills it, and what is known of that ticket's visit.
# ``now_calling`` is what the slots show, written in the same transaction.
board_slots = Table(
    "board_slots",
    metadata,
    Column("counter", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("number", String(16), nullable=False),
    Column("service", String(64), nullable=False),
    Column("counter_name", String(128), nullable=False),
    Column("zone", String(64), nullable=False),
    Column("fact_recalls", Integer, nullable=False),
    Column("floor", DateTime(timezone=True), nullable=True),
    Column("called_at", DateTime(timezone=True), nullable=True),
    Column("recalled_at", DateTime(timezone=True), nullable=True),
    Column("recalls", Integer, nullable=False),
    Column("serving_at", DateTime(timezone=True), nullable=True),
)

# The board's view of each ticket, for the waiting counts (and to ignore late reports).
board_tickets = Table(
    "board_tickets",
    metadata,
    Column("ticket_id", String(64), primary_key=True),
    Column("number", String(16), nullable=False),
    Column("service", String(64), nullable=False),
    Column("hall_day", Date, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("source", String(16), nullable=False),  # whose clock ``at`` is
    Index("ix_board_tickets_day_stage", "hall_day", "stage"),
)

REASON_LENGTH = 200  # the longest pause reason the counters accept

board_counters = Table(
    "board_counters",
    metadata,
    Column("number", Integer, primary_key=True),
    Column("zone", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", String(REASON_LENGTH), nullable=False, server_default=""),  # while paused
)

# The hall's IKM per month as reports published it (skm.index); the boards' footer shows this
# month's when the hall file says boards.show_ikm. ``at``: when reports computed it (a late, older
# one never overwrites a newer).
skm_index = Table(
    "skm_index",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("responses", Integer, nullable=False),
    Column("ikm", Float, nullable=False),
    Column("grade", String(1), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# The boards enrolled by the hall's manager, with their tokens' hashes: only they report what
# became of an announcement.
devices = devices_table(metadata)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
