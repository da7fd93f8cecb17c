"""bookings in the queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:56:16.914181
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_start", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("booking_id", sa.String(length=32), server_default="", nullable=False))
        batch_op.create_index(
            "ix_queue_booked", ["state", "hall_day", "service", "session_start", "queued_at"], unique=False
        )

    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booked_streak", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("booked_streak")

    with op.batch_alter_table("queue", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_booked")
        batch_op.drop_column("booking_id")
        batch_op.drop_column("session_start")
