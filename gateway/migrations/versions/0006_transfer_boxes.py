"""the inbox and outbox in key order: (organisation, created_at, id)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfers_inbox", ["recipient_org_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_transfers_outbox", ["sender_org_id", "created_at", "id"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_transfers_recipient_org_id"))
        batch_op.drop_index(batch_op.f("ix_transfers_sender_org_id"))


def downgrade() -> None:
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfers_sender_org_id"), ["sender_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transfers_recipient_org_id"), ["recipient_org_id"], unique=False
        )
        batch_op.drop_index("ix_transfers_outbox")
        batch_op.drop_index("ix_transfers_inbox")
