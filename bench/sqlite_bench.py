"""The SQLite tiers of `make bench` (called by bench.py after the PostgreSQL runs).

- At 3,000 incidents (the small install): GET /incidents, GET /incidents/{id}, GET /metrics
  and /healthz interleaved in one run against one server, p50 of each as a ratio to /healthz's
  p50 (the floor every request pays: HTTP, routing, middleware), with the load average;
  metrics comes in every fourth round, the slowest call bounding the time the tier takes.
- At SQLITE_N incidents (100,000): list and detail server time (Server-Timing) against the
  same statements sent through sqlite3 from this process (bench.versus); metrics likewise.
"""

import os
import random
import statistics
from pathlib import Path
from typing import Any

import asyncpg

from harness import (
    RUNS,
    SQLITE_PORT,
    SQLITE_URL,
    WORK,
    Client,
    Server,
    SqliteDirect,
    Statements,
    capture,
    log,
    login,
    summary,
)
from sqlite_copy import build_sqlite

from app.services.incidents import triage

SMALL_N = int(os.environ.get("BENCH_SQLITE_SMALL_N", "3000"))
SMALL_FILE = WORK / "ic_bench_sqlite_small.db"
SMALL_REPS = int(os.environ.get("BENCH_SQLITE_SMALL_REPS", "200"))
METRICS_EVERY = 4  # metrics in one round of four: the slowest call bounds the tier's time
# GET /metrics again, after a change each time: the answer computed, not the one kept.
COMPUTED = "metrics, computed"


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _ids(path: Path, n: int) -> list[int]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM incidents")]
    finally:
        conn.close()
    return random.Random(7).sample(ids, min(n, len(ids)))


def _p50(client: Client, path: str) -> tuple[float, float]:
    status, elapsed, body = client.call("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    return elapsed, client.server_seconds if client.server_seconds is not None else elapsed


async def small_tier(pg: asyncpg.Connection) -> dict[str, Any]:
    """The ratios to /healthz at SMALL_N incidents, all four calls interleaved."""
    build = await build_sqlite(pg, SMALL_N, SMALL_FILE)
    url = f"sqlite+aiosqlite:///{SMALL_FILE}"
    ids = _ids(SMALL_FILE, 500)
    before = load()
    server = Server("app-sqlite-small", "app.main:app", SQLITE_PORT,
                    {"DATABASE_URL": url, "APP_ENV": "development"}, "/healthz")
    calls = {"healthz": lambda i: "/healthz", "list": lambda i: "/incidents",
             "detail": lambda i: f"/incidents/{ids[i % len(ids)]}", "metrics": lambda i: "/metrics",
             COMPUTED: lambda i: "/metrics"}
    direct = SqliteDirect(SMALL_FILE)  # its touch: a change, so the app computes its answer
    try:
        client = Client(SQLITE_PORT, login(SQLITE_PORT))
        for i in range(20):  # warm-up: every path once, caches filled
            for path in calls.values():
                _p50(client, path(i))
        http: dict[str, list[float]] = {k: [] for k in calls}
        srv: dict[str, list[float]] = {k: [] for k in calls}
        runs: dict[str, list[float]] = {k: [] for k in calls}
        for _ in range(RUNS):
            run: dict[str, list[float]] = {k: [] for k in calls}
            for i in range(SMALL_REPS):
                for name, path in calls.items():
                    if name in ("metrics", COMPUTED) and i % METRICS_EVERY:
                        continue
                    if name == COMPUTED:
                        await direct.touch()
                    h, s = _p50(client, path(i))
                    run[name].append(h)
                    http[name].append(h)
                    srv[name].append(s)
            for name in calls:
                runs[name].append(statistics.median(run[name]))
    finally:
        server.stop()
        direct.conn.close()
    out: dict[str, Any] = {"incidents": build["rows"].get("incidents", 0), "build": build,
                           "reps": SMALL_REPS, "runs": RUNS, "load_before": before,
                           "load_after": load(), "calls": {}}
    floor_http = statistics.median(http["healthz"])
    floor_srv = statistics.median(srv["healthz"])
    for name in calls:
        p50_http, p50_srv = statistics.median(http[name]), statistics.median(srv[name])
        out["calls"][name] = {
            "http": summary(runs[name], http[name]),
            "server_p50_ms": round(p50_srv * 1000, 3),
            "ratio": round(p50_http / floor_http, 2),
            "server_ratio": round(p50_srv / floor_srv, 2),
            "run_ratios": [round(r / h, 2) for r, h in zip(runs[name], runs["healthz"], strict=True)],
        }
        log(f"sqlite {SMALL_N}: {name} p50 {p50_http * 1000:.2f} ms, "
            f"x{out['calls'][name]['ratio']} /healthz (server x{out['calls'][name]['server_ratio']})")
    return out


async def detail_benchmark(client: Client, direct: Any, path: Path, reps: int,
                           versus: Any) -> dict[str, Any]:
    """GET /incidents/{id} of incidents spread over the history, each against its own SQL."""
    out: list[dict[str, Any]] = []
    for ident in _ids(path, 5):
        stmts: Statements = await capture(SQLITE_URL, lambda db, i=ident: triage.get(db, i))
        out.append(await versus(client, f"/incidents/{ident}", direct, stmts, reps))
    merged = {"name": "detail (5 incidents)", "path": "/incidents/{id}",
              "statements": out[0]["statements"]}
    for part in ("http", "server", "sql"):
        medians = [x[part]["median_ms"] / 1000 for x in out]
        merged[part] = summary(medians, medians)
        merged[part]["p99_ms"] = max(x[part]["p99_ms"] for x in out)
    merged["ratio"] = round(statistics.median(x["ratio"] for x in out), 2)
    merged["http_ratio"] = round(statistics.median(x["http_ratio"] for x in out), 2)
    log(f"sqlite detail: server {merged['server']['median_ms']} ms, sql "
        f"{merged['sql']['median_ms']} ms, x{merged['ratio']}")
    return merged
