"""Read replicas (DATABASE_READ_URL): a real streaming standby of a primary this module makes
(tests/pg_cluster.py), and two app instances, A taking the writes and B the reads, as two API
replicas behind a load balancer would. The caller carries only what A answered.

PostgreSQL-only; with REQUIRE_POSTGRES=1 a missing tool fails instead of skipping.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from app.infra import replica as replica_module
from app.infra.read_after import COOKIE, HEADER, parse_lsn
from app.infra.replica import REPLAY_CACHE_SECONDS, ReadRouting
from app.main import create_app
from tests.conftest import DATABASES, run_in_thread, test_settings
from tests.pg_cluster import REQUIRE_POSTGRES, ReplicatedCluster, Unavailable, replicated_cluster

TRIALS = 1000
CAUGHT_UP_EVERY = 10  # every tenth trial waits until the replica has replayed the write
pytestmark = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def cluster() -> Iterator[ReplicatedCluster]:
    if "postgresql" not in DATABASES:
        pytest.skip("PostgreSQL-only (TEST_DATABASES excludes it)")
    try:
        made = replicated_cluster()
    except (Unavailable, RuntimeError, OSError) as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"cannot make a streaming replica (REQUIRE_POSTGRES=1): {exc}")
        pytest.skip(f"cannot make a streaming replica here: {exc}")
    try:
        yield made
    finally:
        made.remove()


async def _sql(dsn: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def database(cluster: ReplicatedCluster) -> str:
    run_in_thread(lambda: _sql(cluster.primary.dsn(), "CREATE DATABASE console"))
    return "console"


async def _started(settings: Any) -> tuple[FastAPI, Any]:
    app = create_app(settings)
    context = app.router.lifespan_context(app)
    await context.__aenter__()
    return app, context


@pytest.fixture
async def apps(cluster: ReplicatedCluster, database: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    settings = test_settings(cluster.primary.url(database),
                             database_read_url=cluster.standby.url(database))
    writer, writer_life = await _started(settings)
    reader, reader_life = await _started(settings)
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://test")
               for a in (writer, reader)]
    try:
        yield clients[0], clients[1]
    finally:
        for c in clients:
            await c.aclose()
        await reader_life.__aexit__(None, None, None)
        await writer_life.__aexit__(None, None, None)


def routing(client: httpx.AsyncClient) -> ReadRouting:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    reads: ReadRouting = transport.app.state.reads  # type: ignore[attr-defined]
    return reads


async def sign_in(client: httpx.AsyncClient) -> dict[str, str]:
    r = await client.post("/auth/login", json={"username": "avery", "password": "demo123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def replayed_to(cluster: ReplicatedCluster, database: str, position: str) -> None:
    """Until the standby has replayed `position` (bounded)."""
    dsn = cluster.standby.dsn(database)
    for _ in range(1000):
        if await _sql(dsn, "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", position):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the standby never replayed {position}")


async def test_a_caller_reads_its_own_writes_through_another_api_replica(
        apps: tuple[httpx.AsyncClient, httpx.AsyncClient], cluster: ReplicatedCluster,
        database: str) -> None:
    a, b = apps
    auth = await sign_in(a)
    reads = routing(b)
    stale: list[str] = []
    incident_id = 0
    caught_up = 0
    for trial in range(TRIALS):
        if trial % 2 == 0:
            r = await a.post("/incidents", headers=auth, json={
                "title": f"Replica trial {trial}", "severity": "SEV3", "service_id": 1})
            assert r.status_code == 201, r.text
            incident_id, expected = r.json()["id"], f"Replica trial {trial}"
        else:
            r = await a.post(f"/incidents/{incident_id}/comments", headers=auth,
                             json={"body": f"Comment {trial}"})
            assert r.status_code == 201, r.text
            expected = f"Comment {trial}"
        position = r.headers[HEADER]
        assert r.headers["set-cookie"].startswith(f"{COOKIE}={position};")
        if trial % CAUGHT_UP_EVERY == 0:
            await replayed_to(cluster, database, position)
            await asyncio.sleep(REPLAY_CACHE_SECONDS)  # B's cached replay position is old now
            caught_up += 1
        # Half carry the header (the console), half the cookie (a browser, a curl jar).
        carried = ({HEADER: position} if trial % 4 < 2 else {"Cookie": f"{COOKIE}={position}"})
        headers = {**auth, **carried}
        if trial % 2 == 0:
            detail = await b.get(f"/incidents/{incident_id}", headers=headers)
            listed = await b.get("/incidents", headers=headers, params={"limit": 5})
            if detail.status_code != 200 or detail.json()["title"] != expected:
                stale.append(f"detail {trial}: {detail.status_code}")
            if listed.status_code != 200 or incident_id not in [i["id"] for i in listed.json()["items"]]:
                stale.append(f"list {trial}: {listed.status_code}")
        else:
            events = await b.get(f"/incidents/{incident_id}/events", headers=headers)
            if events.status_code != 200 or expected not in [e["body"] for e in events.json()]:
                stale.append(f"timeline {trial}: {events.status_code}")
    assert stale == []
    assert reads.healthy
    # The replica did answer: at least every read after a trial that waited for it.
    assert reads.served["replica"] >= caught_up * 2
    assert reads.served["primary"] + reads.served["replica"] >= TRIALS * 3 // 2


async def test_a_paused_replica_serves_only_reads_that_need_nothing_newer(
        apps: tuple[httpx.AsyncClient, httpx.AsyncClient], cluster: ReplicatedCluster,
        database: str) -> None:
    a, b = apps
    auth = await sign_in(a)
    standby = cluster.standby.dsn(database)
    reads = routing(b)
    await _sql(standby, "SELECT pg_wal_replay_pause()")
    try:
        r = await a.post("/incidents", headers=auth, json={
            "title": "Written while the replica waits", "severity": "SEV2", "service_id": 1})
        assert r.status_code == 201, r.text
        new_id, position = r.json()["id"], r.headers[HEADER]
        before = dict(reads.served)
        # With the position: the primary answers, the write is there.
        mine = await b.get(f"/incidents/{new_id}", headers={**auth, HEADER: position})
        assert mine.status_code == 200 and mine.json()["title"] == "Written while the replica waits"
        listed = await b.get("/incidents", headers={**auth, HEADER: position})
        assert new_id in [i["id"] for i in listed.json()["items"]]
        assert reads.served["primary"] == before["primary"] + 2
        # Without one: the paused replica answers, and it has not seen the write.
        theirs = await b.get(f"/incidents/{new_id}", headers=auth)
        assert theirs.status_code == 404
        others = await b.get("/incidents", headers=auth)
        assert new_id not in [i["id"] for i in others.json()["items"]]
        assert (await b.get("/metrics", headers=auth)).status_code == 200
        assert reads.served["replica"] == before["replica"] + 3
        # The lag, as /-/metrics reads it: WAL written and not replayed.
        await reads._check()
        assert reads.healthy
        assert replica_module.replica_lag_bytes() is not None
        assert (reads.lag_bytes or 0) > 0
        assert reads.lag_seconds is not None and reads.lag_seconds >= 0
        scrape = (await b.get("/-/metrics")).text
        lag = [line for line in scrape.splitlines() if line.startswith("replica_lag_bytes ")]
        assert lag and float(lag[0].split()[1]) > 0, "the lag is on /-/metrics"
        assert any(line.startswith("replica_lag_seconds ") for line in scrape.splitlines())
    finally:
        await _sql(standby, "SELECT pg_wal_replay_resume()")
    await replayed_to(cluster, database, position)
    await asyncio.sleep(REPLAY_CACHE_SECONDS)
    now_mine = await b.get(f"/incidents/{new_id}", headers={**auth, HEADER: position})
    assert now_mine.status_code == 200
    assert reads.served["replica"] == before["replica"] + 4


async def test_a_bad_position_is_refused_naming_it(
        apps: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    _, b = apps
    auth = await sign_in(b)
    for headers, field in (({HEADER: "yesterday"}, HEADER), ({"Cookie": f"{COOKIE}=1/2/3"}, COOKIE)):
        r = await b.get("/incidents", headers={**auth, **headers})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field


async def test_reads_fall_back_to_the_primary_while_the_replica_is_down(
        apps: tuple[httpx.AsyncClient, httpx.AsyncClient], cluster: ReplicatedCluster) -> None:
    a, b = apps
    auth = await sign_in(a)
    reads = routing(b)
    r = await a.post("/incidents", headers=auth, json={
        "title": "Before the replica stops", "severity": "SEV3", "service_id": 1})
    incident_id, position = r.json()["id"], r.headers[HEADER]
    cluster.standby.stop("immediate")
    try:
        paths = (f"/incidents/{incident_id}", "/incidents", f"/incidents/{incident_id}/events",
                 f"/incidents/{incident_id}/rca", "/metrics", f"/incidents/{incident_id}/report.md")
        for path in paths:
            # As if the breaker had not opened yet: the read meets the dead replica, and is
            # answered by the primary (the RCA: 404, there is none, as on the primary).
            reads.healthy = True
            for headers in (auth, {**auth, HEADER: position}):
                answer = await b.get(path, headers=headers)
                assert answer.status_code == (404 if path.endswith("/rca") else 200), (path, answer.text)
                assert not reads.healthy, path
        assert not reads.healthy  # the breaker is open: requests no longer try the replica
        tried = dict(reads.served)
        assert (await b.get("/incidents", headers=auth)).status_code == 200
        assert reads.served["primary"] == tried["primary"] + 1
        await reads._check()
        assert not reads.healthy and reads.lag_seconds is None
    finally:
        cluster.standby.start()
    for _ in range(100):  # the monitor's next check finds it again
        await reads._check()
        if reads.healthy:
            break
        await asyncio.sleep(0.1)
    assert reads.healthy
    tried = dict(reads.served)
    assert (await b.get("/incidents", headers=auth)).status_code == 200
    assert reads.served["replica"] == tried["replica"] + 1


def test_positions_read_as_postgresql_writes_them() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert parse_lsn("0/0") == 0
    with pytest.raises(ValueError):
        parse_lsn("16/B374D848/1")
