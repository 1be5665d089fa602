"""Measure each operation next to its floor, in one run, and write bench/.work/results.json.

Floors:
- the SQL an operation sends (captured from the service layer in-process) replayed directly
  through asyncpg (PostgreSQL) or sqlite3 (SQLite), against the HTTP call;
- for throughput, a bare FastAPI app (bench/floor_app.py: a constant, and SELECT 1 through
  asyncpg) served by uvicorn with exactly the same flags as the real app, driven by wrk.

Everything targets 127.0.0.1 and stops by itself. Run through bench/run.sh.
"""

import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


from app.domain.lifecycle import Status  # noqa: E402
from app.domain.severity import Severity  # noqa: E402
from app.domain.sla import SlaState  # noqa: E402
from app.services.incidents import listing as incident_service  # noqa: E402
from app.services.metrics import compute as metrics_service  # noqa: E402
from app.services.cursors import encode_cursor  # noqa: E402

from harness import (  # noqa: E402
    APP_PORT,
    BENCH,
    FLOOR_PORT,
    PAGE,
    PG_DSN,
    PG_URL,
    RUNS,
    SQLITE_FILE,
    SQLITE_PORT,
    SQLITE_URL,
    UVICORN_FLAGS,
    WORK,
    WORKERS,
    WRK_SECONDS,
    Client,
    PgDirect,
    RssSampler,
    Server,
    SqliteDirect,
    Statements,
    capture,
    log,
    login,
    summary,
    wrk,
)
from sqlite_copy import build_sqlite  # noqa: E402
import sqlite_bench  # noqa: E402
from write_bench import write_benchmarks  # noqa: E402


