"""Metric rollups: running totals of the settled incidents, kept by triggers, for /metrics.

Whole-history /metrics read every incident (1.7-2.8 s at a million on PostgreSQL). Settled
incidents (finished, acknowledged and resolved) add figures that no longer depend on the time,
so triggers on `incidents` sum them as they change, in the same transaction as every write
(app/services/metrics/rollups.py generates the trigger bodies and the rebuild); the few
unsettled incidents are read live. Existing incidents are counted here by the same rebuild.
The statements are written out below as rollups.py generated them (a migration imports no
app code); tests/unit/test_metric_rollup_sql.py fails when rollups.py would now generate
others, which then take a new migration that replaces the triggers and recounts.

A migration that later rebuilds `incidents` on SQLite (batch mode's copy-and-rename) drops
these triggers and must create them again (rollups.create_triggers), as for 0018_similar's.

Revision ID: 0019_metric_rollups
Revises: 0018_similar
Create Date: 2026-11-29 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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
    op.create_index(op.f('ix_metric_rollups_service_id_severity_day'), 'metric_rollups',
                    ['service_id', 'severity', 'day'], unique=False)
    op.create_table(
        'metric_rollup_buckets',
        sa.Column('tier', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('service_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        sa.Column('measure', sa.String(length=16), nullable=False),
        sa.Column('bucket', sa.Integer(), autoincrement=False, nullable=False),
        _counter('n'),
        _counter('sum_ms'),
        sa.PrimaryKeyConstraint('tier', 'service_id', 'severity', 'measure', 'bucket',
                                name=op.f('pk_metric_rollup_buckets')),
    )
    dialect = op.get_bind().dialect.name
    for statement in [*CREATE_TRIGGERS[dialect], *REBUILD[dialect]]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('metric_rollup_buckets')
    op.drop_index(op.f('ix_metric_rollups_service_id_severity_day'), table_name='metric_rollups')
    op.drop_table('metric_rollups')


CREATE_TRIGGERS: dict[str, list[str]] = {
    'sqlite': [
        ('CREATE TRIGGER metric_rollups_ai AFTER INSERT ON incidents FOR EACH ROW WHEN '
         "(NEW.status NOT IN ('New', 'Investigating', 'Mitigated') AND NEW.acknowledged_at IS NOT "
         'NULL AND NEW.resolved_at IS NOT NULL) BEGIN INSERT INTO metric_rollups (day, '
         'service_id, severity, incident_count, ack_count, ack_sum_ms, mitigate_count, '
         'mitigate_sum_ms, res_count, res_sum_ms, breached_count, known_count, resolved) SELECT '
         'day, service_id, severity, sum(incident_count), sum(ack_count), sum(ack_sum_ms), '
         'sum(mitigate_count), sum(mitigate_sum_ms), sum(res_count), sum(res_sum_ms), '
         'sum(breached_count), sum(known_count), sum(resolved) FROM (SELECT CASE fd.x WHEN 0 THEN '
         "'' WHEN 1 THEN date(NEW.created_at) ELSE date(NEW.resolved_at) END AS day, CASE WHEN "
         'fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "NEW.severity ELSE '' END AS severity, CASE WHEN fd.x < 2 THEN 1 ELSE 0 END AS "
         'incident_count, CASE WHEN fd.x < 2 AND NEW.acknowledged_at IS NOT NULL THEN 1 ELSE 0 '
         'END AS ack_count, CASE WHEN fd.x < 2 AND NEW.acknowledged_at IS NOT NULL THEN 1 * '
         "(((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND '
         'NEW.mitigated_at IS NOT NULL THEN 1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 '
         "AND NEW.mitigated_at IS NOT NULL THEN 1 * (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 0 END '
         'AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND NEW.resolved_at IS NOT NULL THEN 1 ELSE 0 '
         'END AS res_count, CASE WHEN fd.x < 2 AND NEW.resolved_at IS NOT NULL THEN 1 * '
         "(((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN fd.x < 2 AND '
         '(NEW.acknowledged_at > NEW.ack_due_at OR NEW.resolved_at > NEW.resolve_due_at) THEN 1 '
         'ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN 1 ELSE 0 END AS known_count, CASE '
         'WHEN fd.x <> 1 THEN 1 ELSE 0 END AS resolved FROM (SELECT 0 AS x UNION ALL SELECT 1 '
         'UNION ALL SELECT 2) fd, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE 1 = 1) c WHERE 1 = 1 GROUP BY day, service_id, severity ORDER BY '
         'day, service_id, severity ON CONFLICT (day, service_id, severity) DO UPDATE SET '
         'incident_count = metric_rollups.incident_count + excluded.incident_count, ack_count = '
         'metric_rollups.ack_count + excluded.ack_count, ack_sum_ms = metric_rollups.ack_sum_ms + '
         'excluded.ack_sum_ms, mitigate_count = metric_rollups.mitigate_count + '
         'excluded.mitigate_count, mitigate_sum_ms = metric_rollups.mitigate_sum_ms + '
         'excluded.mitigate_sum_ms, res_count = metric_rollups.res_count + excluded.res_count, '
         'res_sum_ms = metric_rollups.res_sum_ms + excluded.res_sum_ms, breached_count = '
         'metric_rollups.breached_count + excluded.breached_count, known_count = '
         'metric_rollups.known_count + excluded.known_count, resolved = metric_rollups.resolved + '
         'excluded.resolved; INSERT INTO metric_rollup_buckets (tier, service_id, severity, '
         'measure, bucket, n, sum_ms) SELECT tier, service_id, severity, measure, bucket, sum(n), '
         'sum(sum_ms) FROM (SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END '
         "AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'ack' AS "
         "measure, (CASE WHEN (((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(NEW.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 '
         "* (((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(NEW.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS '
         "n, 1 * (((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'mitigate' AS measure, (CASE "
         "WHEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) <= 1024 '
         "THEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         "0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 * (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms '
         'FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '
         "'' END AS severity, 'mitigate' AS measure, (CASE WHEN (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN '
         "-1 WHEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, "
         "19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         '0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS n, 1 * '
         "(((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(NEW.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(NEW.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.resolved_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 '
         "* (((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.resolved_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(NEW.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(NEW.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.resolved_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS '
         "n, 1 * (((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.resolved_at IS NOT NULL AND 1 = 1) c WHERE 1 = 1 '
         'GROUP BY tier, service_id, severity, measure, bucket ORDER BY tier, service_id, '
         'severity, measure, bucket ON CONFLICT (tier, service_id, severity, measure, bucket) DO '
         'UPDATE SET n = metric_rollup_buckets.n + excluded.n, sum_ms = '
         'metric_rollup_buckets.sum_ms + excluded.sum_ms; END'),
        ('CREATE TRIGGER metric_rollups_ad AFTER DELETE ON incidents FOR EACH ROW WHEN '
         "(OLD.status NOT IN ('New', 'Investigating', 'Mitigated') AND OLD.acknowledged_at IS NOT "
         'NULL AND OLD.resolved_at IS NOT NULL) BEGIN INSERT INTO metric_rollups (day, '
         'service_id, severity, incident_count, ack_count, ack_sum_ms, mitigate_count, '
         'mitigate_sum_ms, res_count, res_sum_ms, breached_count, known_count, resolved) SELECT '
         'day, service_id, severity, sum(incident_count), sum(ack_count), sum(ack_sum_ms), '
         'sum(mitigate_count), sum(mitigate_sum_ms), sum(res_count), sum(res_sum_ms), '
         'sum(breached_count), sum(known_count), sum(resolved) FROM (SELECT CASE fd.x WHEN 0 THEN '
         "'' WHEN 1 THEN date(OLD.created_at) ELSE date(OLD.resolved_at) END AS day, CASE WHEN "
         'fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "OLD.severity ELSE '' END AS severity, CASE WHEN fd.x < 2 THEN -1 ELSE 0 END AS "
         'incident_count, CASE WHEN fd.x < 2 AND OLD.acknowledged_at IS NOT NULL THEN -1 ELSE 0 '
         'END AS ack_count, CASE WHEN fd.x < 2 AND OLD.acknowledged_at IS NOT NULL THEN -1 * '
         "(((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND '
         'OLD.mitigated_at IS NOT NULL THEN -1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 '
         "AND OLD.mitigated_at IS NOT NULL THEN -1 * (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 0 END '
         'AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND OLD.resolved_at IS NOT NULL THEN -1 ELSE 0 '
         'END AS res_count, CASE WHEN fd.x < 2 AND OLD.resolved_at IS NOT NULL THEN -1 * '
         "(((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN fd.x < 2 AND '
         '(OLD.acknowledged_at > OLD.ack_due_at OR OLD.resolved_at > OLD.resolve_due_at) THEN -1 '
         'ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN -1 ELSE 0 END AS known_count, '
         'CASE WHEN fd.x <> 1 THEN -1 ELSE 0 END AS resolved FROM (SELECT 0 AS x UNION ALL SELECT '
         '1 UNION ALL SELECT 2) fd, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION '
         'ALL SELECT 1) fv WHERE 1 = 1) c WHERE 1 = 1 GROUP BY day, service_id, severity ORDER BY '
         'day, service_id, severity ON CONFLICT (day, service_id, severity) DO UPDATE SET '
         'incident_count = metric_rollups.incident_count + excluded.incident_count, ack_count = '
         'metric_rollups.ack_count + excluded.ack_count, ack_sum_ms = metric_rollups.ack_sum_ms + '
         'excluded.ack_sum_ms, mitigate_count = metric_rollups.mitigate_count + '
         'excluded.mitigate_count, mitigate_sum_ms = metric_rollups.mitigate_sum_ms + '
         'excluded.mitigate_sum_ms, res_count = metric_rollups.res_count + excluded.res_count, '
         'res_sum_ms = metric_rollups.res_sum_ms + excluded.res_sum_ms, breached_count = '
         'metric_rollups.breached_count + excluded.breached_count, known_count = '
         'metric_rollups.known_count + excluded.known_count, resolved = metric_rollups.resolved + '
         'excluded.resolved; INSERT INTO metric_rollup_buckets (tier, service_id, severity, '
         'measure, bucket, n, sum_ms) SELECT tier, service_id, severity, measure, bucket, sum(n), '
         'sum(sum_ms) FROM (SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END '
         "AS service_id, CASE WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'ack' AS "
         "measure, (CASE WHEN (((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(OLD.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, -1 AS n, '
         "-1 * (((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(OLD.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, -1 AS '
         "n, -1 * (((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'mitigate' AS measure, (CASE "
         "WHEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) <= 1024 '
         "THEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         "0.019000571614286515) AS INTEGER) END) AS bucket, -1 AS n, -1 * (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms '
         'FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'OLD.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN OLD.severity ELSE '
         "'' END AS severity, 'mitigate' AS measure, (CASE WHEN (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN '
         "-1 WHEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, "
         "19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         '0.019000571614286515) AS INTEGER) END) / 64 AS bucket, -1 AS n, -1 * '
         "(((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(OLD.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(OLD.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.resolved_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, -1 AS n, '
         "-1 * (((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.resolved_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(OLD.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(OLD.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.resolved_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, -1 AS '
         "n, -1 * (((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.resolved_at IS NOT NULL AND 1 = 1) c WHERE 1 = 1 '
         'GROUP BY tier, service_id, severity, measure, bucket ORDER BY tier, service_id, '
         'severity, measure, bucket ON CONFLICT (tier, service_id, severity, measure, bucket) DO '
         'UPDATE SET n = metric_rollup_buckets.n + excluded.n, sum_ms = '
         'metric_rollup_buckets.sum_ms + excluded.sum_ms; END'),
        ('CREATE TRIGGER metric_rollups_au_old AFTER UPDATE OF status, created_at, service_id, '
         'severity, acknowledged_at, mitigated_at, resolved_at, ack_due_at, resolve_due_at ON '
         "incidents FOR EACH ROW WHEN (OLD.status NOT IN ('New', 'Investigating', 'Mitigated') "
         'AND OLD.acknowledged_at IS NOT NULL AND OLD.resolved_at IS NOT NULL) AND (NOT '
         "(NEW.status NOT IN ('New', 'Investigating', 'Mitigated') AND NEW.acknowledged_at IS NOT "
         'NULL AND NEW.resolved_at IS NOT NULL) OR (OLD.created_at IS NOT NEW.created_at OR '
         'OLD.service_id IS NOT NEW.service_id OR OLD.severity IS NOT NEW.severity OR '
         'OLD.acknowledged_at IS NOT NEW.acknowledged_at OR OLD.mitigated_at IS NOT '
         'NEW.mitigated_at OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.ack_due_at IS NOT '
         'NEW.ack_due_at OR OLD.resolve_due_at IS NOT NEW.resolve_due_at)) BEGIN INSERT INTO '
         'metric_rollups (day, service_id, severity, incident_count, ack_count, ack_sum_ms, '
         'mitigate_count, mitigate_sum_ms, res_count, res_sum_ms, breached_count, known_count, '
         'resolved) SELECT day, service_id, severity, sum(incident_count), sum(ack_count), '
         'sum(ack_sum_ms), sum(mitigate_count), sum(mitigate_sum_ms), sum(res_count), '
         'sum(res_sum_ms), sum(breached_count), sum(known_count), sum(resolved) FROM (SELECT CASE '
         "fd.x WHEN 0 THEN '' WHEN 1 THEN date(OLD.created_at) ELSE date(OLD.resolved_at) END AS "
         'day, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = '
         "1 THEN OLD.severity ELSE '' END AS severity, CASE WHEN fd.x < 2 THEN -1 ELSE 0 END AS "
         'incident_count, CASE WHEN fd.x < 2 AND OLD.acknowledged_at IS NOT NULL THEN -1 ELSE 0 '
         'END AS ack_count, CASE WHEN fd.x < 2 AND OLD.acknowledged_at IS NOT NULL THEN -1 * '
         "(((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND '
         'OLD.mitigated_at IS NOT NULL THEN -1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 '
         "AND OLD.mitigated_at IS NOT NULL THEN -1 * (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 0 END '
         'AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND OLD.resolved_at IS NOT NULL THEN -1 ELSE 0 '
         'END AS res_count, CASE WHEN fd.x < 2 AND OLD.resolved_at IS NOT NULL THEN -1 * '
         "(((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN fd.x < 2 AND '
         '(OLD.acknowledged_at > OLD.ack_due_at OR OLD.resolved_at > OLD.resolve_due_at) THEN -1 '
         'ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN -1 ELSE 0 END AS known_count, '
         'CASE WHEN fd.x <> 1 THEN -1 ELSE 0 END AS resolved FROM (SELECT 0 AS x UNION ALL SELECT '
         '1 UNION ALL SELECT 2) fd, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION '
         'ALL SELECT 1) fv WHERE 1 = 1) c WHERE 1 = 1 GROUP BY day, service_id, severity ORDER BY '
         'day, service_id, severity ON CONFLICT (day, service_id, severity) DO UPDATE SET '
         'incident_count = metric_rollups.incident_count + excluded.incident_count, ack_count = '
         'metric_rollups.ack_count + excluded.ack_count, ack_sum_ms = metric_rollups.ack_sum_ms + '
         'excluded.ack_sum_ms, mitigate_count = metric_rollups.mitigate_count + '
         'excluded.mitigate_count, mitigate_sum_ms = metric_rollups.mitigate_sum_ms + '
         'excluded.mitigate_sum_ms, res_count = metric_rollups.res_count + excluded.res_count, '
         'res_sum_ms = metric_rollups.res_sum_ms + excluded.res_sum_ms, breached_count = '
         'metric_rollups.breached_count + excluded.breached_count, known_count = '
         'metric_rollups.known_count + excluded.known_count, resolved = metric_rollups.resolved + '
         'excluded.resolved; INSERT INTO metric_rollup_buckets (tier, service_id, severity, '
         'measure, bucket, n, sum_ms) SELECT tier, service_id, severity, measure, bucket, sum(n), '
         'sum(sum_ms) FROM (SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END '
         "AS service_id, CASE WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'ack' AS "
         "measure, (CASE WHEN (((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(OLD.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, -1 AS n, '
         "-1 * (((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(OLD.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, -1 AS '
         "n, -1 * (((CAST(strftime('%s', substr(OLD.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.acknowledged_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'mitigate' AS measure, (CASE "
         "WHEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) <= 1024 '
         "THEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         "0.019000571614286515) AS INTEGER) END) AS bucket, -1 AS n, -1 * (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms '
         'FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'OLD.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN OLD.severity ELSE '
         "'' END AS severity, 'mitigate' AS measure, (CASE WHEN (((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN '
         "-1 WHEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(OLD.mitigated_at, 1, "
         "19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         '0.019000571614286515) AS INTEGER) END) / 64 AS bucket, -1 AS n, -1 * '
         "(((CAST(strftime('%s', substr(OLD.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.mitigated_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(OLD.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(OLD.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.resolved_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, -1 AS n, '
         "-1 * (((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.resolved_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(OLD.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(OLD.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(OLD.resolved_at, '
         '21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, -1 AS '
         "n, -1 * (((CAST(strftime('%s', substr(OLD.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(OLD.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(OLD.resolved_at, 21) AS INTEGER) - CAST(substr(OLD.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE OLD.resolved_at IS NOT NULL AND 1 = 1) c WHERE 1 = 1 '
         'GROUP BY tier, service_id, severity, measure, bucket ORDER BY tier, service_id, '
         'severity, measure, bucket ON CONFLICT (tier, service_id, severity, measure, bucket) DO '
         'UPDATE SET n = metric_rollup_buckets.n + excluded.n, sum_ms = '
         'metric_rollup_buckets.sum_ms + excluded.sum_ms; END'),
        ('CREATE TRIGGER metric_rollups_au_new AFTER UPDATE OF status, created_at, service_id, '
         'severity, acknowledged_at, mitigated_at, resolved_at, ack_due_at, resolve_due_at ON '
         "incidents FOR EACH ROW WHEN (NEW.status NOT IN ('New', 'Investigating', 'Mitigated') "
         'AND NEW.acknowledged_at IS NOT NULL AND NEW.resolved_at IS NOT NULL) AND (NOT '
         "(OLD.status NOT IN ('New', 'Investigating', 'Mitigated') AND OLD.acknowledged_at IS NOT "
         'NULL AND OLD.resolved_at IS NOT NULL) OR (OLD.created_at IS NOT NEW.created_at OR '
         'OLD.service_id IS NOT NEW.service_id OR OLD.severity IS NOT NEW.severity OR '
         'OLD.acknowledged_at IS NOT NEW.acknowledged_at OR OLD.mitigated_at IS NOT '
         'NEW.mitigated_at OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.ack_due_at IS NOT '
         'NEW.ack_due_at OR OLD.resolve_due_at IS NOT NEW.resolve_due_at)) BEGIN INSERT INTO '
         'metric_rollups (day, service_id, severity, incident_count, ack_count, ack_sum_ms, '
         'mitigate_count, mitigate_sum_ms, res_count, res_sum_ms, breached_count, known_count, '
         'resolved) SELECT day, service_id, severity, sum(incident_count), sum(ack_count), '
         'sum(ack_sum_ms), sum(mitigate_count), sum(mitigate_sum_ms), sum(res_count), '
         'sum(res_sum_ms), sum(breached_count), sum(known_count), sum(resolved) FROM (SELECT CASE '
         "fd.x WHEN 0 THEN '' WHEN 1 THEN date(NEW.created_at) ELSE date(NEW.resolved_at) END AS "
         'day, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = '
         "1 THEN NEW.severity ELSE '' END AS severity, CASE WHEN fd.x < 2 THEN 1 ELSE 0 END AS "
         'incident_count, CASE WHEN fd.x < 2 AND NEW.acknowledged_at IS NOT NULL THEN 1 ELSE 0 '
         'END AS ack_count, CASE WHEN fd.x < 2 AND NEW.acknowledged_at IS NOT NULL THEN 1 * '
         "(((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND '
         'NEW.mitigated_at IS NOT NULL THEN 1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 '
         "AND NEW.mitigated_at IS NOT NULL THEN 1 * (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 0 END '
         'AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND NEW.resolved_at IS NOT NULL THEN 1 ELSE 0 '
         'END AS res_count, CASE WHEN fd.x < 2 AND NEW.resolved_at IS NOT NULL THEN 1 * '
         "(((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN fd.x < 2 AND '
         '(NEW.acknowledged_at > NEW.ack_due_at OR NEW.resolved_at > NEW.resolve_due_at) THEN 1 '
         'ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN 1 ELSE 0 END AS known_count, CASE '
         'WHEN fd.x <> 1 THEN 1 ELSE 0 END AS resolved FROM (SELECT 0 AS x UNION ALL SELECT 1 '
         'UNION ALL SELECT 2) fd, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE 1 = 1) c WHERE 1 = 1 GROUP BY day, service_id, severity ORDER BY '
         'day, service_id, severity ON CONFLICT (day, service_id, severity) DO UPDATE SET '
         'incident_count = metric_rollups.incident_count + excluded.incident_count, ack_count = '
         'metric_rollups.ack_count + excluded.ack_count, ack_sum_ms = metric_rollups.ack_sum_ms + '
         'excluded.ack_sum_ms, mitigate_count = metric_rollups.mitigate_count + '
         'excluded.mitigate_count, mitigate_sum_ms = metric_rollups.mitigate_sum_ms + '
         'excluded.mitigate_sum_ms, res_count = metric_rollups.res_count + excluded.res_count, '
         'res_sum_ms = metric_rollups.res_sum_ms + excluded.res_sum_ms, breached_count = '
         'metric_rollups.breached_count + excluded.breached_count, known_count = '
         'metric_rollups.known_count + excluded.known_count, resolved = metric_rollups.resolved + '
         'excluded.resolved; INSERT INTO metric_rollup_buckets (tier, service_id, severity, '
         'measure, bucket, n, sum_ms) SELECT tier, service_id, severity, measure, bucket, sum(n), '
         'sum(sum_ms) FROM (SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END '
         "AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'ack' AS "
         "measure, (CASE WHEN (((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(NEW.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 '
         "* (((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(NEW.acknowledged_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS '
         "n, 1 * (((CAST(strftime('%s', substr(NEW.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.acknowledged_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'mitigate' AS measure, (CASE "
         "WHEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) <= 1024 '
         "THEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         "0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 * (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms '
         'FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '
         "'' END AS severity, 'mitigate' AS measure, (CASE WHEN (((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN '
         "-1 WHEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', substr(NEW.mitigated_at, 1, "
         "19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.mitigated_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         '0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS n, 1 * '
         "(((CAST(strftime('%s', substr(NEW.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.mitigated_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(NEW.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(NEW.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.resolved_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 '
         "* (((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.resolved_at IS NOT NULL AND 1 = 1 UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE '
         "WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         "INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', substr(NEW.resolved_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(NEW.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(NEW.resolved_at, '
         '21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS '
         "n, 1 * (((CAST(strftime('%s', substr(NEW.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(NEW.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(NEW.resolved_at, 21) AS INTEGER) - CAST(substr(NEW.created_at, 21) AS '
         'INTEGER) + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 '
         'AS x UNION ALL SELECT 1) fv WHERE NEW.resolved_at IS NOT NULL AND 1 = 1) c WHERE 1 = 1 '
         'GROUP BY tier, service_id, severity, measure, bucket ORDER BY tier, service_id, '
         'severity, measure, bucket ON CONFLICT (tier, service_id, severity, measure, bucket) DO '
         'UPDATE SET n = metric_rollup_buckets.n + excluded.n, sum_ms = '
         'metric_rollup_buckets.sum_ms + excluded.sum_ms; END'),
    ],
    'postgresql': [
        ('CREATE FUNCTION metric_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\nIF '
         "TG_OP <> 'INSERT' AND (OLD.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         "OLD.acknowledged_at IS NOT NULL AND OLD.resolved_at IS NOT NULL) AND (TG_OP = 'DELETE' "
         "OR NOT (NEW.status NOT IN ('New', 'Investigating', 'Mitigated') AND NEW.acknowledged_at "
         'IS NOT NULL AND NEW.resolved_at IS NOT NULL) OR (OLD.created_at IS DISTINCT FROM '
         'NEW.created_at OR OLD.service_id IS DISTINCT FROM NEW.service_id OR OLD.severity IS '
         'DISTINCT FROM NEW.severity OR OLD.acknowledged_at IS DISTINCT FROM NEW.acknowledged_at '
         'OR OLD.mitigated_at IS DISTINCT FROM NEW.mitigated_at OR OLD.resolved_at IS DISTINCT '
         'FROM NEW.resolved_at OR OLD.ack_due_at IS DISTINCT FROM NEW.ack_due_at OR '
         'OLD.resolve_due_at IS DISTINCT FROM NEW.resolve_due_at)) THEN\nINSERT INTO '
         'metric_rollups (day, service_id, severity, incident_count, ack_count, ack_sum_ms, '
         'mitigate_count, mitigate_sum_ms, res_count, res_sum_ms, breached_count, known_count, '
         'resolved) SELECT day, service_id, severity, sum(incident_count), sum(ack_count), '
         'sum(ack_sum_ms), sum(mitigate_count), sum(mitigate_sum_ms), sum(res_count), '
         'sum(res_sum_ms), sum(breached_count), sum(known_count), sum(resolved) FROM (SELECT CASE '
         "fd.x WHEN 0 THEN '' WHEN 1 THEN to_char((OLD.created_at) AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD') ELSE to_char((OLD.resolved_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS "
         'day, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = '
         "1 THEN OLD.severity ELSE '' END AS severity, CASE WHEN fd.x < 2 THEN -1 ELSE 0 END AS "
         'incident_count, CASE WHEN fd.x < 2 AND OLD.acknowledged_at IS NOT NULL THEN -1 ELSE 0 '
         'END AS ack_count, CASE WHEN fd.x < 2 AND OLD.acknowledged_at IS NOT NULL THEN -1 * '
         "((round(date_part('epoch', OLD.acknowledged_at - OLD.created_at) * 1000000)::bigint + "
         '500) / 1000) ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND OLD.mitigated_at IS NOT '
         'NULL THEN -1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 AND OLD.mitigated_at IS '
         "NOT NULL THEN -1 * ((round(date_part('epoch', OLD.mitigated_at - OLD.created_at) * "
         '1000000)::bigint + 500) / 1000) ELSE 0 END AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND '
         'OLD.resolved_at IS NOT NULL THEN -1 ELSE 0 END AS res_count, CASE WHEN fd.x < 2 AND '
         "OLD.resolved_at IS NOT NULL THEN -1 * ((round(date_part('epoch', OLD.resolved_at - "
         'OLD.created_at) * 1000000)::bigint + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN '
         'fd.x < 2 AND (OLD.acknowledged_at > OLD.ack_due_at OR OLD.resolved_at > '
         'OLD.resolve_due_at) THEN -1 ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN -1 '
         'ELSE 0 END AS known_count, CASE WHEN fd.x <> 1 THEN -1 ELSE 0 END AS resolved FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1 UNION ALL SELECT 2) fd, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE 1 = 1) c WHERE 1 = 1 GROUP BY '
         'day, service_id, severity ORDER BY day, service_id, severity ON CONFLICT (day, '
         'service_id, severity) DO UPDATE SET incident_count = metric_rollups.incident_count + '
         'excluded.incident_count, ack_count = metric_rollups.ack_count + excluded.ack_count, '
         'ack_sum_ms = metric_rollups.ack_sum_ms + excluded.ack_sum_ms, mitigate_count = '
         'metric_rollups.mitigate_count + excluded.mitigate_count, mitigate_sum_ms = '
         'metric_rollups.mitigate_sum_ms + excluded.mitigate_sum_ms, res_count = '
         'metric_rollups.res_count + excluded.res_count, res_sum_ms = metric_rollups.res_sum_ms + '
         'excluded.res_sum_ms, breached_count = metric_rollups.breached_count + '
         'excluded.breached_count, known_count = metric_rollups.known_count + '
         'excluded.known_count, resolved = metric_rollups.resolved + excluded.resolved;\nINSERT '
         'INTO metric_rollup_buckets (tier, service_id, severity, measure, bucket, n, sum_ms) '
         'SELECT tier, service_id, severity, measure, bucket, sum(n), sum(sum_ms) FROM (SELECT 0 '
         'AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN '
         "fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "((round(date_part('epoch', OLD.acknowledged_at - OLD.created_at) * 1000000)::bigint + "
         "500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', OLD.acknowledged_at - "
         'OLD.created_at) * 1000000)::bigint + 500) / 1000) <= 1024 THEN '
         "(((round(date_part('epoch', OLD.acknowledged_at - OLD.created_at) * 1000000)::bigint + "
         "500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', OLD.acknowledged_at - "
         'OLD.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, -1 AS n, -1 * ((round(date_part('epoch', "
         'OLD.acknowledged_at - OLD.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'OLD.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = '
         '1 THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN OLD.severity '
         "ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN ((round(date_part('epoch', "
         'OLD.acknowledged_at - OLD.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 '
         "WHEN ((round(date_part('epoch', OLD.acknowledged_at - OLD.created_at) * "
         "1000000)::bigint + 500) / 1000) <= 1024 THEN (((round(date_part('epoch', "
         'OLD.acknowledged_at - OLD.created_at) * 1000000)::bigint + 500) / 1000))::int ELSE 660 '
         "+ ceil(ln((((round(date_part('epoch', OLD.acknowledged_at - OLD.created_at) * "
         '1000000)::bigint + 500) / 1000))::float8) / 0.019000571614286515)::int END) / 64 AS '
         "bucket, -1 AS n, -1 * ((round(date_part('epoch', OLD.acknowledged_at - OLD.created_at) "
         '* 1000000)::bigint + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, '
         '(SELECT 0 AS x UNION ALL SELECT 1) fv WHERE OLD.acknowledged_at IS NOT NULL AND 1 = 1 '
         'UNION ALL SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'mitigate' AS "
         "measure, (CASE WHEN ((round(date_part('epoch', OLD.mitigated_at - OLD.created_at) * "
         "1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', "
         'OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + 500) / 1000) <= 1024 THEN '
         "(((round(date_part('epoch', OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + "
         "500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', OLD.mitigated_at - "
         'OLD.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, -1 AS n, -1 * ((round(date_part('epoch', "
         'OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'OLD.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN OLD.severity ELSE '
         "'' END AS severity, 'mitigate' AS measure, (CASE WHEN ((round(date_part('epoch', "
         'OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + 500) "
         "/ 1000) <= 1024 THEN (((round(date_part('epoch', OLD.mitigated_at - OLD.created_at) * "
         "1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         '0.019000571614286515)::int END) / 64 AS bucket, -1 AS n, -1 * '
         "((round(date_part('epoch', OLD.mitigated_at - OLD.created_at) * 1000000)::bigint + 500) "
         '/ 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE OLD.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 0 AS tier, '
         'CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 '
         "THEN OLD.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * 1000000)::bigint + 500) "
         "/ 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * "
         "1000000)::bigint + 500) / 1000) <= 1024 THEN (((round(date_part('epoch', "
         'OLD.resolved_at - OLD.created_at) * 1000000)::bigint + 500) / 1000))::int ELSE 660 + '
         "ceil(ln((((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * "
         '1000000)::bigint + 500) / 1000))::float8) / 0.019000571614286515)::int END) AS bucket, '
         "-1 AS n, -1 * ((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * "
         '1000000)::bigint + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, '
         '(SELECT 0 AS x UNION ALL SELECT 1) fv WHERE OLD.resolved_at IS NOT NULL AND 1 = 1 UNION '
         'ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN OLD.service_id ELSE 0 END AS service_id, '
         "CASE WHEN fv.x = 1 THEN OLD.severity ELSE '' END AS severity, 'res' AS measure, (CASE "
         "WHEN ((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * 1000000)::bigint + "
         "500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', OLD.resolved_at - "
         'OLD.created_at) * 1000000)::bigint + 500) / 1000) <= 1024 THEN '
         "(((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * 1000000)::bigint + 500) "
         "/ 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', OLD.resolved_at - "
         'OLD.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         '0.019000571614286515)::int END) / 64 AS bucket, -1 AS n, -1 * '
         "((round(date_part('epoch', OLD.resolved_at - OLD.created_at) * 1000000)::bigint + 500) "
         '/ 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE OLD.resolved_at IS NOT NULL AND 1 = 1) c WHERE 1 = 1 GROUP BY tier, '
         'service_id, severity, measure, bucket ORDER BY tier, service_id, severity, measure, '
         'bucket ON CONFLICT (tier, service_id, severity, measure, bucket) DO UPDATE SET n = '
         'metric_rollup_buckets.n + excluded.n, sum_ms = metric_rollup_buckets.sum_ms + '
         "excluded.sum_ms;\nEND IF;\nIF TG_OP <> 'DELETE' AND (NEW.status NOT IN ('New', "
         "'Investigating', 'Mitigated') AND NEW.acknowledged_at IS NOT NULL AND NEW.resolved_at "
         "IS NOT NULL) AND (TG_OP = 'INSERT' OR NOT (OLD.status NOT IN ('New', 'Investigating', "
         "'Mitigated') AND OLD.acknowledged_at IS NOT NULL AND OLD.resolved_at IS NOT NULL) OR "
         '(OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.service_id IS DISTINCT FROM '
         'NEW.service_id OR OLD.severity IS DISTINCT FROM NEW.severity OR OLD.acknowledged_at IS '
         'DISTINCT FROM NEW.acknowledged_at OR OLD.mitigated_at IS DISTINCT FROM NEW.mitigated_at '
         'OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.ack_due_at IS DISTINCT FROM '
         'NEW.ack_due_at OR OLD.resolve_due_at IS DISTINCT FROM NEW.resolve_due_at)) THEN\nINSERT '
         'INTO metric_rollups (day, service_id, severity, incident_count, ack_count, ack_sum_ms, '
         'mitigate_count, mitigate_sum_ms, res_count, res_sum_ms, breached_count, known_count, '
         'resolved) SELECT day, service_id, severity, sum(incident_count), sum(ack_count), '
         'sum(ack_sum_ms), sum(mitigate_count), sum(mitigate_sum_ms), sum(res_count), '
         'sum(res_sum_ms), sum(breached_count), sum(known_count), sum(resolved) FROM (SELECT CASE '
         "fd.x WHEN 0 THEN '' WHEN 1 THEN to_char((NEW.created_at) AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD') ELSE to_char((NEW.resolved_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS "
         'day, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = '
         "1 THEN NEW.severity ELSE '' END AS severity, CASE WHEN fd.x < 2 THEN 1 ELSE 0 END AS "
         'incident_count, CASE WHEN fd.x < 2 AND NEW.acknowledged_at IS NOT NULL THEN 1 ELSE 0 '
         'END AS ack_count, CASE WHEN fd.x < 2 AND NEW.acknowledged_at IS NOT NULL THEN 1 * '
         "((round(date_part('epoch', NEW.acknowledged_at - NEW.created_at) * 1000000)::bigint + "
         '500) / 1000) ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND NEW.mitigated_at IS NOT '
         'NULL THEN 1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 AND NEW.mitigated_at IS '
         "NOT NULL THEN 1 * ((round(date_part('epoch', NEW.mitigated_at - NEW.created_at) * "
         '1000000)::bigint + 500) / 1000) ELSE 0 END AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND '
         'NEW.resolved_at IS NOT NULL THEN 1 ELSE 0 END AS res_count, CASE WHEN fd.x < 2 AND '
         "NEW.resolved_at IS NOT NULL THEN 1 * ((round(date_part('epoch', NEW.resolved_at - "
         'NEW.created_at) * 1000000)::bigint + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN '
         'fd.x < 2 AND (NEW.acknowledged_at > NEW.ack_due_at OR NEW.resolved_at > '
         'NEW.resolve_due_at) THEN 1 ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN 1 ELSE '
         '0 END AS known_count, CASE WHEN fd.x <> 1 THEN 1 ELSE 0 END AS resolved FROM (SELECT 0 '
         'AS x UNION ALL SELECT 1 UNION ALL SELECT 2) fd, (SELECT 0 AS x UNION ALL SELECT 1) fs, '
         '(SELECT 0 AS x UNION ALL SELECT 1) fv WHERE 1 = 1) c WHERE 1 = 1 GROUP BY day, '
         'service_id, severity ORDER BY day, service_id, severity ON CONFLICT (day, service_id, '
         'severity) DO UPDATE SET incident_count = metric_rollups.incident_count + '
         'excluded.incident_count, ack_count = metric_rollups.ack_count + excluded.ack_count, '
         'ack_sum_ms = metric_rollups.ack_sum_ms + excluded.ack_sum_ms, mitigate_count = '
         'metric_rollups.mitigate_count + excluded.mitigate_count, mitigate_sum_ms = '
         'metric_rollups.mitigate_sum_ms + excluded.mitigate_sum_ms, res_count = '
         'metric_rollups.res_count + excluded.res_count, res_sum_ms = metric_rollups.res_sum_ms + '
         'excluded.res_sum_ms, breached_count = metric_rollups.breached_count + '
         'excluded.breached_count, known_count = metric_rollups.known_count + '
         'excluded.known_count, resolved = metric_rollups.resolved + excluded.resolved;\nINSERT '
         'INTO metric_rollup_buckets (tier, service_id, severity, measure, bucket, n, sum_ms) '
         'SELECT tier, service_id, severity, measure, bucket, sum(n), sum(sum_ms) FROM (SELECT 0 '
         'AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN '
         "fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "((round(date_part('epoch', NEW.acknowledged_at - NEW.created_at) * 1000000)::bigint + "
         "500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', NEW.acknowledged_at - "
         'NEW.created_at) * 1000000)::bigint + 500) / 1000) <= 1024 THEN '
         "(((round(date_part('epoch', NEW.acknowledged_at - NEW.created_at) * 1000000)::bigint + "
         "500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', NEW.acknowledged_at - "
         'NEW.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'NEW.acknowledged_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.acknowledged_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = '
         '1 THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity '
         "ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN ((round(date_part('epoch', "
         'NEW.acknowledged_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 '
         "WHEN ((round(date_part('epoch', NEW.acknowledged_at - NEW.created_at) * "
         "1000000)::bigint + 500) / 1000) <= 1024 THEN (((round(date_part('epoch', "
         'NEW.acknowledged_at - NEW.created_at) * 1000000)::bigint + 500) / 1000))::int ELSE 660 '
         "+ ceil(ln((((round(date_part('epoch', NEW.acknowledged_at - NEW.created_at) * "
         '1000000)::bigint + 500) / 1000))::float8) / 0.019000571614286515)::int END) / 64 AS '
         "bucket, 1 AS n, 1 * ((round(date_part('epoch', NEW.acknowledged_at - NEW.created_at) * "
         '1000000)::bigint + 500) / 1000) AS sum_ms FROM (SELECT 0 AS x UNION ALL SELECT 1) fs, '
         '(SELECT 0 AS x UNION ALL SELECT 1) fv WHERE NEW.acknowledged_at IS NOT NULL AND 1 = 1 '
         'UNION ALL SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN NEW.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '' END AS severity, 'mitigate' AS "
         "measure, (CASE WHEN ((round(date_part('epoch', NEW.mitigated_at - NEW.created_at) * "
         "1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', "
         'NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) <= 1024 THEN '
         "(((round(date_part('epoch', NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + "
         "500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', NEW.mitigated_at - "
         'NEW.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '
         "'' END AS severity, 'mitigate' AS measure, (CASE WHEN ((round(date_part('epoch', "
         'NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + 500) "
         "/ 1000) <= 1024 THEN (((round(date_part('epoch', NEW.mitigated_at - NEW.created_at) * "
         "1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) / 64 AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'NEW.mitigated_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.mitigated_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 0 AS tier, CASE WHEN fs.x = 1 '
         'THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '
         "'' END AS severity, 'res' AS measure, (CASE WHEN ((round(date_part('epoch', "
         'NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) "
         "/ 1000) <= 1024 THEN (((round(date_part('epoch', NEW.resolved_at - NEW.created_at) * "
         "1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.resolved_at IS NOT NULL AND 1 = 1 UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 '
         'THEN NEW.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN NEW.severity ELSE '
         "'' END AS severity, 'res' AS measure, (CASE WHEN ((round(date_part('epoch', "
         'NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) "
         "/ 1000) <= 1024 THEN (((round(date_part('epoch', NEW.resolved_at - NEW.created_at) * "
         "1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) / 64 AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'NEW.resolved_at - NEW.created_at) * 1000000)::bigint + 500) / 1000) AS sum_ms FROM '
         '(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE '
         'NEW.resolved_at IS NOT NULL AND 1 = 1) c WHERE 1 = 1 GROUP BY tier, service_id, '
         'severity, measure, bucket ORDER BY tier, service_id, severity, measure, bucket ON '
         'CONFLICT (tier, service_id, severity, measure, bucket) DO UPDATE SET n = '
         'metric_rollup_buckets.n + excluded.n, sum_ms = metric_rollup_buckets.sum_ms + '
         'excluded.sum_ms;\nEND IF;\nRETURN NULL;\nEND $$'),
        ('CREATE TRIGGER metric_rollups_ai AFTER INSERT ON incidents FOR EACH ROW WHEN '
         "((NEW.status NOT IN ('New', 'Investigating', 'Mitigated') AND NEW.acknowledged_at IS "
         'NOT NULL AND NEW.resolved_at IS NOT NULL)) EXECUTE FUNCTION metric_rollups_apply()'),
        ('CREATE TRIGGER metric_rollups_ad AFTER DELETE ON incidents FOR EACH ROW WHEN '
         "((OLD.status NOT IN ('New', 'Investigating', 'Mitigated') AND OLD.acknowledged_at IS "
         'NOT NULL AND OLD.resolved_at IS NOT NULL)) EXECUTE FUNCTION metric_rollups_apply()'),
        ('CREATE TRIGGER metric_rollups_au AFTER UPDATE OF status, created_at, service_id, '
         'severity, acknowledged_at, mitigated_at, resolved_at, ack_due_at, resolve_due_at ON '
         "incidents FOR EACH ROW WHEN (((OLD.status NOT IN ('New', 'Investigating', 'Mitigated') "
         'AND OLD.acknowledged_at IS NOT NULL AND OLD.resolved_at IS NOT NULL) OR (NEW.status NOT '
         "IN ('New', 'Investigating', 'Mitigated') AND NEW.acknowledged_at IS NOT NULL AND "
         "NEW.resolved_at IS NOT NULL)) AND ((OLD.status NOT IN ('New', 'Investigating', "
         "'Mitigated') AND OLD.acknowledged_at IS NOT NULL AND OLD.resolved_at IS NOT NULL) IS "
         "DISTINCT FROM (NEW.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         'NEW.acknowledged_at IS NOT NULL AND NEW.resolved_at IS NOT NULL) OR (OLD.created_at IS '
         'DISTINCT FROM NEW.created_at OR OLD.service_id IS DISTINCT FROM NEW.service_id OR '
         'OLD.severity IS DISTINCT FROM NEW.severity OR OLD.acknowledged_at IS DISTINCT FROM '
         'NEW.acknowledged_at OR OLD.mitigated_at IS DISTINCT FROM NEW.mitigated_at OR '
         'OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.ack_due_at IS DISTINCT FROM '
         'NEW.ack_due_at OR OLD.resolve_due_at IS DISTINCT FROM NEW.resolve_due_at))) EXECUTE '
         'FUNCTION metric_rollups_apply()'),
    ],
}

DROP_TRIGGERS: dict[str, list[str]] = {
    'sqlite': [
        ('DROP TRIGGER IF EXISTS metric_rollups_ai'),
        ('DROP TRIGGER IF EXISTS metric_rollups_ad'),
        ('DROP TRIGGER IF EXISTS metric_rollups_au_old'),
        ('DROP TRIGGER IF EXISTS metric_rollups_au_new'),
    ],
    'postgresql': [
        ('DROP TRIGGER IF EXISTS metric_rollups_ai ON incidents'),
        ('DROP TRIGGER IF EXISTS metric_rollups_ad ON incidents'),
        ('DROP TRIGGER IF EXISTS metric_rollups_au ON incidents'),
        ('DROP FUNCTION IF EXISTS metric_rollups_apply()'),
    ],
}

REBUILD: dict[str, list[str]] = {
    'sqlite': [
        ('DELETE FROM metric_rollups'),
        ('DELETE FROM metric_rollup_buckets'),
        ('INSERT INTO metric_rollups (day, service_id, severity, incident_count, ack_count, '
         'ack_sum_ms, mitigate_count, mitigate_sum_ms, res_count, res_sum_ms, breached_count, '
         'known_count, resolved) SELECT day, service_id, severity, sum(incident_count), '
         'sum(ack_count), sum(ack_sum_ms), sum(mitigate_count), sum(mitigate_sum_ms), '
         'sum(res_count), sum(res_sum_ms), sum(breached_count), sum(known_count), sum(resolved) '
         "FROM (SELECT CASE fd.x WHEN 0 THEN '' WHEN 1 THEN date(incidents.created_at) ELSE "
         'date(incidents.resolved_at) END AS day, CASE WHEN fs.x = 1 THEN incidents.service_id '
         "ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS "
         'severity, CASE WHEN fd.x < 2 THEN 1 ELSE 0 END AS incident_count, CASE WHEN fd.x < 2 '
         'AND incidents.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END AS ack_count, CASE WHEN '
         "fd.x < 2 AND incidents.acknowledged_at IS NOT NULL THEN 1 * (((CAST(strftime('%s', "
         "substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 0 END AS '
         'ack_sum_ms, CASE WHEN fd.x < 2 AND incidents.mitigated_at IS NOT NULL THEN 1 ELSE 0 END '
         'AS mitigate_count, CASE WHEN fd.x < 2 AND incidents.mitigated_at IS NOT NULL THEN 1 * '
         "(((CAST(strftime('%s', substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000) ELSE 0 END AS mitigate_sum_ms, CASE WHEN fd.x < 2 AND '
         'incidents.resolved_at IS NOT NULL THEN 1 ELSE 0 END AS res_count, CASE WHEN fd.x < 2 '
         "AND incidents.resolved_at IS NOT NULL THEN 1 * (((CAST(strftime('%s', "
         "substr(incidents.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN fd.x < 2 AND '
         '(incidents.acknowledged_at > incidents.ack_due_at OR incidents.resolved_at > '
         'incidents.resolve_due_at) THEN 1 ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN '
         '1 ELSE 0 END AS known_count, CASE WHEN fd.x <> 1 THEN 1 ELSE 0 END AS resolved FROM '
         'incidents, (SELECT 0 AS x UNION ALL SELECT 1 UNION ALL SELECT 2) fd, (SELECT 0 AS x '
         'UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE (incidents.status '
         "NOT IN ('New', 'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL "
         'AND incidents.resolved_at IS NOT NULL)) c WHERE 1 = 1 GROUP BY day, service_id, '
         'severity ORDER BY day, service_id, severity'),
        ('INSERT INTO metric_rollup_buckets (tier, service_id, severity, measure, bucket, n, '
         'sum_ms) SELECT tier, service_id, severity, measure, bucket, sum(n), sum(sum_ms) FROM '
         '(SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, 'ack' "
         "AS measure, (CASE WHEN (((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) "
         "AS INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN -1 WHEN '
         "(((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) <= 1024 THEN '
         "(((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         "0.019000571614286515) AS INTEGER) END) AS bucket, 1 AS n, 1 * (((CAST(strftime('%s', "
         "substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms FROM '
         'incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv '
         "WHERE incidents.acknowledged_at IS NOT NULL AND (incidents.status NOT IN ('New', "
         "'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL) UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN '
         'incidents.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "incidents.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN -1 WHEN '
         "(((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) <= 1024 THEN '
         "(((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) ELSE 660 + '
         "CAST(ceil(ln((((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000)) / '
         '0.019000571614286515) AS INTEGER) END) / 64 AS bucket, 1 AS n, 1 * '
         "(((CAST(strftime('%s', substr(incidents.acknowledged_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.acknowledged_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms FROM '
         'incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv '
         "WHERE incidents.acknowledged_at IS NOT NULL AND (incidents.status NOT IN ('New', "
         "'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL) UNION ALL SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN '
         'incidents.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "incidents.severity ELSE '' END AS severity, 'mitigate' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, 1 '
         "AS n, 1 * (((CAST(strftime('%s', substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000) AS sum_ms FROM incidents, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE incidents.mitigated_at IS NOT '
         "NULL AND (incidents.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         'incidents.acknowledged_at IS NOT NULL AND incidents.resolved_at IS NOT NULL) UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, "
         "'mitigate' AS measure, (CASE WHEN (((CAST(strftime('%s', substr(incidents.mitigated_at, "
         "1, 19)) AS INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS "
         'INTEGER)) * 1000000 + CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN -1 WHEN '
         "(((CAST(strftime('%s', substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(incidents.mitigated_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS '
         "bucket, 1 AS n, 1 * (((CAST(strftime('%s', substr(incidents.mitigated_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(incidents.mitigated_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms FROM '
         'incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv '
         "WHERE incidents.mitigated_at IS NOT NULL AND (incidents.status NOT IN ('New', "
         "'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL) UNION ALL SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN '
         'incidents.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "incidents.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "(((CAST(strftime('%s', substr(incidents.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) < 0 THEN -1 WHEN (((CAST(strftime('%s', "
         "substr(incidents.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(incidents.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(incidents.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) AS bucket, 1 '
         "AS n, 1 * (((CAST(strftime('%s', substr(incidents.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000) AS sum_ms FROM incidents, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE incidents.resolved_at IS NOT '
         "NULL AND (incidents.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         'incidents.acknowledged_at IS NOT NULL AND incidents.resolved_at IS NOT NULL) UNION ALL '
         'SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, 'res' "
         "AS measure, (CASE WHEN (((CAST(strftime('%s', substr(incidents.resolved_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(incidents.resolved_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) < 0 THEN -1 WHEN '
         "(((CAST(strftime('%s', substr(incidents.resolved_at, 1, 19)) AS INTEGER) - "
         "CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + "
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) <= 1024 THEN (((CAST(strftime('%s', "
         "substr(incidents.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         "21) AS INTEGER) + 500) / 1000) ELSE 660 + CAST(ceil(ln((((CAST(strftime('%s', "
         "substr(incidents.resolved_at, 1, 19)) AS INTEGER) - CAST(strftime('%s', "
         'substr(incidents.created_at, 1, 19)) AS INTEGER)) * 1000000 + '
         'CAST(substr(incidents.resolved_at, 21) AS INTEGER) - CAST(substr(incidents.created_at, '
         '21) AS INTEGER) + 500) / 1000)) / 0.019000571614286515) AS INTEGER) END) / 64 AS '
         "bucket, 1 AS n, 1 * (((CAST(strftime('%s', substr(incidents.resolved_at, 1, 19)) AS "
         "INTEGER) - CAST(strftime('%s', substr(incidents.created_at, 1, 19)) AS INTEGER)) * "
         '1000000 + CAST(substr(incidents.resolved_at, 21) AS INTEGER) - '
         'CAST(substr(incidents.created_at, 21) AS INTEGER) + 500) / 1000) AS sum_ms FROM '
         'incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv '
         "WHERE incidents.resolved_at IS NOT NULL AND (incidents.status NOT IN ('New', "
         "'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL)) c WHERE 1 = 1 GROUP BY tier, service_id, severity, '
         'measure, bucket ORDER BY tier, service_id, severity, measure, bucket'),
    ],
    'postgresql': [
        ('DELETE FROM metric_rollups'),
        ('DELETE FROM metric_rollup_buckets'),
        ('INSERT INTO metric_rollups (day, service_id, severity, incident_count, ack_count, '
         'ack_sum_ms, mitigate_count, mitigate_sum_ms, res_count, res_sum_ms, breached_count, '
         'known_count, resolved) SELECT day, service_id, severity, sum(incident_count), '
         'sum(ack_count), sum(ack_sum_ms), sum(mitigate_count), sum(mitigate_sum_ms), '
         'sum(res_count), sum(res_sum_ms), sum(breached_count), sum(known_count), sum(resolved) '
         "FROM (SELECT CASE fd.x WHEN 0 THEN '' WHEN 1 THEN to_char((incidents.created_at) AT "
         "TIME ZONE 'UTC', 'YYYY-MM-DD') ELSE to_char((incidents.resolved_at) AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD') END AS day, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS "
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, CASE "
         'WHEN fd.x < 2 THEN 1 ELSE 0 END AS incident_count, CASE WHEN fd.x < 2 AND '
         'incidents.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END AS ack_count, CASE WHEN fd.x < '
         "2 AND incidents.acknowledged_at IS NOT NULL THEN 1 * ((round(date_part('epoch', "
         'incidents.acknowledged_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) '
         'ELSE 0 END AS ack_sum_ms, CASE WHEN fd.x < 2 AND incidents.mitigated_at IS NOT NULL '
         'THEN 1 ELSE 0 END AS mitigate_count, CASE WHEN fd.x < 2 AND incidents.mitigated_at IS '
         "NOT NULL THEN 1 * ((round(date_part('epoch', incidents.mitigated_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000) ELSE 0 END AS mitigate_sum_ms, '
         'CASE WHEN fd.x < 2 AND incidents.resolved_at IS NOT NULL THEN 1 ELSE 0 END AS '
         'res_count, CASE WHEN fd.x < 2 AND incidents.resolved_at IS NOT NULL THEN 1 * '
         "((round(date_part('epoch', incidents.resolved_at - incidents.created_at) * "
         '1000000)::bigint + 500) / 1000) ELSE 0 END AS res_sum_ms, CASE WHEN fd.x < 2 AND '
         '(incidents.acknowledged_at > incidents.ack_due_at OR incidents.resolved_at > '
         'incidents.resolve_due_at) THEN 1 ELSE 0 END AS breached_count, CASE WHEN fd.x < 2 THEN '
         '1 ELSE 0 END AS known_count, CASE WHEN fd.x <> 1 THEN 1 ELSE 0 END AS resolved FROM '
         'incidents, (SELECT 0 AS x UNION ALL SELECT 1 UNION ALL SELECT 2) fd, (SELECT 0 AS x '
         'UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE (incidents.status '
         "NOT IN ('New', 'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL "
         'AND incidents.resolved_at IS NOT NULL)) c WHERE 1 = 1 GROUP BY day, service_id, '
         'severity ORDER BY day, service_id, severity'),
        ('INSERT INTO metric_rollup_buckets (tier, service_id, severity, measure, bucket, n, '
         'sum_ms) SELECT tier, service_id, severity, measure, bucket, sum(n), sum(sum_ms) FROM '
         '(SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, 'ack' "
         "AS measure, (CASE WHEN ((round(date_part('epoch', incidents.acknowledged_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', incidents.acknowledged_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000) <= 1024 THEN (((round(date_part('epoch', "
         'incidents.acknowledged_at - incidents.created_at) * 1000000)::bigint + 500) / '
         "1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', incidents.acknowledged_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'incidents.acknowledged_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) AS '
         'sum_ms FROM incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE incidents.acknowledged_at IS NOT NULL AND (incidents.status NOT IN '
         "('New', 'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL) UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN '
         'incidents.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "incidents.severity ELSE '' END AS severity, 'ack' AS measure, (CASE WHEN "
         "((round(date_part('epoch', incidents.acknowledged_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', "
         'incidents.acknowledged_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) <= '
         "1024 THEN (((round(date_part('epoch', incidents.acknowledged_at - incidents.created_at) "
         "* 1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'incidents.acknowledged_at - incidents.created_at) * 1000000)::bigint + 500) / '
         '1000))::float8) / 0.019000571614286515)::int END) / 64 AS bucket, 1 AS n, 1 * '
         "((round(date_part('epoch', incidents.acknowledged_at - incidents.created_at) * "
         '1000000)::bigint + 500) / 1000) AS sum_ms FROM incidents, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE incidents.acknowledged_at IS '
         "NOT NULL AND (incidents.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         'incidents.acknowledged_at IS NOT NULL AND incidents.resolved_at IS NOT NULL) UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, "
         "'mitigate' AS measure, (CASE WHEN ((round(date_part('epoch', incidents.mitigated_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', incidents.mitigated_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000) <= 1024 THEN (((round(date_part('epoch', "
         'incidents.mitigated_at - incidents.created_at) * 1000000)::bigint + 500) / 1000))::int '
         "ELSE 660 + ceil(ln((((round(date_part('epoch', incidents.mitigated_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'incidents.mitigated_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) AS '
         'sum_ms FROM incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE incidents.mitigated_at IS NOT NULL AND (incidents.status NOT IN '
         "('New', 'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL) UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN '
         'incidents.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "incidents.severity ELSE '' END AS severity, 'mitigate' AS measure, (CASE WHEN "
         "((round(date_part('epoch', incidents.mitigated_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', "
         'incidents.mitigated_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) <= '
         "1024 THEN (((round(date_part('epoch', incidents.mitigated_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'incidents.mitigated_at - incidents.created_at) * 1000000)::bigint + 500) / '
         '1000))::float8) / 0.019000571614286515)::int END) / 64 AS bucket, 1 AS n, 1 * '
         "((round(date_part('epoch', incidents.mitigated_at - incidents.created_at) * "
         '1000000)::bigint + 500) / 1000) AS sum_ms FROM incidents, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE incidents.mitigated_at IS NOT '
         "NULL AND (incidents.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         'incidents.acknowledged_at IS NOT NULL AND incidents.resolved_at IS NOT NULL) UNION ALL '
         'SELECT 0 AS tier, CASE WHEN fs.x = 1 THEN incidents.service_id ELSE 0 END AS '
         "service_id, CASE WHEN fv.x = 1 THEN incidents.severity ELSE '' END AS severity, 'res' "
         "AS measure, (CASE WHEN ((round(date_part('epoch', incidents.resolved_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN '
         "((round(date_part('epoch', incidents.resolved_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000) <= 1024 THEN (((round(date_part('epoch', "
         'incidents.resolved_at - incidents.created_at) * 1000000)::bigint + 500) / 1000))::int '
         "ELSE 660 + ceil(ln((((round(date_part('epoch', incidents.resolved_at - "
         'incidents.created_at) * 1000000)::bigint + 500) / 1000))::float8) / '
         "0.019000571614286515)::int END) AS bucket, 1 AS n, 1 * ((round(date_part('epoch', "
         'incidents.resolved_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) AS '
         'sum_ms FROM incidents, (SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fv WHERE incidents.resolved_at IS NOT NULL AND (incidents.status NOT IN '
         "('New', 'Investigating', 'Mitigated') AND incidents.acknowledged_at IS NOT NULL AND "
         'incidents.resolved_at IS NOT NULL) UNION ALL SELECT 1 AS tier, CASE WHEN fs.x = 1 THEN '
         'incidents.service_id ELSE 0 END AS service_id, CASE WHEN fv.x = 1 THEN '
         "incidents.severity ELSE '' END AS severity, 'res' AS measure, (CASE WHEN "
         "((round(date_part('epoch', incidents.resolved_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000) < 0 THEN -1 WHEN ((round(date_part('epoch', "
         'incidents.resolved_at - incidents.created_at) * 1000000)::bigint + 500) / 1000) <= 1024 '
         "THEN (((round(date_part('epoch', incidents.resolved_at - incidents.created_at) * "
         "1000000)::bigint + 500) / 1000))::int ELSE 660 + ceil(ln((((round(date_part('epoch', "
         'incidents.resolved_at - incidents.created_at) * 1000000)::bigint + 500) / '
         '1000))::float8) / 0.019000571614286515)::int END) / 64 AS bucket, 1 AS n, 1 * '
         "((round(date_part('epoch', incidents.resolved_at - incidents.created_at) * "
         '1000000)::bigint + 500) / 1000) AS sum_ms FROM incidents, (SELECT 0 AS x UNION ALL '
         'SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv WHERE incidents.resolved_at IS NOT '
         "NULL AND (incidents.status NOT IN ('New', 'Investigating', 'Mitigated') AND "
         'incidents.acknowledged_at IS NOT NULL AND incidents.resolved_at IS NOT NULL)) c WHERE 1 '
         '= 1 GROUP BY tier, service_id, severity, measure, bucket ORDER BY tier, service_id, '
         'severity, measure, bucket'),
    ],
}
