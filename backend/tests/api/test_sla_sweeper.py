"""The SLA sweeper writes each at-risk and breach notice exactly once per target and
incident: on repeated and concurrent sweeps, across app instances, and in the background."""

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.main import create_app
from app.models import Incident
from app.services.sla.sweeper import SlaSweeper, sweep
from tests.conftest import test_settings

Headers = dict[str, str]


async def open_sev1(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    services = (await client.get("/services", headers=headers)).json()
    checkout = next(s["id"] for s in services if s["name"] == "checkout-api")
    response = await client.post("/incidents", headers=headers, json={
        "title": "Checkout down", "severity": "SEV1", "service_id": checkout})
    assert response.status_code == 201, response.text
    incident: dict[str, Any] = response.json()
    return incident


async def notices(client: httpx.AsyncClient, headers: Headers, incident_id: int) -> list[str]:
    timeline = (await client.get(f"/incidents/{incident_id}/events", headers=headers)).json()
    return [e["data"]["kind"] for e in timeline if e["type"] in ("sla_breach", "sla_at_risk")]


def at(incident: dict[str, Any], minutes: float) -> datetime:
    return datetime.fromisoformat(incident["created_at"]) + timedelta(minutes=minutes)


async def test_each_notice_fires_once_as_time_passes(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    incident = await open_sev1(client, responder)  # checkout-api SEV1: ack 5 min, resolve 30 min
    db = app.state.db
    assert await notices(client, responder, incident["id"]) == []
    await sweep(db, at(incident, 4))
    await sweep(db, at(incident, 4.5))
    assert await notices(client, responder, incident["id"]) == ["ack_at_risk"]
    await asyncio.gather(*(sweep(db, at(incident, 6)) for _ in range(5)))
    assert await notices(client, responder, incident["id"]) == ["ack_at_risk", "ack_breach"]
    await sweep(db, at(incident, 23))
    await sweep(db, at(incident, 31))
    await sweep(db, at(incident, 32))
    kinds = await notices(client, responder, incident["id"])
    assert kinds == ["ack_at_risk", "ack_breach", "resolve_at_risk", "resolve_breach"]
    timeline = (await client.get(f"/incidents/{incident['id']}/events", headers=responder)).json()
    breach = next(e for e in timeline if e["data"].get("kind") == "ack_breach")
    assert breach["type"] == "sla_breach" and breach["body"] == "Acknowledgement SLA breached"
    # The due time travels as data, so each reader shows it in their own zone.
    assert not any(ch.isdigit() for e in timeline if e["type"] in ("sla_breach", "sla_at_risk") for ch in e["body"])
    assert breach["data"]["due_at"] == datetime.fromisoformat(incident["sla"]["ack_due_at"]).isoformat()


async def test_a_met_target_gets_no_notice(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    incident = await open_sev1(client, responder)
    moved = await client.post(f"/incidents/{incident['id']}/status", headers=responder,
                              json={"status": "Investigating"})
    assert moved.status_code == 200
    await sweep(app.state.db, at(incident, 6))
    assert await notices(client, responder, incident["id"]) == []


@pytest.mark.postgres_only
async def test_two_app_instances_on_one_postgres_sweep_once(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, database_url: str
) -> None:
    incident = await open_sev1(client, responder)
    other = create_app(test_settings(database_url, sla_sweep_seconds=0))
    async with other.router.lifespan_context(other):
        dbs = [app.state.db, other.state.db]
        written = await asyncio.gather(*(sweep(dbs[i % 2], at(incident, 40)) for i in range(10)))
        first, second = SlaSweeper(app.state.db, 1), SlaSweeper(other.state.db, 1)
        try:
            assert [await first.is_leader(), await second.is_leader()] == [True, False]
            assert await first.is_leader(), "the leader stays leader"
            await first.stop()
            assert await second.is_leader(), "another replica takes over when the leader goes"
        finally:
            await first.stop()
            await second.stop()
    kinds = Counter(await notices(client, responder, incident["id"]))
    assert kinds == {"ack_breach": 1, "resolve_breach": 1}
    assert sum(written) == 3, "both breaches here, and the seeded incident's resolve breach"


async def test_the_background_sweeper_runs_from_the_lifespan(database_url: str) -> None:
    application = create_app(test_settings(database_url, sla_sweep_seconds=0.05))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            token = (await client.post("/auth/login", json={"username": "avery", "password": "demo123"})).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            incident = await open_sev1(client, headers)
            past = datetime.fromisoformat(incident["created_at"]) - timedelta(hours=1)
            async with application.state.db.transaction() as session:
                await session.execute(update(Incident).where(Incident.id == incident["id"]).values(
                    ack_due_at=past, ack_at_risk_at=past, resolve_due_at=past, resolve_at_risk_at=past))
            for _ in range(100):
                if len(await notices(client, headers, incident["id"])) == 2:
                    break
                await asyncio.sleep(0.05)
            assert sorted(await notices(client, headers, incident["id"])) == ["ack_breach", "resolve_breach"]
            breached = (await client.get("/incidents", headers=headers, params={"sla_state": "breached"})).json()
            assert incident["id"] in [i["id"] for i in breached["items"]]
            on_track = (await client.get("/incidents", headers=headers, params={"sla_state": "on_track"})).json()
            assert incident["id"] not in [i["id"] for i in on_track["items"]]
