"""Alert intake: single Alertmanager webhooks per second (wrk), and batches of 1,000 alerts
with 50% duplicates per request, against a raw INSERT ... ON CONFLICT of the same rows.

Each batch holds 500 new fingerprints and 500 sent by the batch before (already stored), so
half of every batch must be deduplicated; afterwards the alerts table must hold exactly one
row per distinct fingerprint sent.
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


async def intake_benchmarks(port: int, token: str, pg: asyncpg.Connection, runs: int,
                            log: Callable[[str], None], client_cls: Any,
                            wrk: Callable[..., dict[str, Any]], wrk_seconds: int) -> dict[str, Any]:
    client = client_cls(port, token)
    service_id = await pg.fetchval("SELECT id FROM services WHERE name = $1", SERVICE)
    tag = uuid.uuid4().hex[:8]
    group = f"bench-{tag}"

    # Batches through the API: 500 new + the previous batch's 500 new.
    before = await pg.fetchval("SELECT count(*) FROM alerts WHERE source = 'alertmanager'")
    sent: set[str] = set()
    prev = [f"{tag}-warm-{i}" for i in range(BATCH // 2)]
    status, _, body = client.call("POST", "/alerts/alertmanager", _webhook(prev, group))
    if status != 200:
        raise RuntimeError(f"intake: {status} {body[:300]!r}")
    sent.update(prev)
    api_runs, api_all = [], []
    for r in range(runs):
        times = []
        for b in range(BATCHES_PER_RUN):
            new = [f"{tag}-api-{r}-{b}-{i}" for i in range(BATCH // 2)]
            status, elapsed, body = client.call("POST", "/alerts/alertmanager",
                                                _webhook(new + prev, group))
            if status != 200:
                raise RuntimeError(f"intake batch: {status} {body[:300]!r}")
            times.append(elapsed)
            sent.update(new)
            prev = new
        api_runs.append(statistics.median(times))
        api_all += times
    after = await pg.fetchval("SELECT count(*) FROM alerts WHERE source = 'alertmanager'")
    stored = after - before
    dedup_ok = stored == len(sent)

    # The same rows, raw.
    raw_prev = [f"{tag}-rawwarm-{i}" for i in range(BATCH // 2)]

    async def raw(fps: list[str]) -> float:
        alerts = [_alert(fp) for fp in fps]
        args = ([a["fingerprint"] for a in alerts], [a["annotations"]["summary"] for a in alerts],
                [a["annotations"]["description"] for a in alerts],
                [json.dumps(a["labels"]) for a in alerts])
        t0 = time.perf_counter()
        async with pg.transaction():
            await pg.execute(RAW_UPSERT, *args, group, service_id, datetime.now(UTC))
        return time.perf_counter() - t0

    await raw(raw_prev)
    raw_runs, raw_all = [], []
    for r in range(runs):
        times = []
        for b in range(BATCHES_PER_RUN):
            new = [f"{tag}-raw-{r}-{b}-{i}" for i in range(BATCH // 2)]
            times.append(await raw(new + raw_prev))
            raw_prev = new
        raw_runs.append(statistics.median(times))
        raw_all += times

    api_rps = BATCH / statistics.median(api_runs)
    raw_rps = BATCH / statistics.median(raw_runs)
    log(f"intake batch: {api_rps:.0f} alerts/s via API, {raw_rps:.0f} raw; dedup ok {dedup_ok}")

    # Single webhooks, each a new alert in one group (an alert storm), through wrk.
    singles = []
    for conns in (10, 50):
        wrk_env = {"BENCH_MODE": "alert", "BENCH_TOKEN": token, "BENCH_TAG": f"{tag}-c{conns}",
                   "BENCH_GROUP": group, "BENCH_SERVICE": SERVICE}
        wrk(port, conns, 1, wrk_env)
        res = [wrk(port, conns, wrk_seconds, wrk_env) for _ in range(runs)]
        singles.append({"conns": conns,
                        "rps": round(statistics.median(x["rps"] for x in res), 1),
                        "p50_ms": round(statistics.median(x["p50_us"] for x in res) / 1000, 2),
                        "p99_ms": round(statistics.median(x["p99_us"] for x in res) / 1000, 2),
                        "non2xx": sum(x["non2xx"] for x in res)})
        log(f"intake single c{conns}: {singles[-1]['rps']} webhooks/s, p99 {singles[-1]['p99_ms']} ms")
    return {
        "batch_size": BATCH, "duplicates": 0.5, "batches_per_run": BATCHES_PER_RUN,
        "api_batch_ms": {"median": round(statistics.median(api_runs) * 1000, 1),
                         "p50": round(statistics.median(api_all) * 1000, 1),
                         "p99": round(max(api_all) * 1000, 1)},
        "raw_batch_ms": {"median": round(statistics.median(raw_runs) * 1000, 1),
                         "p50": round(statistics.median(raw_all) * 1000, 1),
                         "p99": round(max(raw_all) * 1000, 1)},
        "api_rows_per_s": round(api_rps), "raw_rows_per_s": round(raw_rps),
        "ratio": round(api_rps / raw_rps, 3),
        "distinct_sent": len(sent), "rows_stored": stored, "dedup_ok": dedup_ok,
        "single": singles,
    }
