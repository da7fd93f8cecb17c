"""The hall's satisfaction index per month, as reports published it, for the boards' footer

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 16:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skm_index",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("ikm", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )


def downgrade() -> None:
    op.drop_table("skm_index")
