"""Fill a fresh PostgreSQL database with N incidents shaped like a real history, set-based.

Steps: drop and create the database, migrate it with Alembic, let the app seed its demo users
and services, then add more services and owners and generate incidents, timelines, RCAs (and
alerts when the alerts table exists) with INSERT ... SELECT over generate_series. The load
runs with triggers off (session_replication_role = replica), so the metric rollups are
recounted after it (rollups.rebuild_statements), and the distinct titles of similar incidents
noted. Secondary indexes are dropped for the load
and rebuilt after it, then VACUUM ANALYZE.

Usage: python bench/load_pg.py  (env BENCH_N, BENCH_PG_DB, BENCH_PG_ADMIN)
Prints one JSON object of step durations on its last line.
"""

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "backend"
sys.path.insert(0, str(BACKEND))
from app.services.metrics import rollups  # noqa: E402
N = int(os.environ.get("BENCH_N", "1000000"))
DB = os.environ.get("BENCH_PG_DB", "ic_bench")
ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DSN = ADMIN.rsplit("/", 1)[0] + "/" + DB
URL = "postgresql+asyncpg://" + DSN.split("://", 1)[1]

EXTRA_SERVICES = [
    ("orders-api", "Commerce"), ("inventory", "Commerce"), ("notifications", "Platform"),
    ("cdn-edge", "Infrastructure"), ("kafka", "Data"), ("warehouse-etl", "Data"),
    ("mobile-bff", "Mobile"), ("recommendations", "Discovery"),
]
OWNERS = 24
PHRASES = [
    "p99 latency above SLO", "5xx error rate spike", "disk pressure on primary",
    "TLS certificate expiring", "queue backlog growing", "login failures",
    "payment provider timeouts", "memory leak after deploy", "replication lag",
    "DNS resolution errors", "pod crash loop", "cache hit ratio collapse",
]

SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename = ANY($1::text[])
  AND indexname NOT LIKE 'pk\\_%' AND indexname NOT LIKE 'uq\\_%'
"""


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def migrate_and_seed() -> None:
    env = {**os.environ, "DATABASE_URL": URL}
    subprocess.run([str(BACKEND / ".venv/bin/alembic"), "-c", str(ROOT / "alembic.ini"),
                    "upgrade", "head"], cwd=BACKEND, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    code = (
        "import asyncio\n"
        "from app.config import Settings\n"
        "from app.db import Database, make_engine\n"
        "from app.security import make_password_hasher\n"
        "from app.services.users.accounts import Accounts\n"
        "from app.startup import prepare_database\n"
        "async def main():\n"
        # The demo users and services only: the bench writes its own million incidents (the
        # sixty days of demo history would collide with its RCAs).
        "    s = Settings(database_url=%r, seed_demo_data=True, seed_demo_history=False)\n"
        "    db = Database(make_engine(s))\n"
        "    h = make_password_hasher(s.password_memory_kib, s.password_time_cost, s.password_parallelism)\n"
        "    await prepare_database(db, s, Accounts(db, s, h))\n"
        "    await db.dispose()\n"
        "asyncio.run(main())\n"
    ) % URL
    subprocess.run([str(BACKEND / ".venv/bin/python"), "-c", code], cwd=BACKEND, env=env,
                   check=True)


INCIDENTS = """
INSERT INTO incidents (id, title, description, severity, status, service_id, assignee_id,
    created_at, acknowledged_at, mitigated_at, resolved_at, closed_at,
    ack_due_at, resolve_due_at, ack_at_risk_at, resolve_at_risk_at, version)
