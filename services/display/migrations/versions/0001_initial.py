"""The display's first tables: announcement logs, the board's mirror, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2025-11-28 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Index("ix_announcements_zone_seq", "zone", "seq"),
    )
    op.create_table(
        "zone_voices",
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("last_end", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "now_calling",
        sa.Column("counter", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("counter_name", sa.String(128), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False, index=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("serving", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "board_tickets",
        sa.Column("ticket_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("hall_day", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Index("ix_board_tickets_day_stage", "hall_day", "stage"),
    )
    op.create_table(
        "board_counters",
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", Seq, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("traceparent", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True, index=True),
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("consumer", sa.String(64), primary_key=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "inbox",
        "outbox",
        "board_counters",
        "board_tickets",
        "now_calling",
        "zone_voices",
        "announcements",
    ):
        op.drop_table(table)
