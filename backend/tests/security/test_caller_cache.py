"""The token check keeps users in memory on PostgreSQL (services/callers.py): a repeat request
reads no user row, and any change to a user, from the API or from a SQL console on another
connection, still locks old tokens out on every replica within moments, not after the cache
entry's minute-long lifetime; losing the LISTEN connection empties the cache."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.db import Database
from app.infra.callers import MAX_AGE
from tests.conftest import Login
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
