"""reservations and the day's pools

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:58:30.908448
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_pools",
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("daily_quota", sa.Integer(), nullable=False),
        sa.Column("online_quota", sa.Integer(), nullable=False),
        sa.Column("online_used", sa.Integer(), nullable=False),
        sa.Column("walk_in_used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service", "day"),
    )
    op.create_table(
        "no_shows",
        sa.Column("reservation_id", sa.String(length=32), nullable=False),
        sa.Column("nik_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("reservation_id"),
    )
    with op.batch_alter_table("no_shows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_no_shows_nik_key"), ["nik_key"], unique=False)

    op.create_table(
        "rate_windows",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("window", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window"),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nik_key", sa.String(length=64), nullable=False),
        sa.Column("nik_masked", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index("ix_reservations_due", ["state", "session_start"], unique=False)
        batch_op.create_index(
            "uq_reservations_active",
            ["nik_key", "service", "day"],
            unique=True,
            sqlite_where=sa.text("state IN ('booked', 'checked_in')"),
            postgresql_where=sa.text("state IN ('booked', 'checked_in')"),
        )

    op.create_table(
        "session_counts",
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("session_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service", "session_start"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("session_start", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("session_start")
        batch_op.drop_column("booking_id")

    op.drop_table("session_counts")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reservations_active",
            sqlite_where=sa.text("state IN ('booked', 'checked_in')"),
            postgresql_where=sa.text("state IN ('booked', 'checked_in')"),
        )
        batch_op.drop_index("ix_reservations_due")

    op.drop_table("reservations")
    op.drop_table("rate_windows")
    with op.batch_alter_table("no_shows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_no_shows_nik_key"))

    op.drop_table("no_shows")
    op.drop_table("day_pools")
