"""Shared fixtures: a fresh, migrated and seeded database per API test, on SQLite and on
PostgreSQL, and an httpx client over the app.

PostgreSQL tests skip when the server is unreachable, unless REQUIRE_POSTGRES=1 (CI), where
they fail instead. TEST_DATABASES=sqlite (or postgresql) runs one tier only.
"""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.db import Database, make_engine
from app.main import create_app
from app.security import make_password_hasher
from app.services.users.accounts import Accounts
from app.startup import prepare_database

PG_ADMIN_DSN = os.environ.get("TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_URL_PREFIX = os.environ.get("TEST_PG_URL_PREFIX", "postgresql+asyncpg://postgres@127.0.0.1:5432/")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
DATABASES = os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",")
TEMPLATE_PG = f"ic_template_{os.getpid()}"
T = TypeVar("T")


def test_settings(database_url: str, **overrides: object) -> Settings:
    overrides.setdefault("sla_sweep_seconds", 0)  # tests sweep explicitly, at a chosen `now`
    overrides.setdefault("seed_demo_history", False)  # today's demo: one live incident
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="development",
        database_url=database_url,
        seed_demo_data=True,
        password_memory_kib=1024,
        password_time_cost=1,
        **overrides,  # type: ignore[arg-type]
    )


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def run_in_thread(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on its own loop, even from inside a running one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()  # type: ignore[arg-type]


async def _prepare(url: str) -> None:
    settings = test_settings(url)
    db = Database(make_engine(settings))
    hasher = make_password_hasher(1024, 1, 1)
    await prepare_database(db, settings, Accounts(db, settings, hasher))
    await db.dispose()


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_available() -> bool:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        await conn.close()

    try:
        run_in_thread(probe)
        return True
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    run_in_thread(lambda: _prepare(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not _pg_available():
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL is not reachable")

    async def build() -> None:
        await _pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_PG}")
        await _pg_admin(f"CREATE DATABASE {TEMPLATE_PG}")
        await _prepare(PG_URL_PREFIX + TEMPLATE_PG)

    run_in_thread(build)
    yield TEMPLATE_PG
    run_in_thread(lambda: _pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_PG} WITH (FORCE)"))


@pytest.fixture(params=[d for d in ("sqlite", "postgresql") if d in DATABASES])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """A fresh copy of the migrated, seeded template database."""
    if request.param == "sqlite":
        if request.node.get_closest_marker("postgres_only"):
            pytest.skip("PostgreSQL-only behaviour")
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"ic_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template_name}")
    # A throwaway database need not wait for the disk at each commit (a database setting is
    # not copied from the template). Only a crash of the server itself could lose a commit,
    # which no test causes; every SQL statement and result is the same.
    await _pg_admin(f"ALTER DATABASE {name} SET synchronous_commit = off")
    try:
        yield PG_URL_PREFIX + name
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(test_settings(database_url))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


Login = Callable[[str], Awaitable[dict[str, str]]]


@pytest.fixture
def login(client: httpx.AsyncClient) -> Login:
    """Sign in as a demo user and return the Authorization header."""

    async def _login(username: str) -> dict[str, str]:
        response = await client.post(
            "/auth/login", json={"username": username, "password": "demo123"}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return _login


@pytest.fixture
async def admin(login: Login) -> dict[str, str]:
    return await login("jordan")


@pytest.fixture
async def responder(login: Login) -> dict[str, str]:
    return await login("avery")


@pytest.fixture
async def viewer(login: Login) -> dict[str, str]:
    return await login("morgan")
