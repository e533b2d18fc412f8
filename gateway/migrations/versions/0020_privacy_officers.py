"""privacy officers registered per organisation, by a keyed pseudonym of their login

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_officers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("officer_ref", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "officer_ref"),
    )
    op.create_index("ix_privacy_officers_org_id", "privacy_officers", ["org_id"])
    op.create_index("ix_privacy_officers_officer_ref", "privacy_officers", ["officer_ref"])


def downgrade() -> None:
    op.drop_index("ix_privacy_officers_officer_ref", table_name="privacy_officers")
    op.drop_index("ix_privacy_officers_org_id", table_name="privacy_officers")
    op.drop_table("privacy_officers")
