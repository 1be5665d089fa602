"""Tamper-evident timeline: each event's hash chains to the incident's previous event,
GET /incidents/{id}/audit names the first broken link, no route edits or deletes an event,
and the database itself refuses UPDATE and DELETE on the events table. The incident row's
checkpoint shows truncation; signed with AUDIT_CHECKPOINT_KEY it shows re-chaining; the
newest event vouches for the incident's lifecycle times and RCA text."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db import Database
from app.domain.audit import event_hash
from app.main import create_app
from tests.conftest import test_settings

NEW = {"title": "Audit me", "severity": "SEV2", "service_id": 1}


async def _busy_incident(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    ident: int = (await client.post("/incidents", json=NEW, headers=headers)).json()["id"]
    await client.post(f"/incidents/{ident}/status", json={"status": "Investigating"},
                      headers=headers)
    await client.post(f"/incidents/{ident}/comments", json={"body": "Looking at graphs"},
                      headers=headers)
    await client.patch(f"/incidents/{ident}", json={"severity": "SEV1"}, headers=headers)
    await client.put(f"/incidents/{ident}/rca", json={"root_cause": "Bad deploy"},
                     headers=headers)
    await client.post(f"/incidents/{ident}/comments", json={"body": "Rolled back \u2714 \U0001F680"},
                      headers=headers)
    return ident


async def _audit(client: httpx.AsyncClient, headers: dict[str, str], ident: int) -> dict[str, Any]:
    response = await client.get(f"/incidents/{ident}/audit", headers=headers)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def _as_dba(db: Database, statement: str, **params: Any) -> None:
    """What someone with a SQL console and the table owner's rights could do. On SQLite the
    transaction takes the write lock at BEGIN (IMMEDIATE): begun as a read (a DROP TRIGGER IF
    EXISTS of a trigger already gone writes nothing), it could not become a write once the
    app's background work had committed meanwhile ("database is locked", at once)."""
    async with db.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(statement), params)
        else:
            await conn.execute(text("DROP TRIGGER IF EXISTS incident_events_no_update"))
            await conn.execute(text("DROP TRIGGER IF EXISTS incident_events_no_delete"))
            await conn.execute(text(statement), params)


async def test_an_untouched_timeline_verifies(
    client: httpx.AsyncClient, responder: dict[str, str], viewer: dict[str, str]
) -> None:
    ident = await _busy_incident(client, responder)
    events = (await client.get(f"/incidents/{ident}/events", headers=viewer)).json()
    report = await _audit(client, viewer, ident)
    assert report["verified"] is True, report
    assert report["event_count"] == len(events) == 6
    assert report["first_broken_event_id"] is None and report["reason"] is None
    assert len(report["head_hash"]) == 64
    seeded = await _audit(client, viewer, 1)
    assert seeded["verified"] is True, seeded
    assert (await client.get("/incidents/999/audit", headers=viewer)).status_code == 404
    assert (await client.get(f"/incidents/{ident}/audit")).status_code == 401


async def test_altered_event_is_named(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database
) -> None:
    ident = await _busy_incident(client, responder)
    events = (await client.get(f"/incidents/{ident}/events", headers=responder)).json()
    target = events[2]
    await _as_dba(db, "UPDATE incident_events SET body = 'Nothing to see' WHERE id = :id",
                  id=target["id"])
    report = await _audit(client, responder, ident)
    assert report["verified"] is False
    assert report["first_broken_event_id"] == target["id"]
    assert "altered" in report["reason"]


async def test_altered_time_or_author_is_named(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database
) -> None:
    ident = await _busy_incident(client, responder)
    events = (await client.get(f"/incidents/{ident}/events", headers=responder)).json()
    await _as_dba(db, "UPDATE incident_events SET created_by = NULL WHERE id = :id",
                  id=events[1]["id"])
    report = await _audit(client, responder, ident)
    assert report["first_broken_event_id"] == events[1]["id"]


async def test_removed_event_is_named(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database
) -> None:
    ident = await _busy_incident(client, responder)
    events = (await client.get(f"/incidents/{ident}/events", headers=responder)).json()
    await _as_dba(db, "DELETE FROM incident_events WHERE id = :id", id=events[3]["id"])
    report = await _audit(client, responder, ident)
    assert report["verified"] is False
    assert report["first_broken_event_id"] == events[4]["id"]
    assert "removed" in report["reason"]


