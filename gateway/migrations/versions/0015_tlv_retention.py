"""a TLV record carries its retention class and the day it expires, for the purge

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tlvs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_tlvs_expires_on", ["expires_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tlvs", schema=None) as batch_op:
        batch_op.drop_index("ix_tlvs_expires_on")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("retention")
