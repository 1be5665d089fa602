"""A PostgreSQL restart under load: four clients create and list incidents while the database
shuts down, is gone and starts up again. Every request gets an answer (2xx, or 503 with
Retry-After: never a 500, never a dropped connection), every create that was acknowledged is
stored exactly once, and the app serves again on its own once the database is back.

The test runs a PostgreSQL cluster of its own (initdb in a temporary directory, on a free
port), so restarting it disturbs nobody else; the cluster is always stopped and removed.
"""

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import DATABASES
from tests.security.servers import Server, free_port, token

PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
CLIENTS = 4
ACKED_BEFORE_RESTART = 40
ACKED_AFTER_RESTART = 20
LOAD_DEADLINE_SECONDS = 40
TITLE = "Restart load"


@dataclass
class Cluster:
    data: Path
    port: int
    user: list[str]  # the command prefix that runs a PostgreSQL tool as a non-root user

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/console"

    def run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.user, *args], check=True, timeout=timeout,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = (f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self.run(str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "30",
                 "-l", str(self.data.parent / "postgres.log"), "-o", options, *extra)


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL 15 cluster on a free port; PostgreSQL refuses to run as root,
    so as root (CI) its tools run as the `postgres` user."""
    if "postgresql" not in DATABASES:
        pytest.skip("PostgreSQL-only (TEST_DATABASES excludes it)")
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL binaries in {PG_BIN}")
    root = Path(tempfile.mkdtemp(prefix="ic-restart-"))
    user: list[str] = []
    if os.geteuid() == 0:
        user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres", "postgres")
    root.chmod(0o755)
    cluster = Cluster(root / "data", free_port(), user)
    try:
        cluster.run(str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres",
                    "-A", "trust", "--no-sync")
        cluster.pg_ctl("start")
        cluster.run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port),
                    "-U", "postgres", "console")
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            subprocess.run([*user, str(PG_BIN / "pg_ctl"), "stop", "-D", str(cluster.data),
                            "-m", "immediate", "-w"], timeout=60, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Load:
    headers: dict[str, str]
    acked: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)  # 5xx other than 503, or 503 without Retry-After
    dropped: list[str] = field(default_factory=list)
    restarted_at: float | None = None
    acked_after_restart: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    enough_before: asyncio.Event = field(default_factory=asyncio.Event)
    enough_after: asyncio.Event = field(default_factory=asyncio.Event)

    def answered(self, what: str, response: httpx.Response) -> None:
        self.statuses[response.status_code] += 1
        ok = response.status_code < 300 or (
            response.status_code == 503 and "retry-after" in response.headers)
        if not ok:
            self.wrong.append(f"{what}: {response.status_code} {response.text[:200]}")


async def _client(base_url: str, load: Load, n: int) -> None:
    """Half the clients send an Idempotency-Key and retry a refused create with it; the
    others send each attempt as a new incident."""
    keyed = n % 2 == 0
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as c:
        i = attempt = 0
        while not load.stop.is_set():
            title = f"{TITLE} {n}/{i}" if keyed else f"{TITLE} {n}/{attempt}"
            attempt += 1
            headers = {**load.headers, **({"Idempotency-Key": f"restart-{n}-{i}"} if keyed else {})}
            pause = 0.0
            try:
                created = await c.post("/incidents", headers=headers, json={
                    "title": title, "severity": "SEV3", "service_id": 1})
                load.answered(f"POST {title}", created)
                if created.status_code == 201:
                    load.acked.append(title)
                    i += 1  # else the same create is retried with its key
                    if load.restarted_at is not None:
                        load.acked_after_restart += 1
                        if load.acked_after_restart >= ACKED_AFTER_RESTART:
                            load.enough_after.set()
                    if len(load.acked) >= ACKED_BEFORE_RESTART:
                        load.enough_before.set()
                else:
                    pause = 0.05
                listed = await c.get("/incidents", headers=load.headers, params={"limit": 5})
                load.answered("GET /incidents", listed)
            except httpx.HTTPError as exc:
                load.dropped.append(f"{type(exc).__name__}: {exc}")
                pause = 0.05
            await asyncio.sleep(pause)


async def _stored_titles(server: Server, headers: dict[str, str]) -> Counter[str]:
    seen: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as c:
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 200, "q": TITLE, **({"cursor": cursor} if cursor else {})}
            page = (await c.get("/incidents", params=params, headers=headers)).json()
            seen.update(i["title"] for i in page["items"] if i["title"].startswith(TITLE))
            cursor = page["next_cursor"]
            if not cursor:
                return seen


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_postgresql_restart_under_load(tmp_path: Path, mode: str) -> None:
    """`fast`: PostgreSQL ends every session, refuses new ones while shutting down and starting
    up; `immediate`: as if it crashed, then recovers from its WAL."""
    started = time.monotonic()
    with own_cluster() as cluster:
        server = Server(cluster.url, free_port(), tmp_path / "server.log")
        await asyncio.to_thread(server.start)
        try:
            load = Load(await asyncio.to_thread(token, server, "avery"))
            clients = asyncio.gather(*(_client(server.base_url, load, n) for n in range(CLIENTS)))
            try:
                await asyncio.wait_for(load.enough_before.wait(), 30)
                await asyncio.to_thread(cluster.pg_ctl, "restart", "-m", mode)
                load.restarted_at = time.monotonic()
                remaining = started + LOAD_DEADLINE_SECONDS - time.monotonic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(load.enough_after.wait(), max(remaining, 1))
            finally:
                load.stop.set()
                await asyncio.wait_for(clients, 30)
            print(f"answers: {dict(load.statuses)}, acknowledged creates: {len(load.acked)} "
                  f"({load.acked_after_restart} after the restart)")
            assert not load.wrong, f"{len(load.wrong)} wrong answers: {load.wrong[:5]}"
            assert not load.dropped, f"{len(load.dropped)} dropped: {load.dropped[:5]}"
            assert load.acked_after_restart >= ACKED_AFTER_RESTART, "the app did not recover"
            stored = await _stored_titles(server, load.headers)
            missing = [t for t in load.acked if stored[t] != 1]
            assert not missing, f"acknowledged creates missing or stored twice: {missing[:10]}"
            assert all(n == 1 for n in stored.values()), "a create stored twice"
        finally:
            server.stop()
