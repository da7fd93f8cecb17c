"""wrong NIKs counted per booking, masks of four digits, rate windows pruned by age

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nik_failures", sa.Integer(), server_default="0", nullable=False))
    # Masks made before showed the region too (7471********0001): eight digits narrowed a guess.
    op.execute("UPDATE reservations SET nik_masked = '************' || substr(nik_masked, 13, 4)")
    with op.batch_alter_table("rate_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_windows_window"), ["window"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_windows_window"))
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_column("nik_failures")
