"""Composite indexes for the incident list's common filter pairs, ending in (created_at, id).

A list filtered on service and severity walked every incident of the service to count the
matches (234 ms for one service's SEV2 incidents at a million incidents); with the pair in
one index, the page is an ordered index range and the capped count an index-only scan.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_incidents_service_id_severity_created_at_id", ["service_id", "severity", "created_at", "id"]),
    ("ix_incidents_service_id_status_created_at_id", ["service_id", "status", "created_at", "id"]),
    ("ix_incidents_status_severity_created_at_id", ["status", "severity", "created_at", "id"]),
    ("ix_incidents_assignee_id_status_created_at_id", ["assignee_id", "status", "created_at", "id"]),
]


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
