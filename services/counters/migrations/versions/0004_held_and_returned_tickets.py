"""held and returned tickets, tickets by number, pause reasons

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-14 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_queue_number", ["hall_day", "number"], unique=False)

    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pause_reason", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("pause_reason")

    with op.batch_alter_table("queue", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_number")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("held_at")
