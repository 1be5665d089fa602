"""Follow-ups (action items) and the services that require one to close.

`action_items` holds each incident's follow-ups (corrective or preventive, an owner, a due
date, a link to the team's ticket, open or done). `services.close_requires_action_items` lists
the severities whose incidents close only with a follow-up that has an owner and a due date.

Revision ID: 0018_action_items
Revises: 0017_escalation
Create Date: 2026-11-28 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0018_action_items'
down_revision: str | None = '0017_escalation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column(
            'close_requires_action_items', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
            server_default=sa.text("'[]'"), nullable=False))
    op.create_table(
        'action_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('url', sa.String(length=2000), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_action_items_incident_id_incidents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_action_items_owner_id_users')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_action_items_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    )
    op.create_index(op.f('ix_action_items_incident_id_id'), 'action_items', ['incident_id', 'id'])
    op.create_index(op.f('ix_action_items_owner_id_status_due_date_id'), 'action_items',
                    ['owner_id', 'status', 'due_date', 'id'])
    op.create_index(op.f('ix_action_items_status_due_date_id'), 'action_items',
                    ['status', 'due_date', 'id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_action_items_status_due_date_id'), table_name='action_items')
    op.drop_index(op.f('ix_action_items_owner_id_status_due_date_id'), table_name='action_items')
    op.drop_index(op.f('ix_action_items_incident_id_id'), table_name='action_items')
    op.drop_table('action_items')
    with op.batch_alter_table('services') as batch:
        batch.drop_column('close_requires_action_items')
