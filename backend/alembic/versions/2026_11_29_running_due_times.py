"""The due times whose SLA clocks still run, indexed: the earliest target still pending.

GET /metrics keeps its answer until the earliest SLA target still pending falls due, so it asks
for that time with every answer it computes. Read as a minimum over every unsettled incident
(ix_incidents_unsettled: ~4,000-9,000 heap rows at the benchmark's million incidents) it took
9-14 ms of PostgreSQL's CPU beside the figures' own statements; here it is the first entry
past now of two small partial indexes (unacknowledged, and unresolved, incidents whose clock
is not paused).

Revision ID: 0022_running_due_times
Revises: 0021_metrics_notify
Create Date: 2026-11-29 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022_running_due_times'
down_revision: str | None = '0021_metrics_notify'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {  # name: (column, the rows it holds)
    "ix_incidents_ack_running": ("ack_due_at", "acknowledged_at IS NULL AND sla_paused_at IS NULL"),
    "ix_incidents_resolve_running": ("resolve_due_at", "resolved_at IS NULL AND sla_paused_at IS NULL"),
}


def upgrade() -> None:
    for name, (column, where) in INDEXES.items():
        op.create_index(name, "incidents", [column], postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="incidents")
