"""a meldcode report's restriction towards the parents, and who lifted it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restriction_lifted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("restriction_lifted_by", sa.String(length=128), nullable=True)
        )
        batch_op.add_column(
            sa.Column("restriction_lift_reason", sa.String(length=32), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_break_glass_reviews_subject_ref"), ["subject_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_break_glass_reviews_subject_ref"))
        batch_op.drop_column("restriction_lift_reason")
        batch_op.drop_column("restriction_lifted_by")
        batch_op.drop_column("restriction_lifted_at")
