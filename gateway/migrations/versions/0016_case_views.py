"""the parents' and the pupil's own view in a case: an entry the portal writes

An entry's owner was always a registered organisation. The parents and the pupil take
part through the portal and own their view themselves, so an entry's owner is either an
organisation or the portal (`portaal`); the foreign key to the organisations goes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_entries_org_id_organisations", type_="foreignkey")


def downgrade() -> None:
    # Views written in the portal have no organisation to point at: they go first.
    op.execute("DELETE FROM case_entries WHERE org_id = 'portaal'")
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_case_entries_org_id_organisations", "organisations", ["org_id"], ["id"]
        )
