"""Similar past incidents on both databases: ranking, boosts, earlier only, bounds, roles,
and the title index following edits (PostgreSQL's trigram index, SQLite's FTS5 triggers)."""

import itertools
import json
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.domain import similarity
from app.infra.rows import SessionReader
from app.services.incidents.similar import candidates_statement, titles_statement
from tests.api.test_lifecycle_api import new_incident


async def open_(client: httpx.AsyncClient, headers: dict[str, str], title: str, **extra: object) -> int:
    return int((await new_incident(client, headers, title=title, **extra))["id"])


async def similar(client: httpx.AsyncClient, headers: dict[str, str], iid: int, **params: object) -> list[dict]:
    r = await client.get(f"/incidents/{iid}/similar", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def write_rca(client: httpx.AsyncClient, headers: dict[str, str], iid: int, root_cause: str,
                    corrective_actions: str = "Raised the pool size.") -> None:
    r = await client.put(f"/incidents/{iid}/rca", headers=headers, json={
        "root_cause": root_cause, "corrective_actions": corrective_actions})
    assert r.status_code in (200, 201), r.text


async def test_the_obviously_similar_past_incident_ranks_first(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    twin = await open_(client, admin, "Payments API 502 errors from the card gateway",
                       description="Card authorisations failing with 502 from the gateway.",
                       service_id=2)
    await open_(client, admin, "Search index rebuild stuck", service_id=3)
    await open_(client, admin, "Payments dashboard slow to load", service_id=2)
    await open_(client, admin, "Login page 502 errors", service_id=4)
    current = await open_(client, admin, "Payments API 502 errors from card gateway",
                          description="Card authorisations fail with 502 from the gateway.",
                          service_id=2)
    items = await similar(client, admin, current)
    assert items[0]["incident"]["id"] == twin
    assert items[0]["score"] > 0.7
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(items))
    ids = [i["incident"]["id"] for i in items]
    assert current not in ids
    assert all(similarity.similarity(i["incident"]["title"], "Payments API 502 errors from card gateway")
               >= similarity.CANDIDATE_SIMILARITY for i in items)
    first = items[0]["incident"]
    assert {"id", "title", "status", "severity", "service_name", "created_at", "sla"} <= set(first)
    assert items[0]["root_cause"] is None and items[0]["corrective_actions"] is None


async def test_same_service_and_a_root_cause_rank_higher(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    other_service = await open_(client, admin, "Queue consumer lag above threshold", service_id=3)
    same_service = await open_(client, admin, "Queue consumer lag above threshold", service_id=1)
    items = await similar(client, admin,
                          await open_(client, admin, "Queue consumer lag above threshold", service_id=1))
    assert [i["incident"]["id"] for i in items] == [same_service, other_service]
    assert items[0]["score"] > items[1]["score"]

    await write_rca(client, admin, other_service, "A poison message blocked the partition.",
                    "Dead-lettered poison messages.")
    items = await similar(client, admin,
                          await open_(client, admin, "Queue consumer lag above threshold", service_id=2))
    assert items[0]["incident"]["id"] == other_service
    assert items[0]["root_cause"] == "A poison message blocked the partition."
    assert items[0]["corrective_actions"] == "Dead-lettered poison messages."
    scores = {i["incident"]["id"]: i["score"] for i in items}
    assert scores[other_service] > scores[same_service]


async def test_only_earlier_incidents_never_itself(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    first = await open_(client, admin, "Redis memory usage above 90 percent")
    middle = await open_(client, admin, "Redis memory usage above 90 percent")
    last = await open_(client, admin, "Redis memory usage above 90 percent")
    assert [i["incident"]["id"] for i in await similar(client, admin, middle)] == [first]
    assert await similar(client, admin, first) == []
    assert [i["incident"]["id"] for i in await similar(client, admin, last)] == [middle, first]


async def test_a_repeated_title_gives_its_latest_and_near_titles_are_found_too(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """Titles repeat (an alert rule opens the same one again and again): candidates are read
    per distinct title, the latest first, and a nearby title's incidents are not crowded out."""
    same = [await open_(client, admin, "Ledger export lag above 3 hours", service_id=2) for _ in range(6)]
    near = [await open_(client, admin, "Ledger export lag above 5 hours", service_id=2) for _ in range(3)]
    await open_(client, admin, "Search index rebuild stuck", service_id=3)
    current = await open_(client, admin, "Ledger export lag above 3 hours", service_id=2)
    ids = [i["incident"]["id"] for i in await similar(client, admin, current, limit=10)]
    assert ids == [*reversed(same), *reversed(near)]
    assert [i["incident"]["id"] for i in await similar(client, admin, current, limit=2)] == same[:-3:-1]


async def test_limit_bounds_unknown_incident_and_roles(
    client: httpx.AsyncClient, admin: dict[str, str], viewer: dict[str, str]
) -> None:
    for _ in range(4):
        await open_(client, admin, "Kafka broker disk almost full")
    last = await open_(client, admin, "Kafka broker disk almost full")
    assert len(await similar(client, viewer, last)) == 4
    assert len(await similar(client, viewer, last, limit=2)) == 2
    assert len(await similar(client, viewer, last, limit=50)) == 4
    for bad in (0, 51, -1, "five"):
        r = await client.get(f"/incidents/{last}/similar", headers=admin, params={"limit": bad})
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"] == ["query", "limit"]
    r = await client.get("/incidents/999999/similar", headers=admin)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert (await client.get(f"/incidents/{last}/similar")).status_code == 401


async def test_edited_titles_descriptions_and_impact_are_reindexed(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    past = await new_incident(client, admin, title="Nightly backup job failed")
    current = await open_(client, admin, "Certificate for api.example.com expires in 3 days",
                          description="The TLS certificate renewal did not run.")
    assert await similar(client, admin, current) == []

    r = await client.patch(f"/incidents/{past['id']}", headers={**admin, "If-Match": str(past["version"])},
                           json={"title": "Certificate for api.example.com expires in 5 days"})
    assert r.status_code == 200, r.text
    [found] = await similar(client, admin, current)
    assert found["incident"]["id"] == past["id"]
    before = found["score"]

    r = await client.patch(f"/incidents/{past['id']}", headers={**admin, "If-Match": str(r.json()["version"])},
                           json={"description": "The TLS certificate renewal did not run.",
                                 "impact": "Clients will fail TLS handshakes."})
    assert r.status_code == 200, r.text
    [found] = await similar(client, admin, current)
    assert found["score"] > before
    assert found["incident"]["description"] == "The TLS certificate renewal did not run."

    r = await client.patch(f"/incidents/{past['id']}", headers={**admin, "If-Match": str(r.json()["version"])},
                           json={"title": "Nightly backup job failed again"})
    assert r.status_code == 200, r.text
    assert await similar(client, admin, current) == []


async def test_python_similarity_is_pg_trgm_similarity(database_url: str) -> None:
    """domain/similarity.py reproduces pg_trgm, so PostgreSQL's candidates and the score agree."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_trgm is PostgreSQL's")
    pairs = [("Checkout p99 latency above 3s", "Checkout p99 latency above 5s"),
             ("Payments API 502 errors", "payments-api: 502 Bad Gateway!"),
             ("Disk full", "Login failures at 4%"), ("a", "a"), ("", "x"),
             ("Search p95 latency above 400 ms", "Search p95 latency above 900 ms")]
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            for a, b in pairs:
                pg = (await conn.execute(text("SELECT similarity(:a, :b)"), {"a": a, "b": b})).scalar_one()
                assert similarity.similarity(a, b) == pytest.approx(pg, abs=1e-6), (a, b)
    finally:
        await engine.dispose()


async def test_the_lookups_are_index_scans_on_postgresql(database_url: str) -> None:
    """The nearest distinct titles walk the GiST trigram index (nearest first), and each
    title's latest earlier incidents come from the B-tree on (lower(title), created_at)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("EXPLAIN of PostgreSQL's plan")
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SET enable_seqscan = off"))  # tiny tables: show the big ones' plans
            reader = SessionReader(conn)
            titles = json.dumps(await reader.explain(titles_statement(True), title="Disk full"))
            latest = json.dumps(await reader.explain(
                candidates_statement(2), t0="disk full", t1="disk full on db", before=datetime.now(UTC),
                incident_id=1, per_title=10))
        assert '"Index Name": "ix_similar_titles_trgm"' in titles, titles
        assert "<->" in titles and "%" in titles, titles
        assert latest.count('"Index Name": "ix_incidents_title_created"') == 2, latest
    finally:
        await engine.dispose()
