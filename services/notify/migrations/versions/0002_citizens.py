"""Messages to citizens: a delivery's channel and booking, the contacts of citizens who booked,
and keyed hashes of opted-out addresses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-09 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN with a default: existing rows are webhook deliveries; SQLite needs no batch.
    op.add_column("deliveries", sa.Column("channel", sa.String(16), nullable=False, server_default="webhook"))
    op.add_column("deliveries", sa.Column("booking_id", sa.String(64), nullable=False, server_default=""))
    op.create_index("ix_deliveries_booking_id", "deliveries", ["booking_id"])

    op.create_table(
        "contacts",
        sa.Column("booking_id", sa.String(64), primary_key=True),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("session_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("ticket_number", sa.String(16), nullable=False),
        sa.Column("position_check", sa.Integer(), nullable=False),
        sa.Column("turn_near_sent", sa.Boolean(), nullable=False),
        sa.Column("reminded_day", sa.String(10), nullable=False),
    )
    op.create_index("ix_contacts_ticket_id", "contacts", ["ticket_id"])
    op.create_index("ix_contacts_day", "contacts", ["day"])
    op.create_index("ix_contacts_purge_after", "contacts", ["purge_after"])
    op.create_index("ix_contacts_stage_service", "contacts", ["stage", "service"])

    op.create_table(
        "opt_outs",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("opt_outs")
    op.drop_index("ix_contacts_stage_service", table_name="contacts")
    op.drop_index("ix_contacts_purge_after", table_name="contacts")
    op.drop_index("ix_contacts_day", table_name="contacts")
    op.drop_index("ix_contacts_ticket_id", table_name="contacts")
    op.drop_table("contacts")
    op.drop_index("ix_deliveries_booking_id", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:  # SQLite drops columns by copying the table
        batch.drop_column("booking_id")
        batch.drop_column("channel")