async def test_the_database_refuses_update_and_delete(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database
) -> None:
    ident = await _busy_incident(client, responder)
    for statement in ("UPDATE incident_events SET body = 'x' WHERE incident_id = :i",
                      "DELETE FROM incident_events WHERE incident_id = :i"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as conn:
                await conn.execute(text(statement), {"i": ident})
    assert (await _audit(client, responder, ident))["verified"] is True


# An event's star is its own record (incident_event_stars), never the event: starring leaves the
# events and their chain as they were (tests/api/test_event_stars.py holds it to that).
STAR = "/incidents/{incident_id}/events/{event_id}/star"


def test_no_route_edits_or_deletes_an_event(app: FastAPI) -> None:
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute) and route.path.startswith("/incidents"):
            if route.path == STAR:
                assert route.methods <= {"PUT", "DELETE"}, (route.path, route.methods)
                continue
            assert not route.methods & {"PUT", "PATCH", "DELETE"} or "event" not in route.path
            assert "DELETE" not in route.methods, route.path
            if "event" in route.path:
                assert route.methods <= {"GET", "HEAD"}, (route.path, route.methods)


async def test_chain_holds_under_concurrent_writers_and_alert_batches(
    client: httpx.AsyncClient, responder: dict[str, str], sql: Callable[..., Any]
) -> None:
    ident = (await client.post("/incidents", json=NEW, headers=responder)).json()["id"]
    writes = [client.post(f"/incidents/{ident}/comments", json={"body": f"note {i}"},
                          headers=responder) for i in range(25)]
    alerts = [{"title": f"Alert {i % 3}", "severity": "SEV3", "service": "checkout-api",
               "dedup_key": f"audit-{i % 3}"} for i in range(6)]
    writes += [client.post("/alerts", json=alerts, headers=responder) for _ in range(5)]
    first = await asyncio.wait_for(asyncio.gather(*writes), 60)
    # Then triggers, acknowledgements and resolutions racing on the same alerts and incidents.
    storm = []
    for i in range(24):
        action = ("trigger", "acknowledge", "resolve")[i % 3]
        event: dict[str, Any] = {"event_action": action, "dedup_key": f"audit-pd-{i % 2}"}
        if action == "trigger":
            event["payload"] = {"summary": f"PD {i % 2}", "source": "db-1", "severity": "error",
                                "group": "checkout-api"}
        storm.append(client.post("/alerts/events", json=event, headers=responder))
        storm.append(client.post("/alerts", json=alerts[: 1 + i % 3], headers=responder))
        storm.append(client.post(f"/incidents/{ident}/comments", json={"body": f"more {i}"},
                                 headers=responder))
    answers = first + await asyncio.wait_for(asyncio.gather(*storm), 90)
    assert all(a.status_code < 300 for a in answers), [a.text for a in answers if a.status_code >= 300]
    rows = await sql("SELECT DISTINCT incident_id FROM incident_events")
    for (incident_id,) in rows:
        report = await _audit(client, responder, incident_id)
        assert report["verified"] is True, (incident_id, report)


CHECKPOINT_KEY = "a checkpoint key that lives in the app's environment, not its database"


@pytest.fixture
async def keyed(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], Database]]:
    """The app with AUDIT_CHECKPOINT_KEY set: a responder's client and the database."""
    application = create_app(test_settings(database_url, audit_checkpoint_key=CHECKPOINT_KEY))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            token = (await c.post("/auth/login", json={"username": "avery", "password": "demo123"})
                     ).json()["access_token"]
            yield c, {"Authorization": f"Bearer {token}"}, application.state.db


async def _rows(db: Database, statement: str, **params: Any) -> list[Any]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(text(statement), params)).all())


async def _truncate(db: Database, ident: int, newest: int) -> list[Any]:
    """Delete the incident's `newest` events as a DBA would; the remaining rows."""
    events = await _rows(db, "SELECT id FROM incident_events WHERE incident_id = :i ORDER BY id",
                         i=ident)
    for (event_id,) in events[-newest:]:
        await _as_dba(db, "DELETE FROM incident_events WHERE id = :id", id=event_id)
    return await _rows(db, "SELECT id, hash FROM incident_events WHERE incident_id = :i "
                           "ORDER BY id", i=ident)


