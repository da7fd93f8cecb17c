"""Why a counter paused (counter.paused's reason), for its slot on the boards

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("board_counters") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("board_counters") as batch:
        batch.drop_column("reason")
