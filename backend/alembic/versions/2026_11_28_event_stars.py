"""Stars on timeline events: the key events a team picks out for the report.

A star is its own record, never a change to the event: incident_events stays append-only and
its hash chain untouched. One star per event (the event id is the key); incident_id is kept
beside it so a star is always read and refused within its incident.

Revision ID: 0016_timeline_stars
Revises: 0015
Create Date: 2026-11-28 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_timeline_stars'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'incident_event_stars',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('starred_by', sa.Integer(), nullable=True),
        sa.Column('starred_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['incident_events.id'],
                                name=op.f('fk_incident_event_stars_event_id_incident_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_incident_event_stars_incident_id_incidents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['starred_by'], ['users.id'],
                                name=op.f('fk_incident_event_stars_starred_by_users')),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_incident_event_stars')),
    )
    with op.batch_alter_table('incident_event_stars') as batch:
        batch.create_index(batch.f('ix_incident_event_stars_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident_event_stars') as batch:
        batch.drop_index(batch.f('ix_incident_event_stars_incident_id'))
    op.drop_table('incident_event_stars')
