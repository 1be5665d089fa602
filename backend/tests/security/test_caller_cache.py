"""The token check keeps users in memory on PostgreSQL (services/callers.py): a repeat request
reads no user row, and any change to a user, from the API or from a SQL console on another
connection, still locks old tokens out on every replica within moments, not after the cache
entry's minute-long lifetime; losing the LISTEN connection empties the cache, and so does a
LISTEN connection that hangs without dropping (it is pinged)."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app import main
from app.db import Database
from app.infra import live
from app.infra.callers import MAX_AGE, CallerCache
from app.infra.live import LiveFeed, Watcher
from tests.conftest import Login, test_settings
from tests.security.conftest import LOCKOUT_WITHIN, status_within

assert LOCKOUT_WITHIN * 10 < MAX_AGE  # only the NOTIFY can explain a lockout that quick


async def operator(database_url: str, statement: str) -> None:
    """A separate connection, like another replica or a DBA's console."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def postgres_only(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite reads the caller's row on every request; nothing is cached")


def user_reads(db: Database) -> Callable[[], int]:
    seen: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM users" in statement:
            seen.append(statement)

    return lambda: len(seen)


@pytest.mark.usefixtures("postgres_only")
async def test_repeat_requests_read_no_user_row(client: httpx.AsyncClient, login: Login,
                                                db: Database) -> None:
    headers = await login("avery")
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    reads = user_reads(db)
    for _ in range(5):
        assert (await client.get("/incidents", headers=headers)).status_code == 200
    assert reads() == 0


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("change", [
    "UPDATE users SET is_active = false WHERE username = 'morgan'",
    "UPDATE users SET token_version = token_version + 1 WHERE username = 'morgan'",
    "DELETE FROM users WHERE username = 'morgan'",
])
async def test_a_change_from_another_connection_locks_out(
    client: httpx.AsyncClient, login: Login, database_url: str, change: str
) -> None:
    headers = await login("morgan")
    assert (await client.get("/auth/me", headers=headers)).status_code == 200  # now cached
    await operator(database_url, change)
    await status_within(client, headers, 401)


@pytest.mark.usefixtures("postgres_only")
async def test_a_lost_listen_connection_empties_the_cache(
    app: FastAPI, client: httpx.AsyncClient, login: Login, database_url: str
) -> None:
    headers = await login("morgan")
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    callers = app.state.accounts.callers
    listener_pid = app.state.live._listener.get_server_pid()
    await operator(database_url, f"SELECT pg_terminate_backend({listener_pid})")
    await operator(database_url, "UPDATE users SET is_active = false WHERE username = 'morgan'")
    await status_within(client, headers, 401)
    # It listens again by itself, and caches again once it does.
    deadline = time.monotonic() + LOCKOUT_WITHIN
    while not callers.enabled:
        assert time.monotonic() < deadline, "the LISTEN connection did not come back"
        await asyncio.sleep(0.02)
    assert app.state.live._listener.get_server_pid() != listener_pid
    again = await login("avery")
    assert (await client.get("/auth/me", headers=again)).status_code == 200
    await operator(database_url, "UPDATE users SET is_active = false WHERE username = 'avery'")
    await status_within(client, again, 401)


class PausableProxy:
    """A TCP relay to PostgreSQL that can stop relaying while keeping every socket open: to
    the app, its connection hangs (no error, no close), as behind a stalled proxy."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while True:
                await self.flowing.wait()
                data = await reader.read(65536)
                if not data:
                    break
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.target)
        self._writers += [client_w, server_w]
        for src, dst in ((client_r, server_w), (server_r, client_w)):
            task = asyncio.create_task(self._pump(src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[int]:
        server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        try:
            yield server.sockets[0].getsockname()[1]
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            for writer in self._writers:
                writer.close()


@pytest.mark.postgres_only
async def test_a_hung_listen_connection_stops_the_caching(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.2, raising=False)
    monkeypatch.setattr(live, "KEEPALIVE_TIMEOUT", 0.5, raising=False)
    assert live.KEEPALIVE_SECONDS + live.KEEPALIVE_TIMEOUT < LOCKOUT_WITHIN
    url = make_url(database_url)
    proxy = PausableProxy(url.host or "127.0.0.1", url.port or 5432)
    async with proxy.running() as port:
        through_proxy = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

        def listening_through_the_proxy(db: Database, _url: str, callers: CallerCache,
                                        watchers: Sequence[Watcher] = (), listens: bool = True
                                        ) -> LiveFeed:
            return LiveFeed(db, through_proxy, callers, watchers, listens)

        monkeypatch.setattr(main, "LiveFeed", listening_through_the_proxy)
        application = main.create_app(test_settings(database_url))
        async with application.router.lifespan_context(application):
            try:
                transport = httpx.ASGITransport(app=application)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    callers = application.state.accounts.callers
                    token = (await client.post("/auth/login", json={
                        "username": "morgan", "password": "demo123"})).json()["access_token"]
                    headers = {"Authorization": f"Bearer {token}"}
                    assert (await client.get("/auth/me", headers=headers)).status_code == 200
                    assert callers.enabled
                    proxy.flowing.clear()  # the LISTEN connection hangs: no NOTIFY comes through
                    await operator(database_url, "UPDATE users SET is_active = false WHERE username = 'morgan'")
                    await status_within(client, headers, 401)  # not a minute later
                    assert not callers.enabled, "a hung LISTEN connection must stop the caching"
                    # ... of /metrics answers too (their changes come by NOTIFY as well)
                    assert not application.state.metrics_answers.keeping
                    proxy.flowing.set()
                    deadline = time.monotonic() + 10
                    while not callers.enabled:
                        assert time.monotonic() < deadline, "the LISTEN connection did not come back"
                        await asyncio.sleep(0.05)
                    token = (await client.post("/auth/login", json={
                        "username": "avery", "password": "demo123"})).json()["access_token"]
                    again = {"Authorization": f"Bearer {token}"}
                    assert (await client.get("/auth/me", headers=again)).status_code == 200
                    await operator(database_url, "UPDATE users SET is_active = false WHERE username = 'avery'")
                    await status_within(client, again, 401)
            finally:
                proxy.flowing.set()  # even on failure: the app must be able to stop
