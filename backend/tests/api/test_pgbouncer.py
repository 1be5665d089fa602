"""Behind PgBouncer in transaction pooling (Debian's `pgbouncer`, started here on a free port in
front of the shared server): DATABASE_URL through it with DATABASE_PGBOUNCER=true, and
DATABASE_DIRECT_URL for migrations, LISTEN and the sweeper's leader lock. PgBouncer gets
fewer server connections than the app has clients, so statements from different requests
share server connections and any statement cached across transactions would fail.

PostgreSQL-only; with REQUIRE_POSTGRES=1 a missing pgbouncer fails instead of skipping.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from app.infra.live import LiveFeed
from app.main import create_app
from app.services.sla.sweeper import SlaSweeper
from tests.conftest import DATABASES, PG_URL_PREFIX, _pg_admin, _pg_available, test_settings
from tests.pg_cluster import REQUIRE_POSTGRES, Bouncer, Unavailable, pgbouncer

CONCURRENT = 40
pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def bouncer() -> Iterator[Bouncer]:
    if "postgresql" not in DATABASES:
        pytest.skip("PostgreSQL-only (TEST_DATABASES excludes it)")
    problem = None if _pg_available() else "PostgreSQL at 127.0.0.1:5432 is unreachable"
    made = None
    if problem is None:
        try:
            made = pgbouncer(5432, pool_size=3)
        except (Unavailable, RuntimeError, OSError) as exc:
            problem = str(exc)
    if made is None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"cannot run PgBouncer (REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(f"cannot run PgBouncer here: {problem}")
    try:
        yield made
    finally:
        made.stop()


@pytest.fixture
async def app(bouncer: Bouncer) -> AsyncIterator[FastAPI]:
    name = f"ic_pgb_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name}")
    try:
        settings = test_settings(bouncer.url(name), database_direct_url=PG_URL_PREFIX + name,
                                 database_pgbouncer=True)
        application = create_app(settings)  # migrates and seeds through the direct URL
        async with application.router.lifespan_context(application):
            yield application
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def test_the_console_works_through_pgbouncer(app: FastAPI, client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/login", json={"username": "jordan", "password": "demo123"})
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    feed: LiveFeed = app.state.live
    assert app.state.db.direct is not app.state.db.engine

    async with feed.subscription() as updates:  # LISTEN, on the direct connection
        created = await client.post("/incidents", headers=auth, json={
            "title": "Through the pooler", "severity": "SEV2", "service_id": 1})
        assert created.status_code == 201, created.text
        incident = created.json()
        update = await asyncio.wait_for(updates.get(), 10)
        assert update is not None and update.data["incident_id"] == incident["id"]

    moved = await client.post(f"/incidents/{incident['id']}/status", json={"status": "Investigating"},
                              headers={**auth, "If-Match": str(incident["version"])})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "Investigating"

    keyed = {**auth, "Idempotency-Key": "pgbouncer-retry-1"}
    body = {"title": "Sent twice", "severity": "SEV3", "service_id": 1}
    first = await client.post("/incidents", headers=keyed, json=body)
    again = await client.post("/incidents", headers=keyed, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"

    async def create_and_list(n: int) -> tuple[int, int, int]:
        made = await client.post("/incidents", headers=auth, json={
            "title": f"Concurrent {n}", "severity": "SEV4", "service_id": 1})
        listed = await client.get("/incidents", headers=auth, params={"limit": 5})
        detail = await client.get(f"/incidents/{incident['id']}/events", headers=auth)
        return made.status_code, listed.status_code, detail.status_code

    answers = await asyncio.gather(*(create_and_list(n) for n in range(CONCURRENT)))
    assert answers == [(201, 200, 200)] * CONCURRENT
    metrics = await client.get("/metrics", headers=auth)
    assert metrics.status_code == 200, metrics.text
    listed = await client.get("/incidents", headers=auth, params={"q": "Concurrent", "limit": 100})
    assert listed.json()["total"] == CONCURRENT


async def test_one_sweeper_leads_through_the_direct_connection(app: FastAPI) -> None:
    """The leader's session lock lives on a direct connection: through a transaction pooler it
    would be taken on one server connection and asked about on another."""
    first, second = SlaSweeper(app.state.db, 1), SlaSweeper(app.state.db, 1)
    try:
        assert await first.is_leader()
        assert await first.is_leader()  # still holds it, on the same connection
        assert not await second.is_leader()
        await first.stop()
        assert await second.is_leader()
    finally:
        await first.stop()
        await second.stop()


def test_a_pooler_without_a_direct_url_is_refused() -> None:
    with pytest.raises(RuntimeError, match="DATABASE_DIRECT_URL"):
        create_app(test_settings(PG_URL_PREFIX + "x", database_pgbouncer=True))


def test_a_replica_must_be_postgresql() -> None:
    with pytest.raises(RuntimeError, match="DATABASE_READ_URL"):
        create_app(test_settings("sqlite+aiosqlite:///x.db", database_read_url=PG_URL_PREFIX + "x"))
    with pytest.raises(RuntimeError, match="same driver"):
        create_app(test_settings(PG_URL_PREFIX + "x", database_read_url="postgresql+psycopg://h/x"))


