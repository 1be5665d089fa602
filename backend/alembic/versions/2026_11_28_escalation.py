"""Escalation on a missed acknowledgement: each service's policy, and the sweep's marker.

`services.escalation_policy` is a JSON list of steps `{after_minutes, channel_ids}` (empty: no
escalation). `incident_escalations` holds one row per (incident, step) escalated; its unique
key makes a second sweep's insert, concurrent or not, on any replica, into nothing, as
`sla_notices` does for the SLA notices.

Revision ID: 0017_escalation
Revises: 0017_notifications
Create Date: 2026-11-28 20:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0017_escalation'
down_revision: str | None = '0017_notifications'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column(
            'escalation_policy', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
            server_default=sa.text("'[]'"), nullable=False))
    op.create_table(
        'incident_escalations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_incident_escalations_incident_id_incidents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_escalations')),
        sa.UniqueConstraint('incident_id', 'step', name=op.f('uq_incident_escalations_incident_id_step')),
    )


def downgrade() -> None:
    op.drop_table('incident_escalations')
    with op.batch_alter_table('services') as batch:
        batch.drop_column('escalation_policy')
