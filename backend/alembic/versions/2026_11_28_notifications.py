"""Notification channels and the notifications outbox.

`notification_channels` holds where to tell people (webhook, Slack, Teams): the URL and the
signing secret encrypted by the app, the URL's scheme and host in clear for lists. The
`notifications` outbox row is written in the transaction of the change that caused it and sent
by any replica; (channel_id, source_event_id) is unique, one per timeline event and channel.

Revision ID: 0017_notifications
Revises: 0016_dashboard_sort
Create Date: 2026-11-28 20:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0017_notifications'
down_revision: str | None = '0016_dashboard_sort'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "incident_console_outbox"  # services/notifications/outbox.py OUTBOX_CHANNEL
# PostgreSQL: a statement that queues notifications wakes every replica's sender once it
# commits (NOTIFY is sent on commit, deduplicated per transaction), with no extra round trip.
PG_WAKE = [
    f"""CREATE OR REPLACE FUNCTION notifications_wake() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', 'due');
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER notifications_wake AFTER INSERT ON notifications "
    "FOR EACH STATEMENT EXECUTE FUNCTION notifications_wake()",
]
PG_UNWAKE = [
    "DROP TRIGGER IF EXISTS notifications_wake ON notifications",
    "DROP FUNCTION IF EXISTS notifications_wake()",
]
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'notification_channels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('url_host', sa.String(length=300), nullable=False),
        sa.Column('secret', sa.Text(), nullable=True),
        sa.Column('events', JSON, nullable=False),
        sa.Column('min_severity', sa.String(length=8), nullable=True),
        sa.Column('service_ids', JSON, nullable=False),
        sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('consecutive_failures', sa.Integer(), nullable=False),
        sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_channels')),
        sa.UniqueConstraint('name', name=op.f('uq_notification_channels_name')),
    )
    op.create_table(
        'notifications',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('source_event_id', sa.Integer(), nullable=True),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['notification_channels.id'],
                                name=op.f('fk_notifications_channel_id_notification_channels'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_notifications_incident_id_incidents'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('channel_id', 'source_event_id',
                            name=op.f('uq_notifications_channel_id_source_event_id')),
    )
    with op.batch_alter_table('notifications') as batch:
        batch.create_index(batch.f('ix_notifications_status_next_attempt_at'),
                           ['status', 'next_attempt_at'], unique=False)
        batch.create_index(batch.f('ix_notifications_channel_id_created_at_id'),
                           ['channel_id', 'created_at', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_WAKE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_UNWAKE:
            op.execute(statement)
    op.drop_table('notifications')
    op.drop_table('notification_channels')