SELECT g, t.title, t.description, t.sev, t.status, s.id, u.id,
       t.created_at,
       CASE WHEN t.status <> 'New' THEN t.created_at + t.ack_s * interval '1 second' END,
       CASE WHEN t.status IN ('Mitigated', 'Resolved', 'Closed')
            THEN t.created_at + (t.ack_s + (t.res_s - t.ack_s) * 0.7) * interval '1 second' END,
       CASE WHEN t.status IN ('Resolved', 'Closed') THEN t.created_at + t.res_s * interval '1 second' END,
       CASE WHEN t.status = 'Closed' THEN t.created_at + (t.res_s + 3600 + t.r4 * 172800) * interval '1 second' END,
       t.created_at + s.ack_min * interval '1 minute',
       t.created_at + s.res_min * interval '1 minute',
       t.created_at + s.ack_min * 0.75 * interval '1 minute',
       t.created_at + s.res_min * 0.75 * interval '1 minute',
       CASE t.status WHEN 'Closed' THEN 5 WHEN 'New' THEN 1 ELSE 3 END
FROM generate_series(1, $1::int) g
CROSS JOIN LATERAL (SELECT random() + 0 * g AS r1, random() + 0 * g AS r2,
                           random() + 0 * g AS r3, random() + 0 * g AS r4,
                           random() + 0 * g AS r5, random() + 0 * g AS r6) r
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.r1 < 0.02 THEN 'SEV1' WHEN r.r1 < 0.10 THEN 'SEV2'
                WHEN r.r1 < 0.45 THEN 'SEV3' ELSE 'SEV4' END AS sev,
           floor(r.r2 * r.r2 * $2::int)::int AS svc_k,
           CASE WHEN r.r3 < 0.05 THEN NULL ELSE floor(r.r3 * $3::int)::int %% $3::int END AS owner_k
) pick
JOIN bench_services s ON s.k = pick.svc_k AND s.sev = pick.sev
LEFT JOIN bench_owners u ON u.k = pick.owner_k
CROSS JOIN LATERAL (
    SELECT pick.sev,
           (($4::timestamptz - interval '1095 days')
             + (g::float8 / $1::int) * interval '1095 days'
             - interval '90 minutes' * r.r6) AS created_at,
           CASE WHEN g <= $1::int - $5::int THEN 'Closed'
                WHEN r.r5 < 0.2 THEN 'New' WHEN r.r5 < 0.6 THEN 'Investigating'
                WHEN r.r5 < 0.85 THEN 'Mitigated' ELSE 'Resolved' END AS status,
           greatest(5, -ln(1 - r.r4 * 0.999) * s.ack_min * 60 * 0.5) AS ack_s,
           greatest(5, -ln(1 - r.r4 * 0.999) * s.ack_min * 60 * 0.5)
             + greatest(60, -ln(1 - r.r5 * 0.999) * s.res_min * 60 * 0.4) AS res_s,
           r.r4,
           (ARRAY[%(phrases)s])[1 + g %% %(nphrases)s] || ' on ' || s.name AS title,
           'Alert fired for ' || s.name || ': ' || (ARRAY[%(phrases)s])[1 + (g / 7) %% %(nphrases)s]
             || ' on host ' || s.name || '-' || to_hex(g %% 4096) || '. Owner team '
             || s.owner_team || ' paged.' AS description
) t
"""

EVENTS = """
INSERT INTO incident_events (incident_id, type, body, data, created_by, created_at)
SELECT i.id, e.type, e.body, e.data, e.created_by, e.at
FROM incidents i
CROSS JOIN LATERAL (VALUES
    ('created', i.severity || ' incident opened on service ' || i.service_id,
     jsonb_build_object('severity', i.severity, 'service_id', i.service_id,
                        'assignee_id', i.assignee_id, 'source', 'alert'),
     NULL::int, i.created_at),
    ('status_change', 'Moved from New to Investigating',
     jsonb_build_object('from', 'New', 'to', 'Investigating', 'note', NULL),
     i.assignee_id, i.acknowledged_at),
    ('comment', 'Rolled back the last deploy; watching error rates.', '{}'::jsonb,
     i.assignee_id, i.mitigated_at),
    ('status_change', 'Moved from Mitigated to Resolved',
     jsonb_build_object('from', 'Mitigated', 'to', 'Resolved', 'note', NULL),
     i.assignee_id, i.resolved_at),
    ('status_change', 'Moved from Resolved to Closed',
     jsonb_build_object('from', 'Resolved', 'to', 'Closed', 'note', NULL),
     i.assignee_id, i.closed_at)
) AS e(type, body, data, created_by, at)
WHERE e.at IS NOT NULL AND i.id BETWEEN $1::int AND $2::int
"""

RCAS = """
INSERT INTO rcas (incident_id, root_cause, contributing_factors, corrective_actions,
                  prevention_actions, updated_at, updated_by)
