"""Announcements that group calls, speak several languages and replace waiting entries; what
speaker boards reported of each.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-20 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("announcements") as table:
        table.add_column(sa.Column("parts", sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("segments", sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("replaces", sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("superseded_by", Seq, nullable=True))
    op.create_table(
        "announcement_outcomes",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("announcement_outcomes")
    with op.batch_alter_table("announcements") as table:
        for column in ("superseded_by", "replaces", "segments", "parts"):
            table.drop_column(column)
