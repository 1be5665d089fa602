"""Business-hours calendars and paused SLA clocks.

`calendars` holds each calendar's zone, weekly hours and holidays (JSON); a service's
`sla_policy` entry may name one by `calendar_id` (inside the JSON, so no column here).
Incidents get the calendar their due times were counted in (`sla_calendar_id`, no foreign key:
a calendar deleted since counts as 24x7) and a paused clock: `sla_paused_at` and
`sla_paused_reason` (NULL while it runs), `sla_paused_seconds` (the earlier pauses, summed).

Revision ID: 0018_calendars_pause
Revises: 0017_escalation
Create Date: 2026-11-28 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0018_calendars_pause'
down_revision: str | None = '0018_action_items'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'calendars',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('hours', JSON, nullable=False),
        sa.Column('holidays', JSON, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendars')),
        sa.UniqueConstraint('name', name=op.f('uq_calendars_name')),
    )
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('sla_calendar_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('sla_paused_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('sla_paused_reason', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('sla_paused_seconds', sa.Integer(), nullable=False,
                                   server_default=sa.text('0')))


def downgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('sla_paused_seconds')
        batch.drop_column('sla_paused_reason')
        batch.drop_column('sla_paused_at')
        batch.drop_column('sla_calendar_id')
    op.drop_table('calendars')
