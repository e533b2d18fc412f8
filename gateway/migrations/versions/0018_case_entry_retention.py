"""a case entry carries the day it expires, set when its case closes, for the purge

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_case_entries_expires_on", ["expires_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_case_entries_expires_on")
        batch_op.drop_column("expires_on")
