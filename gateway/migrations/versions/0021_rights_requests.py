"""correction and erasure requests, with their one-month term and its reminders

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("right", sa.String(length=32), nullable=False),
        sa.Column("requester_ref", sa.String(length=64), nullable=False),
        sa.Column("requester_role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ground", sa.String(length=32), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_rights_requests_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
    )
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_requests_deadline"), ["deadline"])
        batch_op.create_index(batch_op.f("ix_rights_requests_org_id"), ["org_id"])
        batch_op.create_index(batch_op.f("ix_rights_requests_subject_ref"), ["subject_ref"])

    op.create_table(
        "rights_reminders",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_rights_reminders_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_reminders_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "stage", "deadline", name=op.f("pk_rights_reminders")
        ),
    )
    with op.batch_alter_table("rights_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_reminders_org_id"), ["org_id"])


def downgrade() -> None:
    with op.batch_alter_table("rights_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_reminders_org_id"))
    op.drop_table("rights_reminders")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_requests_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_org_id"))
        batch_op.drop_index(batch_op.f("ix_rights_requests_deadline"))
    op.drop_table("rights_requests")
