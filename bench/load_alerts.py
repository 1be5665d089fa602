"""Alerts for the loaded history: one Alertmanager alert per incident (set-based), resolved
with its incident, plus repeats counted on a tenth of them."""

import asyncpg

ALERTS = """
INSERT INTO alerts (source, fingerprint, status, severity, summary, description, labels,
    source_url, group_key, service_id, incident_id, first_seen_at, last_seen_at, fired_at,
    starts_at, ends_at, acknowledged_at, resolved_at, count)
SELECT 'alertmanager', md5(i.id::text), CASE WHEN i.resolved_at IS NULL THEN 'firing' ELSE 'resolved' END,
       i.severity, i.title, i.description,
       jsonb_build_object('alertname', 'Bench' || (i.id % 40), 'service', s.name,
                          'instance', s.name || '-' || to_hex(i.id % 4096)),
       NULL, '{}:{alertname="Bench' || (i.id % 40) || '"}', i.service_id, i.id,
       i.created_at, coalesce(i.resolved_at, i.created_at), i.created_at, i.created_at,
       i.resolved_at, i.acknowledged_at, i.resolved_at,
       CASE WHEN i.id % 10 = 0 THEN 3 ELSE 1 END
FROM incidents i JOIN services s ON s.id = i.service_id
"""


async def load_alerts(conn: asyncpg.Connection, n: int) -> int:
    await conn.execute("SET session_replication_role = replica; SET synchronous_commit = off")
    await conn.execute(ALERTS)
    await conn.execute("RESET session_replication_role")
    await conn.execute("SELECT setval(pg_get_serial_sequence('alerts', 'id'),"
                       " (SELECT coalesce(max(id), 1) FROM alerts))")
    return int(await conn.fetchval("SELECT count(*) FROM alerts"))
