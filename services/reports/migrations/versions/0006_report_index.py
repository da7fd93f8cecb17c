"""Legs: the report's columns ride in the hall-day-agency index (an index-only read of a range)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:30:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INCLUDED = [
    "service",
    "hour",
    "counter",
    "officer",
    "ticket_id",
    "leg",
    "channel",
    "priority",
    "outcome",
    "wait_seconds",
    "service_seconds",
    "queued_at",
    "returned_at",
]


def upgrade() -> None:
    op.create_index("ix_legs_report", "legs", ["hall", "day", "agency"], postgresql_include=INCLUDED)
    op.drop_index("ix_legs_hall_day_agency", table_name="legs")


def downgrade() -> None:
    op.create_index("ix_legs_hall_day_agency", "legs", ["hall", "day", "agency"])
    op.drop_index("ix_legs_report", table_name="legs")
