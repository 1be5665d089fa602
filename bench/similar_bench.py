"""GET /incidents/{id}/similar: server time (Server-Timing) p50/p95 over random incidents.

PostgreSQL: the bench database load_pg.py filled (BENCH_N incidents, default a million); the
target is p95 under 50 ms. SQLite: the copy bench.py builds (bench/.work/ic_bench_sqlite.db,
every Nth incident), when it exists. Each incident is asked once, after a warm-up pass over
other incidents; the same seeded ids every run. Writes bench/.work/similar.json, which
report.py turns into RESULTS.md's "Similar past incidents" section.

Usage: python bench/similar_bench.py  (env BENCH_SIMILAR_SAMPLES, default 200;
BENCH_SIMILAR_SQLITE_SAMPLES, default 50)
"""

import asyncio
import json
import os
import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg
from harness import (
    APP_PORT,
    PG_DSN,
    PG_URL,
    SQLITE_FILE,
    SQLITE_PORT,
    SQLITE_URL,
    WORK,
    Client,
    Server,
    log,
    login,
)

SAMPLES = int(os.environ.get("BENCH_SIMILAR_SAMPLES", "200"))
# SQLite answers in about a second at 100,000 incidents: fewer samples keep make bench in time.
SQLITE_SAMPLES = int(os.environ.get("BENCH_SIMILAR_SQLITE_SAMPLES", "50"))
WARM_UP = 20
SEED = 14


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(port: int, ids: list[int]) -> dict[str, Any]:
    client = Client(port, login(port))
    for ident in ids[:WARM_UP]:
        client.call("GET", f"/incidents/{ident}/similar")
    server, http, found = [], [], []
    for ident in ids[WARM_UP:]:
        status, elapsed, data = client.call("GET", f"/incidents/{ident}/similar")
        if status != 200:
            raise RuntimeError(f"/incidents/{ident}/similar answered {status}: {data[:200]!r}")
        http.append(elapsed * 1000)
        server.append((client.server_seconds or elapsed) * 1000)
        found.append(len(json.loads(data)["items"]))
    return {"samples": len(server),
            "server_ms": {"p50": round(statistics.median(server), 2), "p95": round(percentile(server, 0.95), 2),
                          "max": round(max(server), 2)},
            "http_ms": {"p50": round(statistics.median(http), 2), "p95": round(percentile(http, 0.95), 2)},
            "items_mean": round(statistics.mean(found), 2), "empty": sum(1 for n in found if n == 0)}


async def pg_ids(pg: asyncpg.Connection, count: int) -> tuple[int, list[int]]:
    total, low, high = await pg.fetchrow("SELECT count(*), min(id), max(id) FROM incidents")
    rng = random.Random(SEED)
    return int(total), [rng.randint(low, high) for _ in range(count)]


def sqlite_ids(count: int) -> tuple[int, list[int]]:
    with sqlite3.connect(SQLITE_FILE) as lite:
        ids = [r[0] for r in lite.execute("SELECT id FROM incidents ORDER BY id")]
    rng = random.Random(SEED)
    return len(ids), [rng.choice(ids) for _ in range(count)]


async def main() -> None:
    WORK.mkdir(exist_ok=True)
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                               "load_before": [round(x, 2) for x in os.getloadavg()]}
    pg = await asyncpg.connect(PG_DSN)
    try:
        total, ids = await pg_ids(pg, SAMPLES + WARM_UP)
    finally:
        await pg.close()
    app = Server("app-pg-similar", "app.main:app", APP_PORT,
                 {"DATABASE_URL": PG_URL, "APP_ENV": "development"}, "/healthz")
    try:
        t0 = time.perf_counter()
        results["postgresql"] = {"incidents": total, **measure(APP_PORT, ids),
                                 "seconds": round(time.perf_counter() - t0, 1)}
    finally:
        app.stop()
    log(f"similar on PostgreSQL: {results['postgresql']['server_ms']}")
    if SQLITE_FILE.exists():
        total, ids = sqlite_ids(SQLITE_SAMPLES + WARM_UP)
        lite = Server("app-sqlite-similar", "app.main:app", SQLITE_PORT,
                      {"DATABASE_URL": SQLITE_URL, "APP_ENV": "development"}, "/healthz")
        try:
            t0 = time.perf_counter()
            results["sqlite"] = {"incidents": total, **measure(SQLITE_PORT, ids),
                                 "seconds": round(time.perf_counter() - t0, 1)}
        finally:
            lite.stop()
        log(f"similar on SQLite: {results['sqlite']['server_ms']}")
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    (WORK / "similar.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
