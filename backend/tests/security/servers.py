"""Real server processes for the fuzzing and crash tests: uvicorn on a free port, against a
fresh SQLite file or a fresh PostgreSQL database, started directly (no shell) so its pid is
the server's and a SIGKILL reaches it."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    DATABASES,
    PG_ADMIN_DSN,
    PG_URL_PREFIX,
    REQUIRE_POSTGRES,
    _pg_admin,
    _pg_available,
    run_in_thread,
)

KINDS = [d for d in ("sqlite", "postgresql") if d in DATABASES]

BACKEND = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    database_url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # on top of the defaults below
    args: tuple[str, ...] = ("--no-access-log",)  # more uvicorn options

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "APP_ENV": "development",
               "SEED_DEMO_DATA": "true", "SEED_DEMO_HISTORY": "false", "PASSWORD_MEMORY_KIB": "1024",
               "PASSWORD_TIME_COST": "1", "SLA_SWEEP_SECONDS": "1",
               "LOGIN_FAILURES_PER_CLIENT": "100000", "LOGIN_FAILURES_PER_USER": "100000",
               **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
                 "--port", str(self.port), *self.args],
                cwd=BACKEND, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, like a power cut for the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'server.db'}"
        return
    if not _pg_available():
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but {PG_ADMIN_DSN} is down")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}")
    name = f"ic_srv_{uuid.uuid4().hex[:12]}"
    run_in_thread(lambda: _pg_admin(f"CREATE DATABASE {name}"))
    try:
        yield PG_URL_PREFIX + name
    finally:
        run_in_thread(lambda: _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextmanager
def running_server(kind: str, tmp_path: Path) -> Iterator[Server]:
    with fresh_database(kind, tmp_path) as url:
        server = Server(url, free_port(), tmp_path / "server.log")
        server.start()
        try:
            yield server
        finally:
            server.stop()


def token(server: Server, username: str, password: str = "demo123") -> dict[str, str]:
    response = httpx.post(f"{server.base_url}/auth/login",
                          json={"username": username, "password": password}, timeout=10)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
