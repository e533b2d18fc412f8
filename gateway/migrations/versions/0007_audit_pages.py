"""the privacy officer's audit pages in key order: (org, seq) and (owner, seq)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_entries_org_seq", "audit_entries", ["org", "seq"])
    op.create_index("ix_audit_entries_owner_seq", "audit_entries", ["owner", "seq"])
    op.drop_index("ix_audit_entries_org", table_name="audit_entries")
    op.drop_index("ix_audit_entries_owner", table_name="audit_entries")


def downgrade() -> None:
    op.create_index("ix_audit_entries_owner", "audit_entries", ["owner"])
    op.create_index("ix_audit_entries_org", "audit_entries", ["org"])
    op.drop_index("ix_audit_entries_owner_seq", table_name="audit_entries")
    op.drop_index("ix_audit_entries_org_seq", table_name="audit_entries")
