"""The hall's IKM of the month as reports last published it (skm.index)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skm_published",
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("ikm_hundredths", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hall"),
    )


def downgrade() -> None:
    op.drop_table("skm_published")