async def versus(client: Client, path: str, direct: Any, statements: Statements,
                 reps: int, before: Callable[[], Awaitable[None]] | None = None) -> dict[str, Any]:
    """Interleave the HTTP call and its SQL sent directly; RUNS runs of `reps` each;
    `before` (untimed) ahead of each call."""
    status, _, body = client.call("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    await direct.run(statements)
    http_runs, server_runs, sql_runs, http_all, server_all, sql_all = [], [], [], [], [], []
    for _ in range(RUNS):
        h, v, s = [], [], []
        for _ in range(reps):
            if before is not None:
                await before()
            h.append(client.call("GET", path)[1])
            v.append(client.server_seconds if client.server_seconds is not None else h[-1])
            s.append(await direct.run(statements))
        http_runs.append(statistics.median(h))
        server_runs.append(statistics.median(v))
        sql_runs.append(statistics.median(s))
        http_all += h
        server_all += v
        sql_all += s
    out = {"path": path, "statements": len(statements), "http": summary(http_runs, http_all),
           "server": summary(server_runs, server_all), "sql": summary(sql_runs, sql_all)}
    # Server time (the app's Server-Timing) against the SQL sent directly from this process;
    # the client's own HTTP round trip is reported beside it.
    out["ratio"] = round(out["server"]["median_ms"] / out["sql"]["median_ms"], 2)
    out["http_ratio"] = round(out["http"]["median_ms"] / out["sql"]["median_ms"], 2)
    return out


# ---------------------------------------------------------------- scenarios


def list_cases(service_id: int, assignee_id: int) -> list[tuple[str, str, Any]]:
    F = incident_service.IncidentFilter
    open_ = [Status.NEW, Status.INVESTIGATING, Status.MITIGATED]
    return [
        ("no filter", "", F()),
        ("status=open", "status=New&status=Investigating&status=Mitigated", F(status=open_)),
        ("status=Closed", "status=Closed", F(status=[Status.CLOSED])),
        ("severity=SEV1", "severity=SEV1", F(severity=[Severity.SEV1])),
        ("service", f"service_id={service_id}", F(service_id=[service_id])),
        ("assignee", f"assignee_id={assignee_id}", F(assignee_id=[assignee_id])),
        ("status+severity", "status=New&status=Investigating&severity=SEV1&severity=SEV2",
         F(status=[Status.NEW, Status.INVESTIGATING], severity=[Severity.SEV1, Severity.SEV2])),
        ("service+severity", f"service_id={service_id}&severity=SEV2",
         F(service_id=[service_id], severity=[Severity.SEV2])),
        ("service+assignee+status", f"service_id={service_id}&assignee_id={assignee_id}"
         "&status=Closed",
         F(service_id=[service_id], assignee_id=[assignee_id], status=[Status.CLOSED])),
        ("sla_state=breached", "sla_state=breached", F(sla_state=[SlaState.BREACHED])),
        ("q=latency", "q=latency", F(q="latency")),
    ]


async def list_benchmarks(client: Client, url: str, direct: Any, service_id: int,
                          assignee_id: int, reps: int,
                          cases: list[tuple[str, str, Any]] | None = None) -> list[dict[str, Any]]:
    out = []
    for name, query, f in cases or list_cases(service_id, assignee_id):
        stmts = await capture(url, lambda db, f=f: incident_service.list_incidents(db, f, PAGE, None))
        path = "/incidents" + (f"?{query}" if query else "")
        result = await versus(client, path, direct, stmts, reps)
        result["name"] = name
        log(f"list {name}: server {result['server']['median_ms']} ms, http {result['http']['median_ms']} ms, sql "
            f"{result['sql']['median_ms']} ms, x{result['ratio']}")
        out.append(result)
    return out


async def deep_page(client: Client, url: str, direct: Any, cursor_row: tuple[datetime, int],
                    reps: int) -> dict[str, Any]:
    """Page 1,000 as a client reaches it: the cursor of page 999 (with the first page's total
    when the server carries it in its cursors)."""
    first = json.loads(client.call("GET", "/incidents")[2])
    try:
        cursor = encode_cursor(*cursor_row, first["total"])  # type: ignore[call-arg]
    except TypeError:
        cursor = encode_cursor(*cursor_row)
    f = incident_service.IncidentFilter()
    stmts = await capture(url, lambda db: incident_service.list_incidents(db, f, PAGE, cursor))
    result = await versus(client, f"/incidents?cursor={cursor}", direct, stmts, reps)
    result["name"] = "page 1000 (cursor)"
    log(f"list page 1000: server {result['server']['median_ms']} ms, http {result['http']['median_ms']} ms, sql "
        f"{result['sql']['median_ms']} ms, x{result['ratio']}")
    return result


async def metrics_benchmarks(client: Client, url: str, direct: Any, service_id: int,
                             reps: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=30)
    cases = [
        # The whole history comes from the rollups (their statements are the floor).
        ("whole history", "/metrics", metrics_service.MetricsWindow(), reps),
        ("one service, whole history", f"/metrics?service_id={service_id}",
         metrics_service.MetricsWindow(service_id=[service_id]), reps),
        ("one service, 30 days",
         f"/metrics?service_id={service_id}&from={start.strftime('%Y-%m-%dT%H:%M:%SZ')}",
         metrics_service.MetricsWindow(start=start, service_id=[service_id]), 10),
    ]
    out = []
    for name, path, window, n in cases:
        stmts = await capture(url, lambda db, w=window: metrics_service.compute(db, w))
        # Asked again with nothing changed (the app gives its kept answer), then after a change
        # each time (the app computes it).
        kept = await versus(client, path, direct, stmts, n)
        result = await versus(client, path, direct, stmts, n, before=direct.touch)
        result["name"] = name
        result["kept"] = {k: kept[k] for k in ("http", "server", "ratio")}
        log(f"metrics {name}: computed: server {result['server']['median_ms']} ms, http "
            f"{result['http']['median_ms']} ms, sql {result['sql']['median_ms']} ms, "
            f"x{result['ratio']}; kept: server {kept['server']['median_ms']} ms")
        out.append(result)
    return out


async def throughput(token: str, pg: asyncpg.Connection, sampler: RssSampler) -> list[dict[str, Any]]:
    n_max = await pg.fetchval("SELECT max(id) FROM incidents")
    read_ids = [str(i) for i in await pg.fetchval(
        "SELECT array_agg(id) FROM (SELECT id FROM incidents TABLESAMPLE SYSTEM (1)"
        " ORDER BY random() LIMIT 2000) s")]
    pool = [int(i) for i in await pg.fetchval(
        "SELECT array_agg(id) FROM (SELECT id FROM incidents WHERE status IN"
        " ('Investigating', 'Mitigated') ORDER BY id DESC LIMIT 1000) s")]
    pool_ids = ",".join(str(i) for i in pool)

    async def reset_pool() -> None:
        # Requests wrk left in flight at 50 clients can finish after /healthz is fast again;
        # one landing after this reset desynchronises the script's idea of each incident's
        # state (a few 409s per run). p99 is under a second: wait that out first.
        await asyncio.sleep(1.5)
        await pg.execute("UPDATE incidents SET status = 'Investigating', mitigated_at = NULL"
                         " WHERE id = ANY($1::int[])", pool)

    cases: list[tuple[str, int, dict[str, str], bool]] = [
        ("constant (floor)", FLOOR_PORT, {"BENCH_PATH": "/const"}, False),
        ("SELECT 1 (floor)", FLOOR_PORT, {"BENCH_PATH": "/select1"}, False),
        ("GET /incidents", APP_PORT, {"BENCH_PATH": "/incidents", "BENCH_TOKEN": token}, False),
        ("GET /incidents/{id}", APP_PORT, {"BENCH_PATH": "/incidents/{id}", "BENCH_TOKEN": token,
                                           "BENCH_IDS": ",".join(read_ids)}, False),
        ("transition", APP_PORT, {"BENCH_MODE": "transition", "BENCH_TOKEN": token,
                                  "BENCH_IDS": pool_ids}, True),
        ("comment", APP_PORT, {"BENCH_MODE": "comment", "BENCH_TOKEN": token,
                               "BENCH_IDS": pool_ids}, False),
    ]
    out = []
    for name, port, env, resets in cases:
        for conns in (10, 50):
            sampler.phase = f"wrk {name} c{conns}"
            if resets:
                await reset_pool()
            wrk(port, conns, 1, env)  # warm-up
            runs = []
            for _ in range(RUNS):
                if resets:
                    await reset_pool()
                runs.append(wrk(port, conns, WRK_SECONDS, env))
            rps = statistics.median(r["rps"] for r in runs)
            res = {"name": name, "conns": conns, "rps": round(rps, 1),
                   "rps_runs": [round(r["rps"], 1) for r in runs],
                   "p50_ms": round(statistics.median(r["p50_us"] for r in runs) / 1000, 2),
                   "p99_ms": round(statistics.median(r["p99_us"] for r in runs) / 1000, 2),
                   "non2xx": sum(r["non2xx"] for r in runs),
                   "socket_errors": sum(r["socket_errors"] for r in runs)}
            log(f"wrk {name} c{conns}: {res['rps']} rps, p99 {res['p99_ms']} ms, "
                f"non2xx {res['non2xx']}")
            out.append(res)
    del n_max
    return out


async def two_workers(pg: asyncpg.Connection) -> list[dict[str, Any]]:
    """The stated exception to one worker: both servers with --workers 2 (one per core)."""
    read_ids = ",".join(str(i) for i in await pg.fetchval(
        "SELECT array_agg(id) FROM (SELECT id FROM incidents TABLESAMPLE SYSTEM (1)"
        " ORDER BY random() LIMIT 2000) s"))
    app = Server("app-pg-2w", "app.main:app", APP_PORT,
                 {"DATABASE_URL": PG_URL, "APP_ENV": "development"}, "/healthz", workers="2")
    try:
        floor = Server("floor-2w", "floor_app:app", FLOOR_PORT,
                       {"_CWD": str(BENCH), "BENCH_PG_DSN": PG_DSN}, "/const", workers="2")
    except Exception:
        app.stop()
        raise
    out = []
    try:
        token = login(APP_PORT)
        for name, port, env in [
            ("constant (floor)", FLOOR_PORT, {"BENCH_PATH": "/const"}),
            ("GET /incidents", APP_PORT, {"BENCH_PATH": "/incidents", "BENCH_TOKEN": token}),
            ("GET /incidents/{id}", APP_PORT, {"BENCH_PATH": "/incidents/{id}",
                                               "BENCH_TOKEN": token, "BENCH_IDS": read_ids}),
        ]:
            wrk(port, 50, 1, env)
            runs = [wrk(port, 50, WRK_SECONDS, env) for _ in range(RUNS)]
            res = {"name": name, "conns": 50, "workers": 2,
                   "rps": round(statistics.median(r["rps"] for r in runs), 1),
                   "p99_ms": round(statistics.median(r["p99_us"] for r in runs) / 1000, 2),
                   "non2xx": sum(r["non2xx"] for r in runs)}
            log(f"2 workers, wrk {name} c50: {res['rps']} rps, p99 {res['p99_ms']} ms")
            out.append(res)
    finally:
        app.stop()
        floor.stop()
    return out


async def warm_up(client: Client, pg: asyncpg.Connection) -> None:
    """Touch every code path once, so the memory baseline is that of a server in use."""
    some = await pg.fetchval("SELECT max(id) FROM incidents WHERE status = 'Investigating'")
    service = await pg.fetchval("SELECT service_id FROM incidents WHERE id = $1", some)
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Each of /metrics' three paths: the rollups whole and for one service, the exact query.
    for path in ("/metrics", f"/metrics?service_id={service}",
                 f"/metrics?service_id={service}&from={since}"):
        client.call("GET", path)
    client.call("GET", "/incidents?severity=SEV2")
    client.call("GET", f"/incidents/{some}")
    client.call("POST", f"/incidents/{some}/comments", {"body": "bench warm-up"})
    if await pg.fetchval("SELECT to_regclass('public.alerts') IS NOT NULL"):
        from intake_bench import _webhook
        tag = f"warm-{time.time_ns()}"
        client.call("POST", "/alerts/alertmanager",
                    _webhook([f"{tag}-{i}" for i in range(1000)], f"bench-{tag}"))


# ---------------------------------------------------------------- main


async def main() -> None:
    WORK.mkdir(exist_ok=True)
    started = time.time()
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                               "runs": RUNS, "wrk_seconds": WRK_SECONDS, "workers": WORKERS,
                               "uvicorn_flags": " ".join(UVICORN_FLAGS)}
    pg = await asyncpg.connect(PG_DSN)
    results["incidents"] = await pg.fetchval("SELECT count(*) FROM incidents")
    service_id = await pg.fetchval(
        "SELECT service_id FROM incidents GROUP BY 1 ORDER BY count(*) DESC OFFSET 2 LIMIT 1")
    assignee_id = await pg.fetchval(
        "SELECT assignee_id FROM incidents WHERE assignee_id IS NOT NULL"
        " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    deep = await pg.fetchrow("SELECT created_at, id FROM incidents ORDER BY created_at DESC,"
                             f" id DESC OFFSET {PAGE * 999 - 1} LIMIT 1")

    env = {"DATABASE_URL": PG_URL, "APP_ENV": "development"}
    app = Server("app-pg", "app.main:app", APP_PORT, dict(env), "/healthz")
    try:
        floor = Server("floor", "floor_app:app", FLOOR_PORT,
                       {"_CWD": str(BENCH), "BENCH_PG_DSN": PG_DSN}, "/const")
    except Exception:
        app.stop()
        raise
    sampler = RssSampler(app)
    sampler.start()
    try:
        token = login(APP_PORT)
        client = Client(APP_PORT, token)
        direct = PgDirect(pg)
        sampler.phase = "warm-up"
        await warm_up(client, pg)
        sampler.phase = "metrics"
        results["metrics"] = await metrics_benchmarks(client, PG_URL, direct, service_id, 2)
        sampler.phase = "list"
        results["list"] = await list_benchmarks(client, PG_URL, direct, service_id, assignee_id, 15)
        results["list"].append(await deep_page(client, PG_URL, direct, (deep[0], deep[1]), 15))
        results["throughput"] = await throughput(token, pg, sampler)
        sampler.phase = "writes"
        results["writes"] = await write_benchmarks(APP_PORT, FLOOR_PORT, token, pg, RUNS,
                                                   WRK_SECONDS, log, Client, wrk)
        if await pg.fetchval("SELECT to_regclass('public.alerts') IS NOT NULL"):
            from intake_bench import intake_benchmarks
            sampler.phase = "intake"
            results["intake"] = await intake_benchmarks(APP_PORT, token, pg, RUNS, log, Client,
                                                        wrk, WRK_SECONDS, app.pids)
        else:
            results["intake"] = None
    finally:
        for stop in (sampler.stop, app.stop, floor.stop):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - stop the others whatever happens
                log(f"stopping: {exc!r}")
    results["rss_pg"] = sampler.samples
    try:
        results["two_workers"] = await two_workers(pg)
    except Exception as exc:  # noqa: BLE001 - an extra, stated run; never sinks the rest
        log(f"two-worker run failed: {exc!r}")
        results["two_workers"] = None

    log("building the SQLite database")
    results["sqlite_build"] = await build_sqlite(pg)
    lite = Server("app-sqlite", "app.main:app", SQLITE_PORT,
                  {"DATABASE_URL": SQLITE_URL, "APP_ENV": "development"}, "/healthz")
    lite_sampler = RssSampler(lite)
    lite_sampler.start()
    try:
        token = login(SQLITE_PORT)
        client = Client(SQLITE_PORT, token)
        direct_lite = SqliteDirect(SQLITE_FILE)
        cases = [c for c in list_cases(service_id, assignee_id)
                 if c[0] in ("no filter", "status=open", "severity=SEV1", "service+severity",
                             "q=latency")]
        results["sqlite_list"] = await list_benchmarks(client, SQLITE_URL, direct_lite,
                                                       service_id, assignee_id, 10, cases)
        results["sqlite_detail"] = await sqlite_bench.detail_benchmark(
            client, direct_lite, SQLITE_FILE, 10, versus)
        results["sqlite_metrics"] = await metrics_benchmarks(client, SQLITE_URL, direct_lite,
                                                             service_id, 1)
    finally:
        for stop in (lite_sampler.stop, lite.stop):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001
                log(f"stopping: {exc!r}")
    results["rss_sqlite"] = lite_sampler.samples
    log(f"SQLite at {sqlite_bench.SMALL_N:,} incidents: ratios to /healthz")
    try:
        results["sqlite_small"] = await sqlite_bench.small_tier(pg)
    except Exception as exc:  # noqa: BLE001 - its own section; never sinks the rest
        log(f"SQLite small tier failed: {exc!r}")
        results["sqlite_small"] = None
    await pg.close()
    results["seconds"] = round(time.time() - started, 1)
    (WORK / "results.json").write_text(json.dumps(results, indent=1, default=str))
    log(f"measured in {results['seconds']} s")


if __name__ == "__main__":
    asyncio.run(main())