async def _rechain(db: Database, ident: int, new_body: str) -> str:
    """Alter the incident's second event and recompute every hash after it with the public
    algorithm, as someone with SQL rights but not the key could; the new head."""
    rows = await _rows(db, "SELECT id, type, body, data, created_by, created_at, prev_hash, "
                           "state_hash FROM incident_events WHERE incident_id = :i ORDER BY id",
                       i=ident)
    head = rows[0].prev_hash
    for index, r in enumerate(rows):
        body = new_body if index == 1 else r.body
        data = r.data if isinstance(r.data, dict) else json.loads(r.data)
        created_at = (datetime.fromisoformat(r.created_at)
                      if isinstance(r.created_at, str) else r.created_at)
        if created_at.tzinfo is None:  # SQLite keeps naive UTC
            created_at = created_at.replace(tzinfo=UTC)
        digest = event_hash(head, incident_id=ident, type=r.type, body=body, data=data,
                            created_by=r.created_by, created_at=created_at,
                            state_hash=r.state_hash)
        await _as_dba(db, "UPDATE incident_events SET body = :b, prev_hash = :p, hash = :h "
                          "WHERE id = :id", b=body, p=head, h=digest, id=r.id)
        head = digest
    return head


async def test_truncation_is_named(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database
) -> None:
    ident = await _busy_incident(client, responder)
    remaining = await _truncate(db, ident, newest=2)
    assert len(remaining) == 4
    report = await _audit(client, responder, ident)
    assert report["verified"] is False, report
    assert "truncated" in report["reason"] and "6" in report["reason"], report
    assert report["event_count"] == 4


async def test_a_recomputed_chain_is_named(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database
) -> None:
    ident = await _busy_incident(client, responder)
    await _rechain(db, ident, "Nothing to see")
    report = await _audit(client, responder, ident)
    assert report["verified"] is False, report
    assert "re-chained" in report["reason"], report


async def test_rechaining_and_truncation_with_the_checkpoint_rewritten_are_named_with_the_key(
    keyed: tuple[httpx.AsyncClient, dict[str, str], Database]
) -> None:
    client, responder, db = keyed
    ident = await _busy_incident(client, responder)
    assert (await _audit(client, responder, ident))["verified"] is True
    head = await _rechain(db, ident, "Nothing to see")
    await _as_dba(db, "UPDATE incidents SET chain_head = :h WHERE id = :i", h=head, i=ident)
    report = await _audit(client, responder, ident)
    assert report["verified"] is False, report
    assert "signature" in report["reason"] and "re-chained" in report["reason"], report
    # A later, legitimate event does not sign over the rewrite.
    comment = await client.post(f"/incidents/{ident}/comments", json={"body": "later"},
                                headers=responder)
    assert comment.status_code == 201
    assert (await _audit(client, responder, ident))["verified"] is False

    other = await _busy_incident(client, responder)
    remaining = await _truncate(db, other, newest=2)
    await _as_dba(db, "UPDATE incidents SET chain_head = :h, event_count = :n WHERE id = :i",
                  h=remaining[-1].hash, n=len(remaining), i=other)
    report = await _audit(client, responder, other)
    assert report["verified"] is False and "signature" in report["reason"], report
    await _as_dba(db, "UPDATE incidents SET chain_mac = NULL WHERE id = :i", i=other)
    report = await _audit(client, responder, other)
    assert report["verified"] is False and "not signed" in report["reason"], report


@pytest.mark.parametrize("change", [
    "UPDATE incidents SET acknowledged_at = created_at WHERE id = :i",
    "UPDATE incidents SET status = 'Resolved' WHERE id = :i",
    "UPDATE rcas SET root_cause = 'Cosmic rays' WHERE incident_id = :i",
])
async def test_lifecycle_times_and_rca_text_changed_outside_the_timeline_are_named(
    client: httpx.AsyncClient, responder: dict[str, str], db: Database, change: str
) -> None:
    ident = await _busy_incident(client, responder)
    await _as_dba(db, change, i=ident)
    report = await _audit(client, responder, ident)
    assert report["verified"] is False, report
    assert "outside the timeline" in report["reason"], report


async def test_without_the_key_the_app_says_checkpoints_are_unsigned(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    for key, warned in ((None, True), (CHECKPOINT_KEY, False)):
        caplog.clear()
        application = create_app(test_settings(database_url, audit_checkpoint_key=key))
        with caplog.at_level(logging.WARNING):
            async with application.router.lifespan_context(application):
                pass
        said = any("AUDIT_CHECKPOINT_KEY" in r.getMessage() and "unsigned" in r.getMessage()
                   for r in caplog.records)
        assert said is warned, (key, [r.getMessage() for r in caplog.records])


async def test_every_incident_verifies_under_the_key(
    keyed: tuple[httpx.AsyncClient, dict[str, str], Database]
) -> None:
    client, responder, _ = keyed
    ident = await _busy_incident(client, responder)
    moved = await client.post(f"/incidents/{ident}/status", json={"status": "Mitigated"},
                              headers=responder)
    assert moved.status_code == 200, moved.text
    report = await _audit(client, responder, ident)
    assert report["verified"] is True and report["event_count"] == 7, report
