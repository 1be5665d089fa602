"""A partial index of the incidents that may still have an SLA target pending, for the
dashboard's urgency and due orders.

Those orders sort by a key that depends on the time (is a target breached now, which one falls
due next), which no index can hold. The list reads the incidents with nothing left to wait for
(finished, acknowledged and resolved: most of a history) along the (severity, created_at, id)
and (created_at, id) indexes, where their key is constant; the others, open ones and any
finished without both times on record, come from this index. Unfiltered urgency at 200,000
incidents on PostgreSQL: 593 ms before, 8 ms with it.

Revision ID: 0016_dashboard_sort
Revises: 0016_people_tokens
Create Date: 2026-11-28 20:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_dashboard_sort'
down_revision: str | None = '0016_people_tokens'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# listing.UNSETTLED, word for word as the query states it, so PostgreSQL matches the two.
UNSETTLED = sa.text("status IN ('New', 'Investigating', 'Mitigated') "
                    "OR acknowledged_at IS NULL OR resolved_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index("ix_incidents_unsettled", ["created_at", "id"], unique=False,
                              postgresql_where=UNSETTLED, sqlite_where=UNSETTLED)


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_unsettled")
