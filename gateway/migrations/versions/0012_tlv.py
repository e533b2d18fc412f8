"""the SWV's TLV procedure: the request, the experts who advised, the decision

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tlvs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("swv_org_id", sa.String(length=40), nullable=False),
        sa.Column("school_org_id", sa.String(length=40), nullable=False),
        sa.Column("request_transfer_id", sa.String(length=40), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("objection_until", sa.Date(), nullable=True),
        sa.Column("decision_transfer_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_transfer_id"],
            ["transfers.id"],
            name=op.f("fk_tlvs_decision_transfer_id_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["request_transfer_id"],
            ["transfers.id"],
            name=op.f("fk_tlvs_request_transfer_id_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["school_org_id"],
            ["organisations.id"],
            name=op.f("fk_tlvs_school_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["swv_org_id"], ["organisations.id"], name=op.f("fk_tlvs_swv_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlvs")),
        sa.UniqueConstraint("request_transfer_id", name=op.f("uq_tlvs_request_transfer_id")),
    )
    with op.batch_alter_table("tlvs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tlvs_subject_ref"), ["subject_ref"], unique=False)
        batch_op.create_index(
            "ix_tlvs_swv_valid_until", ["swv_org_id", "valid_until", "id"], unique=False
        )

    op.create_table(
        "tlv_advices",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tlv_id", sa.String(length=40), nullable=False),
        sa.Column("transfer_id", sa.String(length=40), nullable=False),
        sa.Column("discipline", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tlv_id"], ["tlvs.id"], name=op.f("fk_tlv_advices_tlv_id_tlvs")),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_tlv_advices_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlv_advices")),
        sa.UniqueConstraint("tlv_id", "transfer_id", name=op.f("uq_tlv_advices_tlv_id")),
    )
    with op.batch_alter_table("tlv_advices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tlv_advices_tlv_id"), ["tlv_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tlv_advices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tlv_advices_tlv_id"))

    op.drop_table("tlv_advices")
    with op.batch_alter_table("tlvs", schema=None) as batch_op:
        batch_op.drop_index("ix_tlvs_swv_valid_until")
        batch_op.drop_index(batch_op.f("ix_tlvs_subject_ref"))

    op.drop_table("tlvs")
