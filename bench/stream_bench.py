"""Live stream fan-out: BENCH_STREAM_CLIENTS (default 1,000) SSE clients on one app server
(one uvicorn worker, PostgreSQL), how long a change takes to reach all of them, and what each
connected client costs the server in memory. Writes bench/.work/stream.json for report.py.

Each client is a raw socket that takes a ticket (POST /stream/ticket), opens
GET /stream?ticket=..., and notes when each `event.created` of a status change arrives. The
clients live in BENCH_STREAM_PROCS processes of this script (asyncio, one coroutine per
connection); each reports the CPU it used while the events went out, so a client side that
could not keep up shows.

Rounds, each moving fresh incidents New -> Investigating, one at a time: `spaced`
(BENCH_STREAM_EVENTS transitions, BENCH_STREAM_SPACING s apart) and `burst` (as many,
back to back). Delivery latency of an (client, event) pair: the client's arrival time minus
the time the writer had the transition's answer (negative when the stream beat the answer),
all on one clock (one machine). The floor: the same rounds with one client connected, in the
same run. Server memory: RSS after that warm-up with no client connected, then with every
client connected; per client = the difference / clients.

Its own small database (ic_bench_stream, made afresh, migrated and seeded by the app), its own
app server, all on 127.0.0.1; on a quiet machine about a minute, most of it the 1,000 connects
(each a ticket and a stream opened: tens of ms of server CPU), which a loaded machine stretches.

Usage: python bench/stream_bench.py   (the client processes run it as `... client N`).
BENCH_STREAM_APP_DIR: serve the app from another checkout's backend/ (say, before a change),
with this one's virtualenv; its figures go to .work/stream-<dir name>.json instead.
"""

import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_STREAM_PORT", "8787"))
DB = os.environ.get("BENCH_STREAM_DB", "ic_bench_stream")
CLIENTS = int(os.environ.get("BENCH_STREAM_CLIENTS", "1000"))
PROCS = int(os.environ.get("BENCH_STREAM_PROCS", "2"))
EVENTS = int(os.environ.get("BENCH_STREAM_EVENTS", "20"))
SPACING = float(os.environ.get("BENCH_STREAM_SPACING", "0.25"))
# Connections each client process opens at once: together under the app's pool (10), so the
# tickets' transactions do not open and close overflow connections all along.
OPENING = 4
P99_TARGET_S = 1.0
STATUS_CHANGE = b"\nevent: event.created\n"


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- a client process


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length) if length else b""