SELECT id, 'A configuration change on service ' || service_id || ' exhausted the pool.',
       'No canary; alert thresholds too loose.', 'Rolled back; raised the pool size.',
       'Canary deploys and a pool saturation alert.', coalesce(closed_at, resolved_at), assignee_id
FROM incidents
WHERE status = 'Closed' OR (status = 'Resolved' AND id % 3 = 0)
"""


async def step(timings: dict[str, float], name: str, conn: asyncpg.Connection, sql: str,
               *args: object) -> None:
    t0 = time.perf_counter()
    await conn.execute(sql, *args)
    timings[name] = round(time.perf_counter() - t0, 2)
    print(f"  {name}: {timings[name]} s", file=sys.stderr, flush=True)


async def fill(timings: dict[str, float]) -> None:
    conn = await asyncpg.connect(DSN)
    await conn.execute("SET session_replication_role = replica; SET synchronous_commit = off;"
                       " SET maintenance_work_mem = '512MB'; SET work_mem = '64MB'")
    now = await conn.fetchval("SELECT now()")
    policy = await conn.fetchval("SELECT sla_policy FROM services ORDER BY id LIMIT 1")
    hash_ = await conn.fetchval("SELECT password_hash FROM users ORDER BY id LIMIT 1")
    for name, team in EXTRA_SERVICES:
        await conn.execute(
            "INSERT INTO services (name, owner_team, sla_policy) VALUES ($1, $2, $3::jsonb)"
            " ON CONFLICT (name) DO NOTHING", name, team, policy)
    await conn.execute(
        "INSERT INTO users (name, username, password_hash, role)"
        " SELECT 'Responder ' || g, 'responder' || g, $1, 'responder'"
        " FROM generate_series(1, $2::int) g ON CONFLICT (username) DO NOTHING", hash_, OWNERS)
    await conn.execute("DELETE FROM incidents")
    await conn.execute("""
        CREATE TEMP TABLE bench_services AS
        SELECT (dense_rank() OVER (ORDER BY id) - 1)::int AS k, id, name, owner_team, sev.sev,
               (sla_policy -> sev.sev ->> 'ack_minutes')::int AS ack_min,
               (sla_policy -> sev.sev ->> 'resolve_minutes')::int AS res_min
        FROM services CROSS JOIN (VALUES ('SEV1'), ('SEV2'), ('SEV3'), ('SEV4')) sev(sev)""")
    await conn.execute("""
        CREATE TEMP TABLE bench_owners AS
        SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id FROM users
        WHERE role <> 'viewer'; ANALYZE bench_services; ANALYZE bench_owners""")
    n_services = await conn.fetchval("SELECT count(DISTINCT id) FROM bench_services")
    n_owners = await conn.fetchval("SELECT count(*) FROM bench_owners")
    tables = ["incidents", "incident_events", "rcas"]
    indexes = await conn.fetch(SECONDARY_INDEXES, tables)
    for row in indexes:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    phrases = ", ".join("'" + p + "'" for p in PHRASES)
    sql = INCIDENTS % {"phrases": phrases, "nphrases": len(PHRASES)}
    open_count = max(50, N // 200)
    await step(timings, "incidents", conn, sql, N, n_services, n_owners, now, open_count)
    await conn.close()

    async def events_part(lo: int, hi: int) -> None:
        c = await asyncpg.connect(DSN)
        await c.execute("SET session_replication_role = replica; SET synchronous_commit = off;"
                        " SET work_mem = '64MB'")
        await c.execute(EVENTS, lo, hi)
        await c.close()

    async def rcas() -> None:
        c = await asyncpg.connect(DSN)
        await c.execute("SET session_replication_role = replica; SET synchronous_commit = off")
        await c.execute(RCAS)
        await c.close()

    async def recount_rollups() -> None:
        c = await asyncpg.connect(DSN)
        await c.execute("SET work_mem = '256MB'")
        t = time.perf_counter()
        async with c.transaction():
            for statement in rollups.rebuild_statements("postgresql"):
                await c.execute(statement)
        timings["rollups"] = round(time.perf_counter() - t, 2)
        print(f"  rollups: {timings['rollups']} s", file=sys.stderr, flush=True)
        await c.close()

    async def note_titles() -> None:
        """The distinct titles similar incidents are looked for in (migration
        0020_similar_titles), which the trigger-less load did not note."""
        c = await asyncpg.connect(DSN)
        await c.execute("INSERT INTO similar_titles (title_key) SELECT DISTINCT lower(title) "
                        "FROM incidents ORDER BY 1 ON CONFLICT DO NOTHING")
        await c.close()

    t0 = time.perf_counter()
    await asyncio.gather(events_part(1, N // 2), events_part(N // 2 + 1, N), rcas(),
                         recount_rollups(), note_titles())
    timings["events_and_rcas"] = round(time.perf_counter() - t0, 2)
    print(f"  events_and_rcas: {timings['events_and_rcas']} s", file=sys.stderr, flush=True)

    conn = await asyncpg.connect(DSN)
    await conn.execute("SET maintenance_work_mem = '512MB'")
    if await conn.fetchval("SELECT to_regclass('public.alerts') IS NOT NULL"):
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from load_alerts import load_alerts
        alert_indexes = await conn.fetch(SECONDARY_INDEXES, ["alerts"])
        for row in alert_indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        indexes = [*indexes, *alert_indexes]
        t0 = time.perf_counter()
        timings["alerts_rows"] = await load_alerts(conn, N)
        timings["alerts"] = round(time.perf_counter() - t0, 2)
        print(f"  alerts: {timings['alerts']} s", file=sys.stderr, flush=True)
    for table in ("incidents", "incident_events", "rcas", "users", "services"):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" (SELECT coalesce(max(id), 1) FROM {table}))")

    async def build(defs: list[str]) -> None:
        c = await asyncpg.connect(DSN)
        await c.execute("SET maintenance_work_mem = '512MB'")
        for d in defs:
            await c.execute(d)
        await c.close()

    t0 = time.perf_counter()
    defs = [row["indexdef"] for row in indexes]
    await asyncio.gather(build(defs[0::2]), build(defs[1::2]))
    timings["indexes"] = round(time.perf_counter() - t0, 2)
    print(f"  indexes: {timings['indexes']} s", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    await asyncio.gather(*(admin_vacuum(t) for t in ("incidents", "incident_events", "rcas",
                                                      "metric_rollups", "metric_rollup_buckets")),
                         admin_vacuum("alerts", optional=True))
    timings["vacuum_analyze"] = round(time.perf_counter() - t0, 2)
    print(f"  vacuum_analyze: {timings['vacuum_analyze']} s", file=sys.stderr, flush=True)
    timings["rows"] = {  # type: ignore[assignment]
        t: await conn.fetchval(f"SELECT count(*) FROM {t}")
        for t in ("incidents", "incident_events", "rcas")
    }
    await conn.close()


async def admin_vacuum(table: str, optional: bool = False) -> None:
    c = await asyncpg.connect(DSN)
    if optional and not await c.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
        await c.close()
        return
    await c.execute(f"VACUUM (ANALYZE) {table}")
    await c.close()


async def main() -> None:
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    await admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    await admin(f'CREATE DATABASE "{DB}"')
    t0 = time.perf_counter()
    migrate_and_seed()
    timings["migrate_seed"] = round(time.perf_counter() - t0, 2)
    await fill(timings)
    timings["total"] = round(time.perf_counter() - t_all, 2)
    print(json.dumps(timings))


if __name__ == "__main__":
    asyncio.run(main())
