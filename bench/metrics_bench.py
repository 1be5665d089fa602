"""GET /metrics over the whole history (served by the metric rollups) next to its SQL floor
and to /healthz, on PostgreSQL and on the SQLite copy.

PostgreSQL: the bench database load_pg.py filled (BENCH_N incidents, default a million; its
load recounts the rollups). SQLite: a copy of every Nth incident (BENCH_SQLITE_N, default
100,000), built here. The floor is the statements the app sends for the same call, replayed
directly (bench.py's `versus`); /healthz p50 is the same server's cheapest answer.
Writes bench/.work/metrics_rollups.json.

Usage: python bench/metrics_bench.py
"""

import asyncio
import json
import os
import statistics
from datetime import UTC, datetime
from typing import Any

import asyncpg
from bench import metrics_benchmarks
from harness import (
    APP_PORT,
    PG_DSN,
    PG_URL,
    SQLITE_FILE,
    SQLITE_PORT,
    SQLITE_URL,
    WORK,
    Client,
    PgDirect,
    Server,
    SqliteDirect,
    log,
    login,
)
from sqlite_copy import build_sqlite


def healthz_p50(client: Client, n: int = 200) -> float:
    server = []
    for _ in range(n):
        status, elapsed, _ = client.call("GET", "/healthz")
        assert status == 200
        server.append((client.server_seconds or elapsed) * 1000)
    return round(statistics.median(server), 3)


async def on(port: int, url: str, direct: Any, service_id: int, label: str,
             env: dict[str, str]) -> dict[str, Any]:
    server = Server(f"app-{label}-metrics", "app.main:app", port, env, "/healthz")
    try:
        client = Client(port, login(port))
        out: dict[str, Any] = {"healthz_server_p50_ms": healthz_p50(client)}
        out["metrics"] = await metrics_benchmarks(client, url, direct, service_id, 10)
    finally:
        server.stop()
    whole = out["metrics"][0]["server"]["median_ms"]
    out["whole_history_vs_healthz"] = round(whole / max(out["healthz_server_p50_ms"], 1e-3), 2)
    log(f"{label}: whole history {whole} ms (server), healthz p50 {out['healthz_server_p50_ms']} ms")
    return out


async def main() -> None:
    WORK.mkdir(exist_ok=True)
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                               "load_before": [round(x, 2) for x in os.getloadavg()]}
    pg = await asyncpg.connect(PG_DSN)
    try:
        results["incidents"] = await pg.fetchval("SELECT count(*) FROM incidents")
        service_id = await pg.fetchval(
            "SELECT service_id FROM incidents GROUP BY 1 ORDER BY count(*) DESC OFFSET 2 LIMIT 1")
        results["postgresql"] = await on(APP_PORT, PG_URL, PgDirect(pg), service_id, "pg",
                                         {"DATABASE_URL": PG_URL, "APP_ENV": "development"})
        results["sqlite_build"] = await build_sqlite(pg)
    finally:
        await pg.close()
    results["sqlite"] = await on(SQLITE_PORT, SQLITE_URL, SqliteDirect(SQLITE_FILE), service_id,
                                 "sqlite", {"DATABASE_URL": SQLITE_URL, "APP_ENV": "development"})
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    (WORK / "metrics_rollups.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    asyncio.run(main())
