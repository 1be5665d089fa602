"""The laptop case: a SQLite copy of every Nth incident of the PostgreSQL bench database
(with its timeline and RCA), migrated by Alembic like any install, for the SQLite runs.
The metric rollups' triggers are off for the copy and the rollups recounted after it."""

import json
import os
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from harness import BACKEND, ROOT, SQLITE_FILE, SQLITE_N, SQLITE_URL

from app.services.metrics import rollups  # noqa: E402  (harness puts the backend on the path)


def sqlite_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


async def build_sqlite(pg: asyncpg.Connection, n: int = SQLITE_N,
                       path: Path = SQLITE_FILE) -> dict[str, Any]:
    """A copy of about `n` incidents at `path` (every total // n th)."""
    t0 = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = SQLITE_URL if path == SQLITE_FILE else f"sqlite+aiosqlite:///{path}"
    subprocess.run([str(BACKEND / ".venv/bin/alembic"), "-c", str(ROOT / "alembic.ini"),
                    "upgrade", "head"], cwd=BACKEND, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, "DATABASE_URL": url})
    total = await pg.fetchval("SELECT count(*) FROM incidents")
    step = max(1, total // n)
    lite = sqlite3.connect(path)
    lite.execute("PRAGMA journal_mode=WAL")
    lite.execute("PRAGMA synchronous=OFF")
    queries = {
        "users": "SELECT * FROM users",
        "services": "SELECT * FROM services",
        "runbooks": "SELECT * FROM runbooks",
        "incidents": f"SELECT * FROM incidents WHERE id % {step} = 0",
        "incident_events": f"SELECT * FROM incident_events WHERE incident_id % {step} = 0",
        "rcas": f"SELECT * FROM rcas WHERE incident_id % {step} = 0",
    }
    await pg.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    counts = {}
    for statement in rollups.drop_triggers("sqlite"):
        lite.execute(statement)
    for table, sql in queries.items():
        rows = await pg.fetch(sql)
        if not rows:
            continue
        cols = list(rows[0].keys())
        lite.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            ([sqlite_time(v) for v in r.values()] for r in rows))
        counts[table] = len(rows)
    for statement in [*rollups.create_triggers("sqlite"), *rollups.rebuild_statements("sqlite")]:
        lite.execute(statement)
    lite.commit()
    lite.execute("ANALYZE")
    lite.close()
    await pg.reset_type_codec("jsonb", schema="pg_catalog")
    return {"rows": counts, "seconds": round(time.perf_counter() - t0, 2)}
