"""Alert intake: single Alertmanager webhooks per second (wrk), and batches of 1,000 alerts
with 50% duplicates per request, in both answer modes (every alert's outcome, and
`?answer=summary`), against a raw INSERT ... ON CONFLICT of the same rows.

Each batch holds 500 new fingerprints and 500 sent by the batch before (already stored), so
half of every batch must be deduplicated; afterwards the alerts table must hold exactly one
row per distinct fingerprint sent.

bench.py calls `intake_benchmarks` on the loaded database. Run by itself (`python
bench/intake_bench.py`), it makes its own small database (ic_bench_intake, migrated and
seeded by the app) and app server, measures the batches (BENCH_INTAKE_SINGLES=1 adds the
wrk runs) and writes bench/.work/intake.json.
"""

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

BENCH = Path(__file__).resolve().parent
BATCH = 1000
BATCHES_PER_RUN = int(os.environ.get("BENCH_INTAKE_BATCHES", "6"))
SERVICE = "warehouse-etl"

RAW_UPSERT = """
INSERT INTO alerts AS a (source, fingerprint, status, severity, summary, description, labels,
    source_url, group_key, service_id, incident_id, first_seen_at, last_seen_at, fired_at,
    starts_at, ends_at, acknowledged_at, resolved_at, count)
SELECT 'alertmanager', f, 'firing', 'SEV3', s, d, l, NULL, $5, $6, NULL, $7, $7, $7, $7, NULL,
       NULL, NULL, 1
FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS t(f, s, d, l)
ON CONFLICT (source, fingerprint, service_id) DO UPDATE SET count = a.count + excluded.count,
    last_seen_at = excluded.last_seen_at, summary = excluded.summary,
    description = excluded.description, labels = excluded.labels
"""


def _alert(fp: str) -> dict[str, Any]:
    return {"status": "firing", "fingerprint": fp,
            "labels": {"alertname": "BenchDiskFull", "service": SERVICE, "severity": "warning",
                       "instance": f"{SERVICE}-{fp[:6]}"},
            "annotations": {"summary": "Disk almost full", "description": f"95% used on {fp[:6]}"},
            "startsAt": datetime.now(UTC).isoformat()}


def _webhook(fps: list[str], group: str) -> dict[str, Any]:
    return {"version": "4", "status": "firing", "receiver": "incident-console",
            "groupKey": group, "groupLabels": {"alertname": "BenchDiskFull"},
            "commonLabels": {"service": SERVICE}, "alerts": [_alert(fp) for fp in fps]}


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes have used (Linux /proc), so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _batch_ms(run_medians: list[float], samples: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(run_medians) * 1000, 1),
            "p50": round(statistics.median(samples) * 1000, 1), "p99": round(max(samples) * 1000, 1)}


