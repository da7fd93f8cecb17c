"""Who posted each service message, so that messages are capped per officer and zone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-02 00:00:01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("announcements") as table:
        table.add_column(sa.Column("posted_by", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("announcements") as table:
        table.drop_column("posted_by")
