"""the verwijsindex: signals, parents' pseudonyms, matches, notifications, volumes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vi_signals",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("child_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("responsible", sa.String(length=128), nullable=False),
        sa.Column("contact", sa.LargeBinary(), nullable=False),
        sa.Column("destroy_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("archive_reason", sa.String(length=16), nullable=True),
        sa.Column("archive_until", sa.DateTime(), nullable=True),
        sa.Column("informed", sa.String(length=16), nullable=True),
        sa.Column("informed_on", sa.Date(), nullable=True),
        sa.Column("not_told_reason", sa.LargeBinary(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_vi_signals_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vi_signals")),
    )
    with op.batch_alter_table("vi_signals", schema=None) as batch_op:
        batch_op.create_index("ix_vi_signals_child_status", ["child_key", "status"], unique=False)
        batch_op.create_index("ix_vi_signals_destroy_on", ["destroy_on"], unique=False)
        batch_op.create_index(
            "ix_vi_signals_org_status", ["org_id", "status", "created_at"], unique=False
        )
        batch_op.create_index("ix_vi_signals_expires_at", ["expires_at"], unique=False)
        batch_op.create_index("ix_vi_signals_archive_until", ["archive_until"], unique=False)

    op.create_table(
        "vi_volumes",
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_vi_volumes_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_vi_volumes")),
    )
    op.create_table(
        "vi_matches",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("signal_id", sa.String(length=40), nullable=False),
        sa.Column("other_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("regie_org", sa.String(length=40), nullable=True),
        sa.Column("regie_person", sa.String(length=128), nullable=True),
        sa.Column("regie_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["other_id"], ["vi_signals.id"], name=op.f("fk_vi_matches_other_id_vi_signals")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["vi_signals.id"], name=op.f("fk_vi_matches_signal_id_vi_signals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vi_matches")),
        sa.UniqueConstraint("signal_id", "other_id", name=op.f("uq_vi_matches_signal_id")),
    )
    with op.batch_alter_table("vi_matches", schema=None) as batch_op:
        batch_op.create_index("ix_vi_matches_other", ["other_id"], unique=False)

    op.create_table(
        "vi_signal_parents",
        sa.Column("signal_id", sa.String(length=40), nullable=False),
        sa.Column("parent_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["vi_signals.id"], name=op.f("fk_vi_signal_parents_signal_id_vi_signals")
        ),
        sa.PrimaryKeyConstraint("signal_id", "parent_key", name=op.f("pk_vi_signal_parents")),
    )
    with op.batch_alter_table("vi_signal_parents", schema=None) as batch_op:
        batch_op.create_index("ix_vi_signal_parents_parent", ["parent_key"], unique=False)

    op.create_table(
        "vi_notifications",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("signal_id", sa.String(length=40), nullable=False),
        sa.Column("match_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"], ["vi_matches.id"], name=op.f("fk_vi_notifications_match_id_vi_matches")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_vi_notifications_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["vi_signals.id"], name=op.f("fk_vi_notifications_signal_id_vi_signals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vi_notifications")),
    )
    with op.batch_alter_table("vi_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vi_notifications_org", ["org_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vi_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_vi_notifications_org")

    op.drop_table("vi_notifications")
    with op.batch_alter_table("vi_signal_parents", schema=None) as batch_op:
        batch_op.drop_index("ix_vi_signal_parents_parent")

    op.drop_table("vi_signal_parents")
    with op.batch_alter_table("vi_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_vi_matches_other")

    op.drop_table("vi_matches")
    op.drop_table("vi_volumes")
    with op.batch_alter_table("vi_signals", schema=None) as batch_op:
        batch_op.drop_index("ix_vi_signals_archive_until")
        batch_op.drop_index("ix_vi_signals_expires_at")
        batch_op.drop_index("ix_vi_signals_org_status")
        batch_op.drop_index("ix_vi_signals_destroy_on")
        batch_op.drop_index("ix_vi_signals_child_status")

    op.drop_table("vi_signals")
