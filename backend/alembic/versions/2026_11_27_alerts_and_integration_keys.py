"""Alerts, integration keys, and the SLA notices the sweeper writes exactly once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:38:35.071485
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('integration_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_last4', sa.String(length=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_integration_keys_created_by_users')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_integration_keys_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_integration_keys_key_hash'))
    )
    with op.batch_alter_table('integration_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_keys_service_id_id'), ['service_id', 'id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('labels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('group_key', sa.String(length=1000), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alerts_incident_id_incidents')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_alerts_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('source', 'fingerprint', name=op.f('uq_alerts_source_fingerprint'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_first_seen_at_id'), ['first_seen_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_group_key_service_id'), ['group_key', 'service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_incident_id_status'), ['incident_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status_first_seen_at_id'), ['status', 'first_seen_at', 'id'], unique=False)

    op.create_table('sla_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_sla_notices_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_notices')),
    sa.UniqueConstraint('incident_id', 'kind', name=op.f('uq_sla_notices_incident_id_kind'))
    )


def downgrade() -> None:
    op.drop_table('sla_notices')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_status_first_seen_at_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_incident_id_status'))
        batch_op.drop_index(batch_op.f('ix_alerts_group_key_service_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_first_seen_at_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('integration_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integration_keys_service_id_id'))

    op.drop_table('integration_keys')
