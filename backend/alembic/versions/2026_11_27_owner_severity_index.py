"""An index for one owner's incidents of one severity: every pair of the list's four filters
(status, severity, service, owner) now has an index that ends in (created_at, id).

Without it, an owner's SEV2 incidents were counted by reading the owner's incidents from the
table and keeping the SEV2 ones: 12.8 ms for 3,128 matches at a million incidents; with it,
an index-only scan.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_incidents_assignee_id_severity_created_at_id"


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(NAME, ["assignee_id", "severity", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(NAME)