async def intake_benchmarks(port: int, token: str, pg: asyncpg.Connection, runs: int,
                            log: Callable[[str], None], client_cls: Any,
                            wrk: Callable[..., dict[str, Any]] | None, wrk_seconds: int,
                            app_pids: Callable[[], list[int]] | None = None) -> dict[str, Any]:
    """Batches through the API in both answer modes (`detailed`, every alert's outcome, and
    `?answer=summary`, counts only) and the raw upsert, interleaved run by run so that the
    machine's drift touches all three alike; then single webhooks through wrk (skipped when
    `wrk` is None). With `app_pids`, also the app's CPU per batch in each mode, which a
    shared machine moves far less than the time a batch takes."""
    client = client_cls(port, token)
    service_id = await pg.fetchval("SELECT id FROM services WHERE name = $1", SERVICE)
    tag = uuid.uuid4().hex[:8]
    group = f"bench-{tag}"
    paths = {"detailed": "/alerts/alertmanager", "summary": "/alerts/alertmanager?answer=summary"}
    sent: dict[str, set[str]] = {mode: set() for mode in paths}
    prev: dict[str, list[str]] = {}
    answered: dict[str, int] = {}

    def api(mode: str, fps: list[str]) -> float:
        status, elapsed, body = client.call("POST", paths[mode], _webhook(fps, f"{group}-{mode}"))
        if status != 200:
            raise RuntimeError(f"intake {mode}: {status} {body[:300]!r}")
        answered[mode] = len(body)
        sent[mode].update(fps)
        return float(elapsed)

    async def raw(fps: list[str]) -> float:
        alerts = [_alert(fp) for fp in fps]
        args = ([a["fingerprint"] for a in alerts], [a["annotations"]["summary"] for a in alerts],
                [a["annotations"]["description"] for a in alerts],
                [json.dumps(a["labels"]) for a in alerts])
        t0 = time.perf_counter()
        async with pg.transaction():
            await pg.execute(RAW_UPSERT, *args, f"{group}-raw", service_id, datetime.now(UTC))
        return time.perf_counter() - t0

    for mode in paths:  # warm-up: the first half of each chain
        prev[mode] = [f"{tag}-{mode}-warm-{i}" for i in range(BATCH // 2)]
        api(mode, prev[mode])
    prev["raw"] = [f"{tag}-raw-warm-{i}" for i in range(BATCH // 2)]
    await raw(prev["raw"])
    medians: dict[str, list[float]] = {m: [] for m in (*paths, "raw")}
    samples: dict[str, list[float]] = {m: [] for m in (*paths, "raw")}
    cpu: dict[str, float] = {m: 0.0 for m in paths}
    for r in range(runs):
        for mode, run_medians in medians.items():
            times = []
            cpu_before = cpu_seconds(app_pids()) if app_pids else 0.0
            for b in range(BATCHES_PER_RUN):  # 500 new + the previous batch's 500 new
                new = [f"{tag}-{mode}-{r}-{b}-{i}" for i in range(BATCH // 2)]
                times.append(await raw(new + prev[mode]) if mode == "raw" else api(mode, new + prev[mode]))
                prev[mode] = new
            if app_pids and mode in cpu:
                cpu[mode] += cpu_seconds(app_pids()) - cpu_before
            run_medians.append(statistics.median(times))
            samples[mode] += times
    stored = {mode: await pg.fetchval("SELECT count(*) FROM alerts WHERE source = 'alertmanager'"
                                      " AND fingerprint LIKE $1", f"{tag}-{mode}-%") for mode in paths}
    dedup_ok = all(stored[m] == len(sent[m]) for m in paths)
    rps = {m: BATCH / statistics.median(medians[m]) for m in medians}
    log(f"intake batch: {rps['detailed']:.0f} alerts/s detailed, {rps['summary']:.0f} summary, "
        f"{rps['raw']:.0f} raw; dedup ok {dedup_ok}")
    results: dict[str, Any] = {
        "batch_size": BATCH, "duplicates": 0.5, "batches_per_run": BATCHES_PER_RUN, "runs": runs,
        "api_batch_ms": _batch_ms(medians["detailed"], samples["detailed"]),
        "summary_batch_ms": _batch_ms(medians["summary"], samples["summary"]),
        "raw_batch_ms": _batch_ms(medians["raw"], samples["raw"]),
        "api_rows_per_s": round(rps["detailed"]), "summary_rows_per_s": round(rps["summary"]),
        "raw_rows_per_s": round(rps["raw"]),
        "ratio": round(rps["detailed"] / rps["raw"], 3),
        "summary_ratio": round(rps["summary"] / rps["raw"], 3),
        "answer_bytes": answered,
        "app_cpu_ms_per_batch": ({m: round(cpu[m] * 1000 / (runs * BATCHES_PER_RUN), 1) for m in paths}
                                 if app_pids else None),
        "distinct_sent": sum(len(v) for v in sent.values()), "rows_stored": sum(stored.values()),
        "dedup_ok": dedup_ok, "single": [],
    }
    if wrk is None:
        return results

    # Single webhooks, each a new alert in one group (an alert storm), through wrk.
    for conns in (10, 50):
        wrk_env = {"BENCH_MODE": "alert", "BENCH_TOKEN": token, "BENCH_TAG": f"{tag}-c{conns}",
                   "BENCH_GROUP": group, "BENCH_SERVICE": SERVICE}
        wrk(port, conns, 1, wrk_env)
        res = [wrk(port, conns, wrk_seconds, wrk_env) for _ in range(runs)]
        results["single"].append({"conns": conns,
                                  "rps": round(statistics.median(x["rps"] for x in res), 1),
                                  "p50_ms": round(statistics.median(x["p50_us"] for x in res) / 1000, 2),
                                  "p99_ms": round(statistics.median(x["p99_us"] for x in res) / 1000, 2),
                                  "non2xx": sum(x["non2xx"] for x in res)})
        single = results["single"][-1]
        log(f"intake single c{conns}: {single['rps']} webhooks/s, p99 {single['p99_ms']} ms")
    return results


async def main() -> None:
    from harness import HOST, RUNS, WORK, WRK_SECONDS, Client, Server, log, login, wrk

    db = os.environ.get("BENCH_INTAKE_DB", "ic_bench_intake")
    admin = await asyncpg.connect(f"postgresql://postgres@{HOST}:5432/postgres")
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {db}")
    finally:
        await admin.close()
    WORK.mkdir(exist_ok=True)
    port = int(os.environ.get("BENCH_INTAKE_PORT", "8786"))
    app = Server("app-intake", "app.main:app", port, {
        "DATABASE_URL": f"postgresql+asyncpg://postgres@{HOST}:5432/{db}", "APP_ENV": "development"},
        "/healthz")
    try:
        token = login(port)
        status, _, body = Client(port, token).call("POST", "/services", {
            "name": SERVICE, "owner_team": "Data", "sla_policy": {
                s: {"ack_minutes": 60, "resolve_minutes": 600} for s in ("SEV1", "SEV2", "SEV3", "SEV4")}})
        if status != 201:
            raise RuntimeError(f"POST /services: {status} {body[:300]!r}")
        pg = await asyncpg.connect(f"postgresql://postgres@{HOST}:5432/{db}")
        try:
            load = os.getloadavg()
            results = await intake_benchmarks(
                port, token, pg, RUNS, log, Client,
                wrk if os.environ.get("BENCH_INTAKE_SINGLES") == "1" else None, WRK_SECONDS, app.pids)
            results["load_before"], results["load_after"] = [round(x, 2) for x in load], \
                [round(x, 2) for x in os.getloadavg()]
        finally:
            await pg.close()
    finally:
        app.stop()
    (WORK / "intake.json").write_text(json.dumps(results, indent=1))
    for mode, key, ms in (("detailed", "api_rows_per_s", "api_batch_ms"),
                          ("summary", "summary_rows_per_s", "summary_batch_ms"),
                          ("raw upsert", "raw_rows_per_s", "raw_batch_ms")):
        print(f"{mode:>10}: {results[ms]['median']:7.1f} ms per batch, {results[key]:7,} rows/s, "
              f"{results[key] / results['raw_rows_per_s']:6.1%} of the floor")
    print(f"dedup ok: {results['dedup_ok']}; answer bytes {results['answer_bytes']}; "
          f"app CPU ms per batch {results['app_cpu_ms_per_batch']}; "
          f"load {results['load_before']} -> {results['load_after']}")


if __name__ == "__main__":
    import asyncio
    import sys

    sys.path.insert(0, str(BENCH))
    asyncio.run(main())
