"""Tamper-evident timeline: each event's hash chains to the incident's previous event,
GET /incidents/{id}/audit names the first broken link, no route edits or deletes an event,
and the database itself refuses UPDATE and DELETE on the events table."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db import Database

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
    """What someone with a SQL console and the table owner's rights could do."""
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(statement), params)
        else:
            await conn.execute(text("DROP TRIGGER incident_events_no_update"))
            await conn.execute(text("DROP TRIGGER incident_events_no_delete"))
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


def test_no_route_edits_or_deletes_an_event(app: FastAPI) -> None:
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute) and route.path.startswith("/incidents"):
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
