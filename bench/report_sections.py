"""The sections of bench/RESULTS.md measured by their own scripts (notify_bench.py,
similar_bench.py, replica_bench.py, stream_bench.py: each writes its .work/*.json), and the
number formatting report.py shares with them."""

import json
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / ".work"


def _load(name: str) -> dict[str, Any] | None:
    path = WORK / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


NOTIFY, SIMILAR, REPLICA = _load("notify"), _load("similar"), _load("replica")
STREAM = _load("stream")


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


SETUP_NAMES = {"split": "API + worker", "single": "one process"}


def notifications(w: Any) -> None:
    assert NOTIFY is not None
    setups = [name for name in SETUP_NAMES if name in NOTIFY]
    w("## Notifications (bench/notify_bench.py)\n")
    w("Its own small database and app servers, a bare ASGI sink on 127.0.0.1 answering 204, in two "
      "set-ups, each on a fresh database: **API + worker**, how a company runs it (issue 16): the "
      "API in a WORKER_MODE=api process (it sends nothing) and the delivery worker in one "
      "WORKER_MODE=worker process beside it, on the same machine; the targets are judged on this "
      "one. **One process**: WORKER_MODE=all, one uvicorn worker serving the API and sending. "
      f"Started {NOTIFY['started']} on {NOTIFY.get('cores', 2)} cores; load average (1, 5, 15 min) "
      f"{', '.join(map(str, NOTIFY['load_before']))} before and "
      f"{', '.join(map(str, NOTIFY['load_after']))} after: **the machine is shared with other "
      "work, so these figures move from run to run** (each row names the 1-minute load average "
      "when it started).\n")
    first = NOTIFY[setups[0]]["storm"]
    w(f"Alert storm: {first['alerts']:,} alerts, each opening its own incident, sent as Alertmanager "
      f"webhooks of {first['batch']} by two clients at once; one webhook channel hears "
      "`incident.created`. Enqueue-to-delivery is the sink's arrival time minus the "
      "notification's `created_at` (written in the transaction that opened the incident).\n")
    w("| set-up | load | notifications | delivered | failed | duplicates | retried | webhooks sent in s "
      "| p50 s | p99 s | max s | all delivered after s |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in setups:
        st, x = NOTIFY[name]["storm"], NOTIFY[name]
        w(f"| {SETUP_NAMES[name]} | {x['load_before'][0]} | {st['notifications']:,} | "
          f"{st['delivered']:,} | {st.get('failed', 0)} | {st['duplicates']} | {st['retried']} | "
          f"{st['webhooks_s']} | {st['p50_s']:.2f} | {st['p99_s']:.2f} | {st['max_s']:.2f} | "
          f"{st['all_delivered_s']} |")
    w("")
    tr0 = NOTIFY[setups[0]]["transitions"]
    w(f"Status transitions (wrk, {tr0['conns']} clients, to the API, Investigating and Mitigated "
      "back and forth on 200 incidents, fresh ones for each run): without channels; with three "
      "webhook channels hearing "
      "`incident.status_changed`, their deliveries sent meanwhile (by the worker process, or "
      "by the same process); and with the three channels paused during the run (nothing is "
      "sent until it ends), which leaves the cost of writing the outbox rows in each "
      "transition. Interleaved run by run, the outbox drained before each run. `CPU ms`: user "
      "and system CPU of the app processes (API and worker) per transition, read from /proc "
      "from the run's start until its last answer and, with channels sending, until the outbox "
      "is empty again (PostgreSQL's and the sink's not counted, nor the bench's probes "
      "between runs): the cost the machine's other work moves least. `API CPU ms`: the API "
      "process's alone, until the run's last answer (in one process: the same process). Each "
      "round runs the three conditions in another order.\n")
    w("| set-up | load | channels | req/s | x without | p99 ms | CPU ms | x without | API CPU ms | x without | runs (req/s) |")
    w("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for setup in setups:
        tr = NOTIFY[setup]["transitions"]
        for name, label in (("none", "none"), ("three", "three, sent meanwhile"),
                            ("paused", "three, paused (enqueue only)")):
            x = tr[name]
            cpu, api = x.get("cpu_ms"), x.get("api_cpu_ms")
            w(f"| {SETUP_NAMES[setup]} | {NOTIFY[setup]['load_after_storm'][0]} | {label} | "
              f"{fmt(x['rps'])} | {x['rps'] / tr['none']['rps']:.3f} | {fmt(x['p99_ms'], 2)} | "
              f"{fmt(cpu, 2)} | {fmt(cpu / tr['none']['cpu_ms'] if cpu else None, 3)} | "
              f"{fmt(api, 2)} | {fmt(api / tr['none']['api_cpu_ms'] if api else None, 3)} | "
              f"{', '.join(fmt(v) for v in x['runs'])} |")
    w("")
    for setup in setups:
        tr = NOTIFY[setup]["transitions"]
        w(f"{SETUP_NAMES[setup]}, with channels: {tr['transitions_with_channels']:,} transitions, "
          f"{tr['deliveries_received']:,} deliveries received for {tr['deliveries_expected']:,} "
          f"expected, {tr['duplicates']} duplicates, {tr['non2xx']} non-2xx answers; the outbox was "
          f"empty again {', '.join(str(v) for v in tr['drain_after_run_s'])} s after each sending "
          "run's end.\n")


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


def stream_fanout(w: Any) -> None:
    assert STREAM is not None
    s, c, m = STREAM, STREAM["connect"], STREAM["memory"]
    w("## Live stream fan-out (bench/stream_bench.py)\n")
    w(f"Its own small database and app server (one uvicorn worker, PostgreSQL LISTEN/NOTIFY); "
      f"{s['clients']:,} SSE clients as raw sockets in {s['procs']} client processes, each taking "
      f"a ticket and opening `GET /stream` ({c['connected']:,} connected in {c['seconds']} s, "
      f"{c['server_cpu_ms_each']} ms of server CPU each). Each round moves 20 fresh incidents "
      "New -> Investigating one at a time (`spaced`: 0.25 s apart; `burst`: back to back); "
      "latency of a (client, event) pair is the client's arrival time of the `event.created` "
      "minus the time the writer had the transition's answer (negative: the stream beat the "
      "answer); `since sent` counts from the request instead. The floor is the same rounds "
      "with one client. `fan-out us` is the server's CPU beyond the floor's per extra delivery; "
      "`clients' CPU` is each client process's share of a core meanwhile (near 1 would mean the "
      f"clients, not the server, set the pace). Started {s['started']}; load average (1, 5, 15 min) "
      f"{', '.join(map(str, s['load_before']))} before and {', '.join(map(str, s['load_after']))} "
      "after: **the machine (2 cores) is shared, so these figures move from run to run**.\n")
    w("| round | clients | pairs | lost | p50 s | p99 s | max s | p99 since sent s | floor p99 s "
      "| server CPU share | fan-out us | clients' CPU |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, r in s["rounds"].items():
        f = s["floor"][name]
        w(f"| {name} | {r['clients']:,} | {r['pairs']:,} | {r['lost']} | {r['p50_s']:.3f} | "
          f"{r['p99_s']:.3f} | {r['max_s']:.3f} | {r['sent_p99_s']:.3f} | {f['p99_s']:.3f} | "
          f"{r['server_cpu_share']:.2f} | {fmt(r['fanout_us_per_delivery'])} | "
          f"{', '.join(f'{x:.2f}' for x in r['client_cpu_share'])} |")
    w("")
    w(f"Server RSS: {m['rss_idle_kib'] / 1024:.0f} MiB with no client connected (after the floor's "
      f"rounds), {m['rss_connected_kib'] / 1024:.0f} MiB with {s['clients']:,} connected: "
      f"**{m['per_client_kib']:.1f} KiB per client**.\n")

# The SQLite targets (issue 17): at 3,000 incidents each call's p50 as a multiple of /healthz's
# (PostgreSQL's own ratios at that size), at 100,000 list and detail server time against their SQL.
SQLITE_SMALL_MAX = {"list": 4.0, "detail": 3.0, "metrics": 6.0}
SQLITE_SQL_MAX = 2.0
COMPUTED = "metrics, computed"  # sqlite_bench.COMPUTED


def sqlite_small_targets(w: Any, small: dict[str, Any] | None) -> None:
    if not small:
        w("| SQLite at 3,000 incidents | the tier did not run: not measured | **not met** |")
        return
    calls = small["calls"]
    for name, limit in SQLITE_SMALL_MAX.items():
        x = calls[name]
        w(f"| SQLite, {small['incidents']:,} incidents: GET {'/incidents' if name == 'list' else '/incidents/{id}' if name == 'detail' else '/metrics'} "
          f"p50 <= {limit:g}x /healthz p50 | {x['ratio']}x (runs {', '.join(map(str, x['run_ratios']))}; "
          f"load {small['load_before'][0]} -> {small['load_after'][0]})"
          + (f"; computed after a change each time: {calls[COMPUTED]['ratio']}x"
             if name == "metrics" and COMPUTED in calls else "")
          + f" | {ok(x['ratio'] <= limit)} |")


def sqlite_sql_targets(w: Any, lists: list[dict[str, Any]], detail: dict[str, Any] | None,
                       n: int) -> None:
    worst = max(lists, key=lambda x: x["ratio"])
    w(f"| SQLite, {n:,} incidents: GET /incidents server time <= {SQLITE_SQL_MAX:g}x the same SQL "
      f"through sqlite3 | worst {worst['ratio']}x ({worst['name']}) | "
      f"{ok(worst['ratio'] <= SQLITE_SQL_MAX)} |")
    if detail is None:
        w(f"| SQLite, {n:,} incidents: GET /incidents/{{id}} | not measured | **not met** |")
    else:
        w(f"| SQLite, {n:,} incidents: GET /incidents/{{id}} server time <= {SQLITE_SQL_MAX:g}x its SQL | "
          f"{detail['ratio']}x | {ok(detail['ratio'] <= SQLITE_SQL_MAX)} |")


def sqlite_small(w: Any, small: dict[str, Any] | None) -> None:
    if not small:
        return
    w(f"## SQLite at {small['incidents']:,} incidents: each call against /healthz\n")
    w(f"One server (same flags), a copy of every Nth incident built in {small['build']['seconds']} s; "
      f"/healthz, GET /incidents, GET /incidents/{{id}} (500 incidents in turn) and GET /metrics "
      f"called one after another (GET /metrics in every fourth round, twice: asked again with "
      f"nothing changed, the answer the app kept, then `{COMPUTED}` after a change to a service's "
      f"name, written as it was, through sqlite3), {small['reps']} rounds per run, {small['runs']} runs, by one "
      "keep-alive client. The ratio is each call's p50 over /healthz's p50 from the same run (the "
      "floor every request pays: HTTP, routing, middleware), so it holds on a busy machine where "
      f"the milliseconds do not: load average (1, 5, 15 min) {', '.join(map(str, small['load_before']))} "
      f"before, {', '.join(map(str, small['load_after']))} after.\n")
    w("| Call | HTTP p50 ms | HTTP p99 ms | x /healthz (HTTP) | per run | server p50 ms | x /healthz (server) |")
    w("|---|---:|---:|---:|---|---:|---:|")
    for name, x in small["calls"].items():
        w(f"| {name} | {fmt(x['http']['p50_ms'], 2)} | {fmt(x['http']['p99_ms'], 2)} | {x['ratio']} | "
          f"{', '.join(map(str, x['run_ratios']))} | {fmt(x['server_p50_ms'], 2)} | {x['server_ratio']} |")
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
