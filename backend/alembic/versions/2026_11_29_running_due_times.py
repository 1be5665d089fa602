"""The due times whose SLA clocks still run, indexed: the earliest target still pending.

GET /metrics keeps its answer until the earliest SLA target still pending falls due, so it asks
for that time with every answer it computes. Read as a minimum over every unsettled incident
(ix_incidents_unsettled: ~4,000-9,000 heap rows at the benchmark's million incidents) it took
9-14 ms of PostgreSQL's CPU beside the figures' own statements; here it is the first entry
past now of two small partial indexes (unacknowledged, and unresolved, incidents whose clock
is not paused).

On PostgreSQL the unsettled incidents' index (0016_dashboard_sort) also carries every column
the live part of whole-history /metrics reads (INCLUDE), so that part is read from the index
alone: at the benchmark's million incidents its heap reads of ~8,500 open incidents were a
quarter of the percentile walk's time. The index is rebuilt with them (a scan of the table,
about a second at a million incidents).

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


# listing.UNSETTLED, word for word as the query states it, so PostgreSQL matches the two.
UNSETTLED = sa.text("status IN ('New', 'Investigating', 'Mitigated') "
                    "OR acknowledged_at IS NULL OR resolved_at IS NULL")
# models/incidents.py UNSETTLED_INCLUDES
INCLUDES = ["severity", "service_id", "status", "acknowledged_at", "mitigated_at", "resolved_at",
            "ack_due_at", "resolve_due_at", "sla_paused_at"]


def _unsettled(include: list[str]) -> None:
    op.drop_index("ix_incidents_unsettled", table_name="incidents")
    op.create_index("ix_incidents_unsettled", "incidents", ["created_at", "id"],
                    postgresql_where=UNSETTLED, postgresql_include=include)


def upgrade() -> None:
    for name, (column, where) in INDEXES.items():
        op.create_index(name, "incidents", [column], postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))
    if op.get_bind().dialect.name == "postgresql":
        _unsettled(INCLUDES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unsettled([])
    for name in INDEXES:
        op.drop_index(name, table_name="incidents")
