"""A leg brought back into its queue (kembalikan ke antrean): since when it waits again

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("legs", sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("legs", "returned_at")
