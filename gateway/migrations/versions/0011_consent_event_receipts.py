"""the receipt issued with each consent event, so a reissued receipt keeps the earlier one

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("consent_events", sa.Column("receipt", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("consent_events", "receipt")
