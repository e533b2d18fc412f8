"""each organisation's contact details and privacy officer, for its AVG art. 30 register

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("contact", sa.String(300), nullable=True))
        batch.add_column(sa.Column("privacy_officer", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("privacy_officer")
        batch.drop_column("contact")
