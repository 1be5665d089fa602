"""Metric rollups: running totals of the settled incidents, kept by triggers, for /metrics.

Whole-history /metrics read every incident (1.7-2.8 s at a million on PostgreSQL). Settled
incidents (finished, acknowledged and resolved) add figures that no longer depend on the time,
so triggers on `incidents` sum them as they change, in the same transaction as every write
(app/services/metrics/rollups.py generates the trigger bodies and the rebuild); the few
unsettled incidents are read live. Existing incidents are counted here by the same rebuild.

A migration that later rebuilds `incidents` on SQLite (batch mode's copy-and-rename) drops
these triggers and must create them again (rollups.create_triggers), as for 0018_similar's.

Revision ID: 0019_metric_rollups
Revises: 0018_similar
Create Date: 2026-11-29 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.metrics import rollups

revision: str = '0019_metric_rollups'
down_revision: str | None = '0018_similar'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    op.create_table(
        'metric_rollups',
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        *(_counter(c) for c in ('incident_count', 'ack_count', 'ack_sum_ms', 'mitigate_count',
                                'mitigate_sum_ms', 'res_count', 'res_sum_ms', 'breached_count',
                                'known_count', 'resolved')),
        sa.PrimaryKeyConstraint('day', 'service_id', 'severity', name=op.f('pk_metric_rollups')),
    )
    op.create_table(
        'metric_rollup_buckets',
        sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        sa.Column('measure', sa.String(length=16), nullable=False),
        sa.Column('bucket', sa.Integer(), autoincrement=False, nullable=False),
        _counter('n'),
        _counter('sum_ms'),
        sa.PrimaryKeyConstraint('service_id', 'severity', 'measure', 'bucket',
                                name=op.f('pk_metric_rollup_buckets')),
    )
    dialect = op.get_bind().dialect.name
    for statement in rollups.create_triggers(dialect):
        op.execute(statement)
    for statement in rollups.rebuild_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in rollups.drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('metric_rollup_buckets')
    op.drop_table('metric_rollups')
