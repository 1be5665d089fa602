"""The sections of bench/RESULTS.md measured by their own scripts (notify_bench.py,
similar_bench.py, replica_bench.py: each writes its .work/*.json), and the number formatting
report.py shares with them."""

import json
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / ".work"


def _load(name: str) -> dict[str, Any] | None:
    path = WORK / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


NOTIFY, SIMILAR, REPLICA = _load("notify"), _load("similar"), _load("replica")


def ok(flag: bool) -> str:
    return "met" if flag else "**not met**"


def fmt(x: float | None, nd: int = 1) -> str:
    return "-" if x is None else f"{x:,.{nd}f}"


def read_replica(w: Any) -> None:
    assert REPLICA is not None
    w("## Read replica (bench/replica_bench.py)\n")
    w(f"A primary and one streaming standby made for the run (pg_basebackup, both on this machine), "
      f"{REPLICA['incidents']:,} incidents; one uvicorn worker with DATABASE_URL alone, then with "
      f"DATABASE_READ_URL too; wrk, median of {REPLICA['runs']} runs of {REPLICA['wrk_seconds']} s. "
      "`primary tx/s`: transactions the primary served meanwhile (pg_stat_database), the load a "
      "replica takes off it (what remains with one: the replica monitor's question each second, "
      "the notification worker's polls). Primary, replica and app share the same 2 cores, so the replica "
      "adds no capacity here: on separate machines the reads' share is what moves.\n")
    w("| endpoint | clients | setup | req/s | p99 ms | primary tx/s | non-2xx |")
    w("|---|---:|---|---:|---:|---:|---:|")
    for r in REPLICA["results"]:
        w(f"| {r['name']} | {r['conns']} | {r['setup']} | {r['rps']:.1f} | {r['p99_ms']:.1f} | "
          f"{r['primary_tps']:.1f} | {r['non2xx']} |")
    w("")


def notifications(w: Any) -> None:
    assert NOTIFY is not None
    st, tr = NOTIFY["storm"], NOTIFY["transitions"]
    w("## Notifications (bench/notify_bench.py)\n")
    w(f"Its own small database and app server (one worker, the delivery worker inside it at its "
      f"default settings), a bare ASGI sink on 127.0.0.1 answering 204. Started {NOTIFY['started']}; "
      f"load average (1, 5, 15 min) {', '.join(map(str, NOTIFY['load_before']))} before and "
      f"{', '.join(map(str, NOTIFY['load_after']))} after: **the machine (2 cores) is shared with "
      "other work, so these figures move from run to run**.\n")
    w(f"Alert storm: {st['alerts']:,} alerts, each opening its own incident, sent as Alertmanager "
      f"webhooks of {st['batch']} by two clients at once ({st['webhooks_s']} s to send); one webhook "
      "channel hears `incident.created`. Enqueue-to-delivery is the sink's arrival time minus the "
      "notification's `created_at` (written in the transaction that opened the incident).\n")
    w("| notifications | delivered | failed | duplicates | retried | p50 s | p99 s | max s | all delivered after s |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    w(f"| {st['notifications']:,} | {st['delivered']:,} | {st.get('failed', 0)} | {st['duplicates']} | "
      f"{st['retried']} | {st['p50_s']:.2f} | {st['p99_s']:.2f} | {st['max_s']:.2f} | {st['all_delivered_s']} |")
    w("")
    w(f"Status transitions (wrk, {tr['conns']} clients, Investigating and Mitigated back and forth on "
      "200 incidents): without channels; with three webhook channels hearing "
      "`incident.status_changed`, their deliveries sent meanwhile by the same process (the "
      "target's case); and with the three channels paused during the run (the worker sends "
      "nothing until it ends), which leaves the cost of writing the outbox rows in each "
      "transition. Interleaved run by run, the outbox drained before each run.\n")
    w("| channels | req/s | x without | p99 ms | runs |")
    w("|---|---:|---:|---:|---|")
    for name, label in (("none", "none"), ("three", "three, sent meanwhile"),
                        ("paused", "three, paused (enqueue only)")):
        x = tr[name]
        w(f"| {label} | {fmt(x['rps'])} | {x['rps'] / tr['none']['rps']:.3f} | {fmt(x['p99_ms'], 2)} | "
          f"{', '.join(fmt(v) for v in x['runs'])} |")
    w("")
    w(f"With channels: {tr['transitions_with_channels']:,} transitions, "
      f"{tr['deliveries_received']:,} deliveries received for {tr['deliveries_expected']:,} expected, "
      f"{tr['duplicates']} duplicates; the outbox was empty again "
      f"{', '.join(str(v) for v in tr['drain_after_run_s'])} s after each sending run's end.\n")


