"""A database connection lost under the app: the caller gets a 503 to retry, never a 500,
and the next request works on fresh connections."""

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_DSN


async def kill_connections(database_url: str) -> int:
    """Terminate every connection to the test database (the app's pools, its LISTEN)."""
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        killed: int = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", make_url(database_url).database)
    finally:
        await conn.close()
    return killed


@pytest.mark.postgres_only
async def test_killed_connections_answer_503_then_recover(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    assert (await client.get("/incidents", headers=admin)).status_code == 200
    killed = await kill_connections(database_url)
    assert killed >= 1, "the app held pooled connections to kill"
    statuses = []
    for _ in range(killed + 2):
        response = await client.get("/incidents", headers=admin)
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["retry-after"] == "1"
            assert "retry" in response.json()["detail"]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-1] == 200, statuses


@pytest.mark.postgres_only
@pytest.mark.parametrize("path", ["/incidents/1", "/metrics"])
async def test_the_direct_read_pool_recovers_too(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str, path: str
) -> None:
    """The incident detail and metrics read through asyncpg's own pool (app/db_rows.py)."""
    assert (await client.get(path, headers=admin)).status_code == 200
    killed = await kill_connections(database_url)
    statuses = [(await client.get(path, headers=admin)).status_code for _ in range(killed + 3)]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-1] == 200, statuses
