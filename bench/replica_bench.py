"""The read-replica figure: incident list and metrics throughput with one streaming replica
against the primary alone, on a primary and standby this script makes (backend/tests/
pg_cluster.py, as the replica test does) and fills with BENCH_REPLICA_N incidents (load_pg.py).

Each app (one uvicorn worker) is measured with wrk; beside each figure, the transactions the
primary served meanwhile (pg_stat_database), which is what a replica takes off it. Everything
here shares one machine, so the replica adds no CPU: the figure shows the work moving, not a
bigger box. Writes bench/.work/replica.json; report.py adds it to RESULTS.md.
"""

import asyncio
import json
import os
import statistics
import subprocess
import time
from typing import Any

import asyncpg
from harness import BACKEND, BENCH, HOST, WORK, Server, log, login, wrk

from tests.pg_cluster import free_port, replicated_cluster, wait_for_replay

N = int(os.environ.get("BENCH_REPLICA_N", "100000"))
DB = "ic_replica_bench"
RUNS = int(os.environ.get("BENCH_REPLICA_RUNS", "2"))
SECONDS = int(os.environ.get("BENCH_REPLICA_SECONDS", "6"))
# The whole history's metrics take a while each: fewer clients, or wrk's window sees none end.
CASES = (("GET /incidents", "/incidents", (10, 50)), ("GET /metrics", "/metrics", (2, 8)))


async def primary_transactions(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", DB))
    finally:
        await conn.close()


def measure(label: str, env: dict[str, str], primary_dsn: str) -> list[dict[str, Any]]:
    port = free_port()
    server = Server(f"replica-bench-{label}", "app.main:app", port, dict(env), "/healthz")
    out = []
    try:
        token = login(port)
        for name, path, clients in CASES:
            for conns in clients:
                wrk_env = {"BENCH_PATH": path, "BENCH_TOKEN": token}
                wrk(port, conns, 1, wrk_env)  # warm-up
                runs, served = [], []
                for _ in range(RUNS):
                    before = asyncio.run(primary_transactions(primary_dsn))
                    r = wrk(port, conns, SECONDS, wrk_env)
                    after = asyncio.run(primary_transactions(primary_dsn))
                    runs.append(r)
                    served.append((after - before) / (r["duration_us"] / 1e6))
                res = {"setup": label, "name": name, "conns": conns,
                       "rps": round(statistics.median(r["rps"] for r in runs), 1),
                       "p99_ms": round(statistics.median(r["p99_us"] for r in runs) / 1000, 1),
                       "non2xx": sum(r["non2xx"] for r in runs),
                       "primary_tps": round(statistics.median(served), 1)}
                log(f"replica bench {label} {name} c{conns}: {res['rps']} rps, p99 "
                    f"{res['p99_ms']} ms, primary {res['primary_tps']} transactions/s")
                out.append(res)
    finally:
        server.stop()
    return out


def main() -> None:
    WORK.mkdir(exist_ok=True)
    started = time.time()
    log("replica bench: making a primary and a streaming standby")
    cluster = replicated_cluster(shared_buffers="256MB")
    try:
        admin = cluster.primary.dsn()
        log(f"replica bench: loading {N} incidents")
        subprocess.run([str(BACKEND / ".venv/bin/python"), str(BENCH / "load_pg.py")], check=True,
                       env={**os.environ, "BENCH_N": str(N), "BENCH_PG_DB": DB,
                            "BENCH_PG_ADMIN": admin},
                       stdout=subprocess.DEVNULL, timeout=900)
        wait_for_replay(admin, cluster.standby.dsn(), timeout=300)
        base = {"DATABASE_URL": cluster.primary.url(DB), "APP_ENV": "development",
                "SLA_SWEEP_SECONDS": "0"}
        results = measure("primary alone", base, cluster.primary.dsn(DB))
        results += measure("one replica", {**base, "DATABASE_READ_URL": cluster.standby.url(DB)},
                           cluster.primary.dsn(DB))
    finally:
        cluster.remove()
    report = {"incidents": N, "runs": RUNS, "wrk_seconds": SECONDS, "host": HOST,
              "seconds": round(time.time() - started), "results": results}
    (WORK / "replica.json").write_text(json.dumps(report, indent=1))
    log(f"replica bench: done in {report['seconds']} s")


if __name__ == "__main__":
    main()
