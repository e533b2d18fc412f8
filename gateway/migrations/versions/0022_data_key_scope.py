"""a data key belongs to a scope of records that expire together, for crypto-shredding

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The keys made before scopes keep the empty scope: their ciphertexts stay readable.
    with op.batch_alter_table("data_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=80), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_data_keys_subject_ref", type_="unique")
        batch_op.create_unique_constraint(
            "uq_data_keys_subject_ref", ["subject_ref", "purpose", "scope"]
        )


def downgrade() -> None:
    with op.batch_alter_table("data_keys", schema=None) as batch_op:
        batch_op.drop_constraint("uq_data_keys_subject_ref", type_="unique")
        batch_op.create_unique_constraint("uq_data_keys_subject_ref", ["subject_ref", "purpose"])
        batch_op.drop_column("scope")
