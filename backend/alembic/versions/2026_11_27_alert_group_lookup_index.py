"""The alert-group index ends in incident_id, so "the group's open incident" is found from the
newest end of the index instead of reading every alert the group ever had.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_group_key_service_id')
        batch_op.create_index('ix_alerts_group_key_service_id_incident_id',
                              ['group_key', 'service_id', 'incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_group_key_service_id_incident_id')
        batch_op.create_index('ix_alerts_group_key_service_id', ['group_key', 'service_id'], unique=False)