class Listener:
    """One SSE client: (incident id, arrival time) of every status change's event.created."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, float]] = []
        self.ended = False
        self.error: str | None = None

    async def run(self, token: str, opening: asyncio.Semaphore, connected: asyncio.Event,
                  count: list[int], total: int) -> None:
        try:
            async with opening:
                reader, writer = await asyncio.open_connection(HOST, PORT, limit=1 << 20)
                writer.write(f"POST /stream/ticket HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer "
                             f"{token}\r\nContent-Length: 0\r\n\r\n".encode())
                status, body = await _answer(reader)
                if status != 200:
                    raise RuntimeError(f"ticket: {status} {body[:200]!r}")
                ticket = json.loads(body)["ticket"]
                writer.write(f"GET /stream?ticket={ticket} HTTP/1.1\r\nHost: {HOST}\r\n"
                             "Accept: text/event-stream\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                if b" 200 " not in head.split(b"\r\n", 1)[0] or b"chunked" not in head.lower():
                    raise RuntimeError(f"stream: {head[:200]!r}")
                buffer = await self._chunk(reader)
                while b": connected" not in buffer:
                    buffer += await self._chunk(reader)
        except Exception as exc:  # noqa: BLE001 - counted and reported, not fatal
            self.error = repr(exc)[:200]
            count[0] += 1
            if count[0] == total:
                connected.set()
            return
        count[0] += 1
        if count[0] == total:
            connected.set()
        buffer = b""
        try:
            while True:
                chunk = await self._chunk(reader)
                if not chunk:
                    self.ended = True
                    return
                now = time.time()
                buffer += chunk
                *blocks, buffer = buffer.split(b"\n\n")
                for block in blocks:
                    if STATUS_CHANGE in b"\n" + block:
                        data = json.loads(block[block.index(b"data: ") + 6:])
                        if data.get("type") == "status_change":
                            self.seen.append((data["incident_id"], now))
        except (OSError, asyncio.IncompleteReadError):
            self.ended = True
        finally:
            writer.close()

    @staticmethod
    async def _chunk(reader: asyncio.StreamReader) -> bytes:
        size = int((await reader.readline()).split(b";", 1)[0], 16)
        data = await reader.readexactly(size + 2)
        return data[:-2]


async def client_process(count: int, token: str) -> None:
    """Connect `count` clients and say so on stdout. Then, from stdin: `go` forgets what was
    seen and notes the CPU used so far; `report` prints what every client saw since (one JSON
    line); `stop` ends."""
    raise_fd_limit()
    loop = asyncio.get_running_loop()
    opening, connected, done = asyncio.Semaphore(OPENING), asyncio.Event(), [0]
    listeners = [Listener() for _ in range(count)]
    tasks = [loop.create_task(x.run(token, opening, connected, done, count)) for x in listeners]
    await connected.wait()
    print(json.dumps({"connected": sum(1 for x in listeners if x.error is None),
                      "errors": [x.error for x in listeners if x.error][:5]}), flush=True)
    cpu_go = cpu_seconds()
    while (line := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) not in ("stop", ""):
        if line == "go":
            cpu_go = cpu_seconds()
            for x in listeners:
                x.seen = []
        elif line == "report":
            print(json.dumps({"cpu_s": round(cpu_seconds() - cpu_go, 3),
                              "seen": [x.seen for x in listeners if x.error is None],
                              "ended": sum(1 for x in listeners if x.ended and x.error is None)}),
                  flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# ---------------------------------------------------------------- the measuring process


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clients:
    """BENCH_STREAM_PROCS client processes (or one, for the floor), all connected."""

    def __init__(self, total: int, procs: int, token: str) -> None:
        shares = [total // procs + (1 if i < total % procs else 0) for i in range(procs)]
        t0 = time.time()
        self.procs = [subprocess.Popen([sys.executable, __file__, "client", str(n)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                       env={**os.environ, "BENCH_STREAM_TOKEN": token})
                      for n in shares if n]
        hello = [json.loads(self._line(p)) for p in self.procs]
        self.connected = sum(h["connected"] for h in hello)
        self.errors = [e for h in hello for e in h["errors"]]
        self.connect_s = round(time.time() - t0, 2)

    @staticmethod
    def _line(proc: subprocess.Popen[str]) -> str:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"a client process ended early (exit {proc.wait()})")
        return line

    def tell(self, word: str) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(word + "\n")
            proc.stdin.flush()

    def report(self) -> tuple[list[list[tuple[int, float]]], list[float], int]:
        """Every client's arrivals, each process's CPU seconds since `go`, streams ended."""
        self.tell("report")
        reports = [json.loads(self._line(p)) for p in self.procs]
        return ([s for r in reports for s in r["seen"]], [r["cpu_s"] for r in reports],
                sum(r["ended"] for r in reports))

    def stop(self) -> None:
        self.tell("stop")
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def transitions(client: Any, ids: list[int], spacing: float) -> dict[int, tuple[float, float]]:
    """Move each incident New -> Investigating; when each request went and its answer came."""
    times: dict[int, tuple[float, float]] = {}
    for ident in ids:
        sent = time.time()
        status, _, data = client.call("POST", f"/incidents/{ident}/status", {"status": "Investigating"})
        if status != 200:
            raise RuntimeError(f"transition {ident}: {status} {data[:200]!r}")
        times[ident] = (sent, time.time())
        if spacing:
            time.sleep(spacing)
    return times


def measure_round(server: Any, clients: Clients, client: Any, ids: list[int], spacing: float,
                  settle: float) -> dict[str, Any]:
    clients.tell("go")
    cpu0, t0 = proc_cpu_seconds(server.proc.pid), time.time()
    times = transitions(client, ids, spacing)
    time.sleep(settle)
    wall = time.time() - t0
    server_cpu = proc_cpu_seconds(server.proc.pid) - cpu0
    seen, client_cpu, ended = clients.report()
    latencies, since_sent, lost, duplicates = [], [], 0, 0
    for arrivals in seen:
        got: dict[int, float] = {}
        for ident, at in arrivals:
            if ident in got:
                duplicates += 1
            else:
                got[ident] = at
        for ident in ids:
            if ident in got:
                latencies.append(got[ident] - times[ident][1])
                since_sent.append(got[ident] - times[ident][0])
            else:
                lost += 1
    latencies.sort()
    since_sent.sort()
    request_ms = sorted((acked - sent) * 1000 for sent, acked in times.values())
    out: dict[str, Any] = {
        "clients": len(seen), "events": len(ids), "spacing_s": spacing, "pairs": len(latencies),
        "lost": lost, "duplicates": duplicates, "ended": ended,
        "p50_s": round(percentile(latencies, 0.5), 4) if latencies else None,
        "p99_s": round(percentile(latencies, 0.99), 4) if latencies else None,
        "max_s": round(latencies[-1], 4) if latencies else None,
        # From the moment the transition was sent: an upper bound that includes the write.
        "sent_p99_s": round(percentile(since_sent, 0.99), 4) if since_sent else None,
        "sent_max_s": round(since_sent[-1], 4) if since_sent else None,
        "transition_p50_ms": round(statistics.median(request_ms), 1),
        "wall_s": round(wall, 2), "server_cpu_s": round(server_cpu, 2),
        "server_cpu_share": round(server_cpu / wall, 2),
        "client_cpu_share": [round(c / wall, 2) for c in client_cpu],
        # Server CPU per delivered event and client: what fan-out itself costs.
        "server_us_per_delivery": round(server_cpu * 1e6 / max(1, len(latencies)), 1),
    }
    return out


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import asyncpg
    from harness import WORK, Client, Server, log, login

    # run.sh's timeout sends SIGTERM: leave through `finally`, which stops the app server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stream bench: stopped by SIGTERM"))
    fds = raise_fd_limit()
    if fds < CLIENTS + 200:
        raise SystemExit(f"stream bench: {fds} file descriptors allowed, {CLIENTS} clients need more")
    WORK.mkdir(exist_ok=True)
    started = time.time()

    async def fresh_database() -> None:
        conn = await asyncpg.connect(f"postgresql://postgres@{HOST}:5432/postgres")
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {DB}")
        finally:
            await conn.close()

    asyncio.run(fresh_database())
    app_dir = os.environ.get("BENCH_STREAM_APP_DIR")
    server = Server("app-stream", "app.main:app", PORT, {
        **({"_CWD": app_dir} if app_dir else {}),
        "DATABASE_URL": f"postgresql+asyncpg://postgres@{HOST}:5432/{DB}", "APP_ENV": "development",
        "SEED_DEMO_DATA": "true", "SEED_DEMO_HISTORY": "false"}, "/healthz")
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                               "load_before": [round(x, 2) for x in os.getloadavg()],
                               "procs": PROCS}
    try:
        token = login(PORT)
        client = Client(PORT, token)
        _, _, data = client.call("GET", "/services")
        service = json.loads(data)[0]["id"]

        def incidents(n: int) -> list[int]:
            out = []
            for i in range(n):
                status, _, data = client.call("POST", "/incidents", {
                    "title": f"Fan-out {i}", "severity": "SEV3", "service_id": service})
                if status != 201:
                    raise RuntimeError(f"POST /incidents: {status} {data[:200]!r}")
                out.append(json.loads(data)["id"])
            return out

        rounds = (("spaced", SPACING, 1.0 + 2 * SPACING), ("burst", 0.0, 2.0))
        floor: dict[str, Any] = {}
        one = Clients(1, 1, token)  # the floor: one client (and the warm-up)
        try:
            for name, spacing, settle in rounds:
                floor[name] = measure_round(server, one, client, incidents(EVENTS), spacing, settle)
        finally:
            one.stop()
        results["floor"] = floor
        log(f"stream floor (1 client): spaced p99 {floor['spaced']['p99_s']} s, "
            f"burst p99 {floor['burst']['p99_s']} s")
        time.sleep(1.0)
        rss_idle = server.rss_kib()
        cpu0 = proc_cpu_seconds(server.proc.pid)
        many = Clients(CLIENTS, PROCS, token)
        connect_cpu = proc_cpu_seconds(server.proc.pid) - cpu0
        if many.connected < CLIENTS:
            log(f"stream: {many.connected}/{CLIENTS} connected; errors {many.errors}")
        log(f"stream: {many.connected} clients connected in {many.connect_s} s")
        time.sleep(1.0)
        rss_connected = server.rss_kib()
        fanned: dict[str, Any] = {}
        try:
            for name, spacing, settle in rounds:
                fanned[name] = r = measure_round(server, many, client, incidents(EVENTS), spacing, settle)
                # What fanning out costs: the server's CPU beyond the one-client floor's (the
                # same transitions), per extra (client, event) delivered.
                r["fanout_us_per_delivery"] = round(
                    (r["server_cpu_s"] - floor[name]["server_cpu_s"]) * 1e6
                    / max(1, r["pairs"] - floor[name]["pairs"]), 1)
                log(f"stream {name}: {r['clients']} clients, p50 {r['p50_s']} s, p99 {r['p99_s']} s, "
                    f"max {r['max_s']} s, lost {r['lost']}, server CPU {r['server_cpu_share']} "
                    f"({r['fanout_us_per_delivery']} us per delivery beyond the floor), "
                    f"clients' CPU {r['client_cpu_share']}")
        finally:
            many.stop()
        results["connect"] = {"connected": many.connected, "seconds": many.connect_s,
                              "errors": many.errors, "server_cpu_s": round(connect_cpu, 2),
                              "server_cpu_ms_each": round(connect_cpu * 1000 / max(1, many.connected), 2)}
        results["rounds"] = fanned
        rss_with = rss_connected
        results["rounds"] = fanned
        results["memory"] = {"rss_idle_kib": rss_idle, "rss_connected_kib": rss_with,
                             "per_client_kib": round((rss_with - rss_idle) / CLIENTS, 1)}
        results["clients"] = CLIENTS
        results["met"] = many.connected == CLIENTS and all(r["lost"] == 0
                             and r["p99_s"] is not None and r["p99_s"] < P99_TARGET_S
                             for r in fanned.values())
        log(f"stream memory: {rss_idle // 1024} MiB idle, {rss_with // 1024} MiB with {CLIENTS} "
            f"clients: {results['memory']['per_client_kib']} KiB per client")
        results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        server.stop()
    results["seconds"] = round(time.time() - started, 1)
    name = f"stream-{Path(app_dir).parent.name}" if app_dir else "stream"
    (WORK / f"{name}.json").write_text(json.dumps(results, indent=1))
    log(f"stream: measured in {results['seconds']} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        asyncio.run(client_process(int(sys.argv[2]), os.environ["BENCH_STREAM_TOKEN"]))
    else:
        main()
