"""Notifications: an alert storm's deliveries to a local sink, and what three subscribed
channels cost a status transition. Writes bench/.work/notify.json for report.py.

Both measured in two set-ups, each on a fresh database: `split`, how a company runs it
(issue 16): an API process (WORKER_MODE=api, sends nothing) and one delivery process
(WORKER_MODE=worker) beside it; and `single`, one process doing both (WORKER_MODE=all, the
default). The targets are judged on `split`; `single` is kept beside it.

1. Alert storm: BENCH_STORM_ALERTS alerts (default 1,000), each its own incident (no group
   key), sent as Alertmanager webhooks of BENCH_STORM_BATCH alerts by two clients at once; one
   webhook channel hears `incident.created` for that service, so the storm makes 1,000
   notifications. Latency per delivery: the sink's arrival time minus the notification's
   `created_at` (enqueued in the transaction that opened the incident). Same clock: one machine.
2. Transitions (wrk, BENCH_WRK_SECONDS per run, 10 clients): with no channel, then with three
   webhook channels hearing `incident.status_changed` on every incident, interleaved run by
   run (each round in another order: none, three, paused; three, paused, none; ...), each run
   on 200 incidents of its own (a timeline grows with every transition, and the answer
   carries it whole), the outbox drained before each run. The ratio is the
   median req/s with three over without, the worker sending the deliveries meanwhile.
   Beside it, a third condition: the three channels paused (rested, as a failing channel is)
   during the run, so the worker sends nothing then: what the transaction itself pays.

Its own small database (ic_bench_notify, made afresh, migrated and seeded by the app), its own
app servers and sink, all on 127.0.0.1; runs by itself in about three minutes. Beside req/s,
the CPU seconds the app processes spent per transition (from /proc, so other work on the
machine does not count): the cost that load on a shared machine moves least.
"""

import asyncio
import json
import os
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from harness import (
    BENCH,
    HOST,
    RUNS,
    WORK,
    WRK_SECONDS,
    Client,
    Server,
    drain,
    log,
    login,
    wrk,
)

DB = os.environ.get("BENCH_NOTIFY_DB", "ic_bench_notify")
ADMIN_DSN = f"postgresql://postgres@{HOST}:5432/postgres"
DSN = f"postgresql://postgres@{HOST}:5432/{DB}"
URL = f"postgresql+asyncpg://postgres@{HOST}:5432/{DB}"
APP_PORT = int(os.environ.get("BENCH_NOTIFY_PORT", "8785"))
WORKER_PORT = int(os.environ.get("BENCH_NOTIFY_WORKER_PORT", "8786"))
SINK_PORT = int(os.environ.get("BENCH_SINK_PORT", "8784"))
STORM_ALERTS = int(os.environ.get("BENCH_STORM_ALERTS", "1000"))
STORM_BATCH = int(os.environ.get("BENCH_STORM_BATCH", "50"))
SETUPS = os.environ.get("BENCH_NOTIFY_SETUPS", "split,single").split(",")
POOL = 200  # incidents the transitions move back and forth
P99_TARGET_S = 2.0
RATIO_TARGET = 0.9
POLICY = {s: {"ack_minutes": 60, "resolve_minutes": 600} for s in ("SEV1", "SEV2", "SEV3", "SEV4")}


def call(client: Client, method: str, path: str, body: Any = None, want: int = 200) -> Any:
    status, _, data = client.call(method, path, body)
    if status != want:
        raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
    return json.loads(data) if data else None


def cpu_seconds(servers: list[Server]) -> float:
    """User and system CPU seconds the servers' processes have used so far."""
    total = 0
    for server in servers:
        for pid in server.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def sink_url(path: str) -> str:
    return f"http://{HOST}:{SINK_PORT}{path}"


def received() -> dict[str, list[float]]:
    data: dict[str, list[float]] = call(Client(SINK_PORT), "GET", "/received")
    return data


