"""The bench's plumbing: settings, servers under test, RSS sampling, an HTTP client,
SQL capture and replay as floors, wrk runs. bench.py holds the measurements."""

import asyncio
import http.client
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "backend"
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
sys.path.insert(0, str(BACKEND))
sys.path.insert(0, str(BENCH))

from app.config import Settings  # noqa: E402
from app.db import Database, make_engine  # noqa: E402
from sqlalchemy import event  # noqa: E402

HOST = "127.0.0.1"
APP_PORT = int(os.environ.get("BENCH_APP_PORT", "8781"))
FLOOR_PORT = int(os.environ.get("BENCH_FLOOR_PORT", "8782"))
SQLITE_PORT = int(os.environ.get("BENCH_SQLITE_PORT", "8783"))
PG_DB = os.environ.get("BENCH_PG_DB", "ic_bench")
PG_DSN = f"postgresql://postgres@{HOST}:5432/{PG_DB}"
PG_URL = f"postgresql+asyncpg://postgres@{HOST}:5432/{PG_DB}"
SQLITE_N = int(os.environ.get("BENCH_SQLITE_N", "100000"))
SQLITE_FILE = WORK / "ic_bench_sqlite.db"
SQLITE_URL = f"sqlite+aiosqlite:///{SQLITE_FILE}"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "4"))
WORKERS = os.environ.get("BENCH_WORKERS", "1")
UVICORN_FLAGS = ["--host", HOST, "--workers", WORKERS, "--loop", "uvloop", "--http", "httptools",
                 "--no-access-log", "--log-level", "warning", "--timeout-keep-alive", "120"]
PAGE = 50


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- servers and memory


class Server:
    def __init__(self, name: str, target: str, port: int, env: dict[str, str], probe: str,
                 workers: str = WORKERS) -> None:
        self.name, self.port, self.probe = name, port, probe
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                raise RuntimeError(f"port {port} is already in use: stop whatever listens there")
        flags = list(UVICORN_FLAGS)
        flags[flags.index("--workers") + 1] = workers
        cmd = [str(BACKEND / ".venv/bin/uvicorn"), target, "--port", str(port), *flags]
        self.log = open(WORK / f"{name}.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=env.pop("_CWD", str(BACKEND)),
                                     env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited; see {WORK / (name + '.log')}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", probe)
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{name} did not answer on {port}")

    def pids(self) -> list[int]:
        """The server and, with --workers > 1, its worker processes."""
        out = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            out += [int(p) for p in children.split()]
        except OSError:
            pass
        return out

    def rss_kib(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class RssSampler(threading.Thread):
    def __init__(self, server: Server, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.samples: list[tuple[float, int, str]] = []
        self.phase = "start"
        self._halt = threading.Event()
        self.t0 = time.time()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((round(time.time() - self.t0, 2), self.server.rss_kib(), self.phase))
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# ---------------------------------------------------------------- HTTP and direct SQL


class Client:
    """A keep-alive HTTP/1.1 client with as little overhead as the standard library allows."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)
        self.server_seconds: float | None = None  # the last answer's Server-Timing, if any

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, float, bytes]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            try:
                t0 = time.perf_counter()
                self.conn.request(method, path, body=payload, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                elapsed = time.perf_counter() - t0
                timing = resp.getheader("server-timing") or ""
                self.server_seconds = (float(timing.removeprefix("app;dur=")) / 1000
                                       if timing.startswith("app;dur=") else None)
                return resp.status, elapsed, data
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def login(port: int) -> str:
    status, _, data = Client(port).call("POST", "/auth/login",
                                        {"username": "jordan", "password": "demo123"})
    if status != 200:
        raise RuntimeError(f"login failed: {status} {data[:200]!r}")
    return str(json.loads(data)["access_token"])


Statements = list[tuple[str, Any]]


async def capture(url: str, call: Callable[[Database], Awaitable[Any]]) -> Statements:
    """The statements a service function sends, with their bound parameters, in steady state:
    it runs twice and the second call's statements count (a list reuses a large estimate
    for a few seconds, so a repeated call sends one statement fewer; the floor must not
    replay one the app does not send)."""
    settings = Settings(_env_file=None, database_url=url, seed_demo_data=False,  # type: ignore[call-arg]
                        migrate_on_start=False)
    engine = make_engine(settings)
    seen: Statements = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK",
                                                           "SET TRANSACTION")):
            seen.append((statement, parameters))

    db = Database(engine)
    try:
        await call(db)
        seen.clear()
        await call(db)
    finally:
        await db.dispose()
    return seen


# A change /metrics reads (a service's name, written as it was), so the next answer is
# computed, not the one the app kept (services/metrics/answers.py).
TOUCH = "UPDATE services SET name = name WHERE id = (SELECT min(id) FROM services)"
NOTIFY_WAIT = 0.02  # PostgreSQL's NOTIFY reaches the app's LISTEN connection after the commit


class PgDirect:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def touch(self) -> None:
        await self.conn.execute(TOUCH)
        await asyncio.sleep(NOTIFY_WAIT)

    async def run(self, statements: Statements) -> float:
        """As the app reads on PostgreSQL: autocommit, one statement after another (metrics'
        SET/RESET work_mem included)."""
        t0 = time.perf_counter()
        for stmt, params in statements:
            await self.conn.fetch(stmt, *(params or ()))
        return time.perf_counter() - t0


class SqliteDirect:
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")

    async def touch(self) -> None:
        self.conn.execute(TOUCH)
        self.conn.commit()

    async def run(self, statements: Statements) -> float:
        t0 = time.perf_counter()
        for stmt, params in statements:
            self.conn.execute(stmt, params or ()).fetchall()
        return time.perf_counter() - t0


def summary(run_medians: list[float], samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return {"median_ms": round(statistics.median(run_medians) * 1000, 3),
            "run_medians_ms": [round(m * 1000, 3) for m in run_medians],
            "p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(p99 * 1000, 3), "n": len(ordered)}


def wrk(port: int, conns: int, seconds: int, env: dict[str, str],
        then_drain: bool = True) -> dict[str, Any]:
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s",
           "-s", str(BENCH / "wrk.lua"), f"http://{HOST}:{port}"]
    proc = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=seconds + 60)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not line:
        raise RuntimeError(f"wrk gave no result: {proc.stdout} {proc.stderr}")
    r = json.loads(line[-1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    if then_drain:
        drain(port)
    return r


def drain(port: int) -> None:
    """Wait (at most 30 s) until requests wrk left in flight are done, so runs do not overlap."""
    deadline = time.time() + 30
    probe = Client(port)
    while time.time() < deadline:
        try:
            status, elapsed, _ = probe.call("GET", "/healthz" if port != FLOOR_PORT else "/const")
            if status == 200 and elapsed < 0.02:
                return
        except OSError:
            pass
        time.sleep(0.1)


