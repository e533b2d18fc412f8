"""facts on record about a pupil and who stated them; the owner of an audited object

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("birth_fact", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("given_fact", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("family_fact", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("stated_by", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column("authoritative", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=40), nullable=True))
        batch.create_index("ix_audit_entries_owner", ["owner"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_index("ix_audit_entries_owner")
        batch.drop_column("owner")
    with op.batch_alter_table("subjects") as batch:
        for column in (
            "updated_at",
            "authoritative",
            "stated_by",
            "family_fact",
            "given_fact",
            "birth_fact",
        ):
            batch.drop_column(column)
