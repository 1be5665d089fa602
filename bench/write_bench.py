"""Writes on PostgreSQL: status transitions and comments at 10 clients, incidents created by
8 clients (wrk), and a create's own server time (Server-Timing, one client), each beside the
constant endpoint measured in the same rounds (runs interleaved case by case, so a noisy
machine moves the floor and the writes together). The load average is recorded with them.

Called by bench.py (`write_benchmarks`); `python bench/write_bench.py` runs it alone against
BENCH_PG_DB with its own two servers (see harness.py for the ports) and prints the JSON.
"""

import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import asyncpg

CREATE_CLIENTS = 8
MOVE_CLIENTS = 10
CREATE_SAMPLES = int(os.environ.get("BENCH_CREATE_SAMPLES", "200"))


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def write_benchmarks(app_port: int, floor_port: int, token: str, pg: asyncpg.Connection,
                           runs: int, seconds: int, log: Callable[[str], None], client_class: Any,
                           wrk: Callable[[int, int, int, dict[str, str]], dict[str, Any]]
                           ) -> dict[str, Any]:
    pool = [int(i) for i in await pg.fetchval(
        "SELECT array_agg(id) FROM (SELECT id FROM incidents WHERE status IN"
        " ('Investigating', 'Mitigated') ORDER BY id DESC LIMIT 1000) s")]
    service_id = await pg.fetchval("SELECT min(id) FROM services")
    ids = ",".join(str(i) for i in pool)

    async def reset_pool() -> None:
        await asyncio.sleep(1.5)  # requests wrk left in flight finish first (see bench.py)
        await pg.execute("UPDATE incidents SET status = 'Investigating', mitigated_at = NULL"
                         " WHERE id = ANY($1::int[])", pool)

    cases: list[tuple[str, int, int, dict[str, str], bool]] = [
        ("constant (floor)", floor_port, MOVE_CLIENTS, {"BENCH_PATH": "/const"}, False),
        ("constant (floor)", floor_port, CREATE_CLIENTS, {"BENCH_PATH": "/const"}, False),
        ("transition", app_port, MOVE_CLIENTS, {"BENCH_MODE": "transition", "BENCH_TOKEN": token,
                                                "BENCH_IDS": ids}, True),
        ("comment", app_port, MOVE_CLIENTS, {"BENCH_MODE": "comment", "BENCH_TOKEN": token,
                                             "BENCH_IDS": ids}, False),
        ("create", app_port, CREATE_CLIENTS, {"BENCH_MODE": "create", "BENCH_TOKEN": token,
                                              "BENCH_SERVICE_ID": str(service_id)}, False),
    ]
    out: dict[str, Any] = {"load_before": _load_average()}
    samples: dict[tuple[str, int], list[dict[str, Any]]] = {(c[0], c[2]): [] for c in cases}
    for _name, port, conns, env, resets in cases:  # warm-up
        if resets:
            await reset_pool()
        wrk(port, conns, 1, env)
    for _ in range(runs):
        for name, port, conns, env, resets in cases:
            if resets:
                await reset_pool()
            samples[(name, conns)].append(wrk(port, conns, seconds, env))
    rows = []
    for (name, conns), runs_of in samples.items():
        rows.append({"name": name, "conns": conns,
                     "rps": round(statistics.median(r["rps"] for r in runs_of), 1),
                     "rps_runs": [round(r["rps"], 1) for r in runs_of],
                     "p50_ms": round(statistics.median(r["p50_us"] for r in runs_of) / 1000, 2),
                     "p99_ms": round(statistics.median(r["p99_us"] for r in runs_of) / 1000, 2),
                     "non2xx": sum(r["non2xx"] for r in runs_of)})
    floor = {r["conns"]: r["rps"] for r in rows if r["name"] == "constant (floor)"}
    for r in rows:
        r["x_constant"] = round(r["rps"] / floor[r["conns"]], 4)
        log(f"writes: {r['name']} c{r['conns']}: {r['rps']} req/s ({r['x_constant']}x constant), "
            f"p99 {r['p99_ms']} ms, non-2xx {r['non2xx']}")
    out["throughput"] = rows

    # A create's server time: one client, one at a time, the app's Server-Timing.
    client = client_class(app_port, token)
    body = {"title": "bench: create latency", "severity": "SEV3", "service_id": service_id}
    for _ in range(20):
        client.call("POST", "/incidents", body)
    server, http = [], []
    for _ in range(CREATE_SAMPLES):
        status, elapsed, data = client.call("POST", "/incidents", body)
        if status != 201:
            raise RuntimeError(f"POST /incidents: {status} {data[:300]!r}")
        http.append(elapsed * 1000)
        server.append((client.server_seconds or elapsed) * 1000)
    server.sort()
    out["create_server_ms"] = {"median": round(statistics.median(server), 2),
                               "p90": round(server[int(0.9 * len(server))], 2),
                               "p99": round(server[int(0.99 * len(server))], 2),
                               "http_median": round(statistics.median(http), 2),
                               "samples": len(server)}
    log(f"writes: create server time median {out['create_server_ms']['median']} ms, "
        f"p99 {out['create_server_ms']['p99']} ms")
    out["load_after"] = _load_average()
    return out


async def _alone() -> None:
    from harness import (
        APP_PORT,
        BENCH,
        FLOOR_PORT,
        PG_DSN,
        PG_URL,
        RUNS,
        WORK,
        WRK_SECONDS,
        Client,
        Server,
        log,
        login,
        wrk,
    )

    WORK.mkdir(exist_ok=True)
    pg = await asyncpg.connect(PG_DSN)
    app = Server("app-writes", "app.main:app", APP_PORT,
                 {"DATABASE_URL": PG_URL, "APP_ENV": "development"}, "/healthz")
    try:
        floor = Server("floor-writes", "floor_app:app", FLOOR_PORT,
                       {"_CWD": str(BENCH), "BENCH_PG_DSN": PG_DSN}, "/const")
    except Exception:
        app.stop()
        raise
    try:
        started = time.time()
        result = await write_benchmarks(APP_PORT, FLOOR_PORT, login(APP_PORT), pg, RUNS,
                                        WRK_SECONDS, log, Client, wrk)
        result["seconds"] = round(time.time() - started, 1)
    finally:
        app.stop()
        floor.stop()
        await pg.close()
    (WORK / "writes.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result))


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    asyncio.run(_alone())
