"""the meldcode steps a report skipped, on the privacy officer's review

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skipped_steps", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.drop_column("skipped_steps")