def similar(w: Any) -> None:
    assert SIMILAR is not None
    w("## Similar past incidents (bench/similar_bench.py)\n")
    w(f"`GET /incidents/{{id}}/similar` (limit 5) for {SIMILAR['postgresql']['samples']} random incidents "
      "(a fixed seed), each asked once after a warm-up of 20 others; server time is the app's "
      "Server-Timing. Candidates come from the title index (PostgreSQL: pg_trgm GiST, "
      "`title % :t ORDER BY title <-> :t`, 20 nearest earlier titles; SQLite: FTS5 trigram "
      "table, bm25), then domain/similarity.py scores them. Load average (1, 5, 15 min) "
      f"{', '.join(map(str, SIMILAR['load_before']))} before and "
      f"{', '.join(map(str, SIMILAR['load_after']))} after: **the machine is shared, so "
      "these figures move from run to run**.\n")
    w("| Database | incidents | server p50 ms | server p95 ms | server max ms | HTTP p50 ms | HTTP p95 ms "
      "| answers per call | empty answers |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("postgresql", "sqlite"):
        x = SIMILAR.get(name)
        if x is None:
            continue
        w(f"| {'PostgreSQL' if name == 'postgresql' else 'SQLite'} | {x['incidents']:,} | "
          f"{fmt(x['server_ms']['p50'], 2)} | {fmt(x['server_ms']['p95'], 2)} | {fmt(x['server_ms']['max'], 2)} | "
          f"{fmt(x['http_ms']['p50'], 2)} | {fmt(x['http_ms']['p95'], 2)} | {x['items_mean']} | {x['empty']} |")
    w("")


# The writes' targets (write_bench.py, run by bench.py): results.json's "writes".
WRITE_RATIO_MIN, CREATE_MS_MAX, CREATE_RPS_MIN = 0.06, 5.0, 300.0


def _write_row(writes: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in writes["throughput"] if t["name"] == name)


def write_targets(w: Any, writes: dict[str, Any] | None) -> None:
    """The Targets table's rows for the writes."""
    if not writes:
        w("| Writes | write_bench.py did not run: not measured | **not met** |")
        return
    move, comment, create = (_write_row(writes, n) for n in ("transition", "comment", "create"))
    w(f"| Transition and comment >= {WRITE_RATIO_MIN}x constant req/s at 10 clients | "
      f"transition {move['x_constant']:.3f}x, comment {comment['x_constant']:.3f}x | "
      f"{ok(min(move['x_constant'], comment['x_constant']) >= WRITE_RATIO_MIN)} |")
    server = writes["create_server_ms"]
    w(f"| POST /incidents < {CREATE_MS_MAX:g} ms server time (PostgreSQL) | median "
      f"{server['median']:.2f} ms, p99 {server['p99']:.2f} ms | "
      f"{ok(server['median'] < CREATE_MS_MAX)} |")
    w(f"| 8 clients create >= {CREATE_RPS_MIN:g} incidents/s (PostgreSQL) | {fmt(create['rps'])}/s "
      f"({create['x_constant']:.3f}x constant at 8 clients) | {ok(create['rps'] >= CREATE_RPS_MIN)} |")


def writes_section(w: Any, writes: dict[str, Any]) -> None:
    w("## Writes (bench/write_bench.py)\n")
    w("Status transitions (Investigating and Mitigated back and forth over 1,000 incidents) and "
      "comments at 10 clients, incidents opened by 8 clients, each run interleaved with the "
      "constant endpoint at the same number of clients; no Idempotency-Key, no notification "
      f"channel. Load average {writes['load_before']} before, {writes['load_after']} after.\n")
    w("| Write | clients | req/s | x constant | p50 ms | p99 ms | non-2xx |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for t in writes["throughput"]:
        w(f"| {t['name']} | {t['conns']} | {fmt(t['rps'])} | {t['x_constant']:.3f} | "
          f"{fmt(t['p50_ms'], 2)} | {fmt(t['p99_ms'], 2)} | {t['non2xx']} |")
    s = writes["create_server_ms"]
    w(f"\nPOST /incidents one at a time ({s['samples']} creates, Server-Timing): median "
      f"{s['median']:.2f} ms, p90 {s['p90']:.2f} ms, p99 {s['p99']:.2f} ms; HTTP median "
      f"{s['http_median']:.2f} ms.\n")
