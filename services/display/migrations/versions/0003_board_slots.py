"""Each counter's slot on the board: the newest fact applied to it, so that events arriving out
of order after an outage give the same board as in order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-02 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_slots",
        sa.Column("counter", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("counter_name", sa.String(128), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("fact_recalls", sa.Integer(), nullable=False),
        sa.Column("floor", sa.DateTime(timezone=True), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("serving_at", sa.DateTime(timezone=True), nullable=True),
    )
    # The calls on the boards now become their counters' slots, showing the same thing: without
    # them, the first event after the upgrade would be taken as the newest whatever its age.
    op.execute(
        """
        INSERT INTO board_slots (counter, kind, at, ticket_id, number, service, counter_name, zone,
                                 fact_recalls, floor, called_at, recalled_at, recalls, serving_at)
        SELECT counter,
               CASE WHEN serving THEN 'serving' WHEN recalls > 0 THEN 'recalled' ELSE 'called' END,
               announced_at, ticket_id, number, service, counter_name, zone,
               recalls, NULL, called_at,
               CASE WHEN recalls > 0 THEN announced_at END,
               recalls,
               CASE WHEN serving THEN announced_at END
        FROM now_calling
        """
    )


def downgrade() -> None:
    op.drop_table("board_slots")
