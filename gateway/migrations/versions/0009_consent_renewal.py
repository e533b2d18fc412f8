"""consents by registering organisation: the list of consents that need renewal

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_consents_registered_by_org", "consents", ["registered_by_org"])


def downgrade() -> None:
    op.drop_index("ix_consents_registered_by_org", table_name="consents")