def webhook(service: str, fingerprints: list[str]) -> dict[str, Any]:
    """An Alertmanager webhook without a group key: each alert opens its own incident."""
    return {"version": "4", "status": "firing", "receiver": "incident-console",
            "alerts": [{"status": "firing", "fingerprint": fp,
                        "labels": {"alertname": "BenchStorm", "service": service,
                                   "severity": "critical", "instance": fp},
                        "annotations": {"summary": f"Storm {fp}"}} for fp in fingerprints]}


async def fresh_database() -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {DB}")
    finally:
        await conn.close()


async def wait_for(pg: asyncpg.Connection, what: str, seconds: float) -> float:
    """Seconds until no notification is pending (at most `seconds`)."""
    t0 = time.time()
    while time.time() - t0 < seconds:
        if await pg.fetchval("SELECT count(*) FROM notifications WHERE status = 'pending'") == 0:
            return time.time() - t0
        await asyncio.sleep(0.2)
    log(f"notify: {what}: still pending after {seconds} s")
    return float("nan")


async def storm(client: Client, token: str, pg: asyncpg.Connection) -> dict[str, Any]:
    service = call(client, "POST", "/services", {"name": "storm-svc", "owner_team": "Bench",
                                                 "sla_policy": POLICY}, 201)
    channel = call(client, "POST", "/notification-channels", {
        "name": "storm sink", "kind": "webhook", "url": sink_url("/storm"),
        "events": ["incident.created"], "service_ids": [service["id"]]}, 201)
    call(Client(SINK_PORT), "POST", "/reset", want=204)
    tag = uuid.uuid4().hex[:8]
    batches = [[f"{tag}-{i}" for i in range(start, min(start + STORM_BATCH, STORM_ALERTS))]
               for start in range(0, STORM_ALERTS, STORM_BATCH)]
    errors: list[str] = []

    def send(mine: list[list[str]]) -> None:
        sender = Client(APP_PORT, token)
        for fps in mine:
            status, _, data = sender.call("POST", "/alerts/alertmanager", webhook("storm-svc", fps))
            if status != 200:
                errors.append(f"{status} {data[:200]!r}")

    t0 = time.time()
    threads = [threading.Thread(target=send, args=(batches[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent_s = time.time() - t0
    if errors:
        raise RuntimeError(f"storm webhooks refused: {errors[:3]}")
    deadline = time.time() + 120
    got: dict[str, list[float]] = {}
    while time.time() < deadline:
        got = received()
        if len(got) >= STORM_ALERTS:
            break
        await asyncio.sleep(0.25)
    all_s = time.time() - t0
    rows = await pg.fetch("SELECT id, created_at, status, attempts FROM notifications"
                          " WHERE channel_id = $1", channel["id"])
    latencies = sorted(got[r["id"]][0] - r["created_at"].timestamp() for r in rows if r["id"] in got)
    if not latencies:
        raise RuntimeError("storm: the sink received nothing")

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    out = {"alerts": STORM_ALERTS, "batch": STORM_BATCH, "notifications": len(rows),
           "failed": sum(1 for r in rows if r["status"] == "failed"),
           "delivered": len(latencies), "duplicates": sum(int(v[1]) - 1 for v in got.values()),
           "retried": sum(1 for r in rows if r["attempts"] > 1),
           "webhooks_s": round(sent_s, 2), "all_delivered_s": round(all_s, 2),
           "p50_s": round(pct(0.5), 3), "p99_s": round(pct(0.99), 3), "max_s": round(latencies[-1], 3)}
    out["met"] = out["delivered"] == STORM_ALERTS and out["p99_s"] < P99_TARGET_S
    log(f"notify storm: {out['delivered']}/{out['notifications']} delivered, p50 {out['p50_s']} s, "
        f"p99 {out['p99_s']} s, all in {out['all_delivered_s']} s, duplicates {out['duplicates']}")
    call(client, "DELETE", f"/notification-channels/{channel['id']}", want=204)
    return out


async def transitions(client: Client, token: str, pg: asyncpg.Connection,
                      servers: list[Server]) -> dict[str, Any]:
    """Interleaved runs against the API: no channel; three channels, whose deliveries the
    worker (its own process, or the same one) sends meanwhile (the target's case); and the
    same three channels paused (nothing is sent until the run ends), which leaves the
    transaction's own cost: the outbox rows written with each transition."""
    service = call(client, "POST", "/services", {"name": "transit-svc", "owner_team": "Bench",
                                                 "sla_policy": POLICY}, 201)
    # Every transition adds an event to a timeline its answer carries whole, so a pool used
    # run after run makes each run slower than the last (by half over nine runs): each run
    # (and the warm-up) moves its own fresh pool, opened before any channel exists.
    pools = []
    for n in range(3 * RUNS + 1):
        pools.append([call(client, "POST", "/incidents", {
            "title": f"Transit {n}-{i}", "severity": "SEV3", "service_id": service["id"]}, 201)["id"]
            for i in range(POOL)])

    def env_of(pool: list[int]) -> dict[str, str]:
        return {"BENCH_MODE": "transition", "BENCH_TOKEN": token, "BENCH_IDS": ",".join(map(str, pool))}

    async def reset(pool: list[int]) -> None:
        await asyncio.sleep(1.0)  # requests wrk left in flight land first
        await pg.execute("UPDATE incidents SET status = 'Investigating', mitigated_at = NULL,"
                         " acknowledged_at = coalesce(acknowledged_at, now())"
                         " WHERE id = ANY($1::int[])", pool)

    def channels(on: bool) -> None:
        for existing in call(client, "GET", "/notification-channels"):
            call(client, "DELETE", f"/notification-channels/{existing['id']}", want=204)
        if on:
            for n in range(3):
                call(client, "POST", "/notification-channels", {
                    "name": f"transit sink {n}", "kind": "webhook", "url": sink_url(f"/transit/{n}"),
                    "events": ["incident.status_changed"]}, 201)

    async def pause(on: bool) -> None:
        await pg.execute("UPDATE notification_channels SET paused_until = "
                         + ("now() + interval '1 hour'" if on else "NULL"))

    conditions = ("none", "three", "paused")
    rps: dict[str, list[float]] = {c: [] for c in conditions}
    p99: dict[str, list[float]] = {c: [] for c in conditions}
    cpu_ms: dict[str, list[float]] = {c: [] for c in conditions}
    api_cpu_ms: dict[str, list[float]] = {c: [] for c in conditions}  # the API process alone
    drain_s: list[float] = []
    sent, duplicates, transitions_three, non2xx = 0, 0, 0, 0
    await reset(pools[-1])
    wrk(APP_PORT, 10, 1, env_of(pools.pop()))  # warm-up
    for run in range(RUNS):
        # Each round in another order, so that no drift of the machine's is charged to the
        # condition measured last in each round.
        for name in conditions[run % 3:] + conditions[:run % 3]:
            channels(name != "none")
            await pause(name == "paused")
            pool = pools.pop()
            env = env_of(pool)
            await reset(pool)
            await wait_for(pg, "before a run", 60)
            call(Client(SINK_PORT), "POST", "/reset", want=204)
            since = await pg.fetchval("SELECT coalesce(max(id), 0) FROM incident_events")
            cpu, api_cpu = cpu_seconds(servers), cpu_seconds(servers[:1])
            r = wrk(APP_PORT, 10, WRK_SECONDS, env, then_drain=False)
            api_cpu_ms[name].append((cpu_seconds(servers[:1]) - api_cpu) * 1000
                                    / max(r["requests"], 1))
            if name == "three":  # what it sends after the run belongs to the run's cost
                drain_s.append(await wait_for(pg, "after a run", 120))
            # paused: what it sends once resumed does not count (the enqueue's cost alone)
            cpu_ms[name].append((cpu_seconds(servers) - cpu) * 1000 / max(r["requests"], 1))
            drain(APP_PORT)  # its probes are not the transitions' cost
            rps[name].append(r["rps"])
            p99[name].append(r["p99_us"] / 1000)
            non2xx += r["non2xx"]
            if name != "none":
                await pause(False)
                await wait_for(pg, "after a run", 120)
                got = received()
                sent += len(got)
                duplicates += sum(int(v[1]) - 1 for v in got.values())
                transitions_three += await pg.fetchval(
                    "SELECT count(*) FROM incident_events WHERE id > $1"
                    " AND type = 'status_change'", since)
    channels(False)
    med = {c: statistics.median(v) for c, v in rps.items()}
    out: dict[str, Any] = {"conns": 10}
    for name in conditions:
        out[name] = {"rps": round(med[name], 1), "runs": [round(x, 1) for x in rps[name]],
                     "p99_ms": round(statistics.median(p99[name]), 2),
                     "cpu_ms": round(statistics.median(cpu_ms[name]), 2),
                     "api_cpu_ms": round(statistics.median(api_cpu_ms[name]), 2)}
    out.update(ratio=round(med["three"] / med["none"], 3),
               enqueue_only_ratio=round(med["paused"] / med["none"], 3),
               cpu_ratio=round(out["three"]["cpu_ms"] / out["none"]["cpu_ms"], 3),
               api_cpu_ratio=round(out["three"]["api_cpu_ms"] / out["none"]["api_cpu_ms"], 3),
               non2xx=non2xx, drain_after_run_s=[round(x, 1) for x in drain_s],
               transitions_with_channels=transitions_three, deliveries_received=sent,
               deliveries_expected=3 * transitions_three, duplicates=duplicates)
    out["met"] = out["ratio"] >= RATIO_TARGET
    log(f"notify transitions: {out['none']['rps']} req/s without channels, {out['three']['rps']} "
        f"with three (sent meanwhile), ratio {out['ratio']}; {out['paused']['rps']} with three "
        f"paused (enqueue only), ratio {out['enqueue_only_ratio']}; {sent} deliveries received "
        f"for {transitions_three} transitions x 3, duplicates {duplicates}")
    return out


async def measure(setup: str) -> dict[str, Any]:
    """Storm and transitions on a fresh database, with the app run as `setup` says."""
    await fresh_database()
    env = {"DATABASE_URL": URL, "APP_ENV": "development", "SEED_DEMO_HISTORY": "false"}
    servers: list[Server] = []
    pg: asyncpg.Connection | None = None
    try:
        servers.append(Server(f"app-notify-{setup}", "app.main:app", APP_PORT, {
            **env, "SEED_DEMO_DATA": "true",
            "WORKER_MODE": "api" if setup == "split" else "all"}, "/healthz"))
        if setup == "split":  # started once the API has migrated and seeded the database
            servers.append(Server("worker-notify", "app.main:app", WORKER_PORT, {
                **env, "SEED_DEMO_DATA": "false", "WORKER_MODE": "worker"}, "/healthz"))
        pg = await asyncpg.connect(DSN)
        token = login(APP_PORT)
        client = Client(APP_PORT, token)
        out: dict[str, Any] = {"processes": len(servers), "load_before": load()}
        out["storm"] = await storm(client, token, pg)
        out["load_after_storm"] = load()
        out["transitions"] = await transitions(client, token, pg, servers)
        out["load_after"] = load()
        return out
    finally:
        if pg is not None:
            await pg.close()
        for server in servers:
            try:
                server.stop()
            except Exception as exc:  # noqa: BLE001 - stop the others whatever happens
                log(f"stopping: {exc!r}")


async def main() -> None:
    WORK.mkdir(exist_ok=True)
    started = time.time()
    sink = Server("sink", "sink_app:app", SINK_PORT, {"_CWD": str(BENCH)}, "/const")
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                               "cores": os.cpu_count(), "load_before": load()}
    try:
        for setup in SETUPS:
            log(f"notify: {setup} ({'API and one worker process' if setup == 'split' else 'one process'})")
            results[setup] = await measure(setup)
    finally:
        sink.stop()
    results["load_after"] = load()
    results["seconds"] = round(time.time() - started, 1)
    (WORK / "notify.json").write_text(json.dumps(results, indent=1))
    log(f"notify: measured in {results['seconds']} s")


if __name__ == "__main__":
    asyncio.run(main())
