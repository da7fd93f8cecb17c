"""One-time codes proving a citizen holds a phone or an email address.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("wrong", sa.Integer, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_phone_codes_address", "phone_codes", ["address", "created_at"])
    op.create_index("ix_phone_codes_client", "phone_codes", ["client", "created_at"])
    op.create_index("ix_phone_codes_created_at", "phone_codes", ["created_at"])


def downgrade() -> None:
    op.drop_table("phone_codes")
