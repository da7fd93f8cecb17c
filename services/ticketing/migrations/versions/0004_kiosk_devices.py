"""kiosks enrolled with tokens, and idempotent issues

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 13:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("idempotency_key", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_index(
            "uq_tickets_idempotency",
            ["kiosk", "idempotency_key"],
            unique=True,
            sqlite_where=sa.text("idempotency_key != ''"),
            postgresql_where=sa.text("idempotency_key != ''"),
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("uq_tickets_idempotency")
        batch_op.drop_column("idempotency_key")
    op.drop_table("devices")
