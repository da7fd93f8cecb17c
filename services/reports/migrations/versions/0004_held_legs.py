"""A leg set aside at the counter (tunda): since when, and the time away taken out of service

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("legs", sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("legs", sa.Column("away_seconds", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("legs", "away_seconds")
    op.drop_column("legs", "held_at")
