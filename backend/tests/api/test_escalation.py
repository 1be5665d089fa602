"""Escalation on a missed acknowledgement: a service's policy (admin only, validated, naming
channels that exist), and the sweep that writes one `escalated` event per step to incidents
still New, at the step's time, exactly once across concurrent sweeps and replicas, none once
acknowledged, and whose deliveries reach exactly the step's channels."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.main import create_app
from app.models import Incident
from app.services.sla.escalation import escalate
from tests.conftest import test_settings
from tests.notification_sink import Sink

Headers = dict[str, str]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    # No sending (the channels point nowhere), except where a test starts its own app and sink.
    application = create_app(test_settings(database_url, notification_poll_seconds=0))
    async with application.router.lifespan_context(application):
        yield application


POLICY = {sev: {"ack_minutes": 30, "resolve_minutes": 240} for sev in ("SEV1", "SEV2", "SEV3", "SEV4")}


async def service_id(client: httpx.AsyncClient, admin: Headers, name: str = "ledger") -> int:
    """A new service (the seeded ones hold the demo's live incident)."""
    made = await client.post("/services", headers=admin, json={
        "name": name, "owner_team": "Finance", "sla_policy": POLICY})
    assert made.status_code == 201, made.text
    assert made.json()["escalation_policy"] == []
    return int(made.json()["id"])


async def set_policy(client: httpx.AsyncClient, admin: Headers, service: int,
                     policy: list[dict[str, Any]]) -> httpx.Response:
    return await client.patch(f"/services/{service}", headers=admin, json={"escalation_policy": policy})


async def channels(client: httpx.AsyncClient, admin: Headers, count: int,
                   url: str = "http://127.0.0.1:9/hook", events: list[str] | None = None) -> list[int]:
    """New webhook channels a policy may name (hearing nothing of their own unless told)."""
    ids = []
    for _ in range(count):
        made = await client.post("/notification-channels", headers=admin, json={
            "name": f"hook {uuid.uuid4().hex[:8]}", "kind": "webhook", "url": url,
            "events": events or []})
        assert made.status_code == 201, made.text
        ids.append(int(made.json()["id"]))
    return ids


async def open_incident(client: httpx.AsyncClient, headers: Headers, service: int,
                        severity: str = "SEV2") -> dict[str, Any]:
    response = await client.post("/incidents", headers=headers, json={
        "title": "Checkout slow", "severity": severity, "service_id": service})
    assert response.status_code == 201, response.text
    incident: dict[str, Any] = response.json()
    return incident


async def escalations(client: httpx.AsyncClient, headers: Headers, incident_id: int) -> list[dict[str, Any]]:
    timeline = (await client.get(f"/incidents/{incident_id}/events", headers=headers)).json()
    return [e for e in timeline if e["type"] == "escalated"]


def at(incident: dict[str, Any], minutes: float) -> datetime:
    return datetime.fromisoformat(incident["created_at"]) + timedelta(minutes=minutes)


async def test_each_step_fires_once_at_its_time(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    service = await service_id(client, admin)
    a, b, c = await channels(client, admin, 3)
    policy = [{"after_minutes": 5, "channel_ids": [a]}, {"after_minutes": 15, "channel_ids": [b, c]}]
    assert (await set_policy(client, admin, service, policy)).status_code == 200
    incident = await open_incident(client, responder, service)
    db = app.state.db

    assert await escalate(db, at(incident, 4.9)) == 0
    assert await escalations(client, responder, incident["id"]) == []
    assert await escalate(db, at(incident, 5)) == 1
    await escalate(db, at(incident, 6))
    await asyncio.gather(*(escalate(db, at(incident, 14)) for _ in range(5)))
    [first] = await escalations(client, responder, incident["id"])
    assert first["data"] == {"step": 0, "after_minutes": 5, "channel_ids": [a]}
    assert first["body"] == "Not acknowledged: escalated (step 1)"
    assert first["created_by_name"] is None

    await asyncio.gather(*(escalate(db, at(incident, 15.5)) for _ in range(5)))
    await escalate(db, at(incident, 600))
    steps = await escalations(client, responder, incident["id"])
    assert [e["data"] for e in steps] == [
        {"step": 0, "after_minutes": 5, "channel_ids": [a]},
        {"step": 1, "after_minutes": 15, "channel_ids": [b, c]},
    ]
    assert steps[1]["body"] == "Not acknowledged: escalated (step 2)"
    # The event is sealed into the incident's audit chain like any other.
    audit = (await client.get(f"/incidents/{incident['id']}/audit", headers=admin)).json()
    assert audit["verified"] is True and audit["event_count"] == 3


async def test_acknowledging_stops_further_steps(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    service = await service_id(client, admin)
    [a] = await channels(client, admin, 1)
    await set_policy(client, admin, service, [{"after_minutes": 5, "channel_ids": [a]},
                                              {"after_minutes": 10, "channel_ids": [a]}])
    incident = await open_incident(client, responder, service)
    await escalate(app.state.db, at(incident, 6))
    moved = await client.post(f"/incidents/{incident['id']}/status", headers=responder,
                              json={"status": "Investigating"})
    assert moved.status_code == 200, moved.text
    assert await escalate(app.state.db, at(incident, 60)) == 0
    assert [e["data"]["step"] for e in await escalations(client, responder, incident["id"])] == [0]


async def test_other_services_and_empty_policies_are_left_alone(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    checkout = await service_id(client, admin)
    other = await service_id(client, admin, "payouts")
    [a] = await channels(client, admin, 1)
    await set_policy(client, admin, checkout, [{"after_minutes": 30, "channel_ids": [a]}])
    await set_policy(client, admin, other, [{"after_minutes": 5, "channel_ids": [a]}])
    here = await open_incident(client, responder, checkout)
    there = await open_incident(client, responder, other)
    await escalate(app.state.db, at(here, 10))  # due on `other` (5 min), not on checkout (30)
    assert await escalations(client, responder, here["id"]) == []
    assert len(await escalations(client, responder, there["id"])) == 1
    await set_policy(client, admin, other, [])
    late = await open_incident(client, responder, other)
    assert await escalate(app.state.db, at(late, 600)) == 1, "only checkout's incident, now due"
    assert await escalations(client, responder, late["id"]) == []


async def test_a_policy_change_applies_to_incidents_still_new_without_repeating_steps(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    service = await service_id(client, admin)
    a, b = await channels(client, admin, 2)
    await set_policy(client, admin, service, [{"after_minutes": 5, "channel_ids": [a]}])
    incident = await open_incident(client, responder, service)
    await escalate(app.state.db, at(incident, 6))
    changed = await set_policy(client, admin, service, [{"after_minutes": 2, "channel_ids": [b]},
                                                        {"after_minutes": 20, "channel_ids": [b]}])
    assert changed.status_code == 200, changed.text
    assert await escalate(app.state.db, at(incident, 7)) == 0, "step 1 is done already"
    assert await escalate(app.state.db, at(incident, 21)) == 1
    steps = [e["data"] for e in await escalations(client, responder, incident["id"])]
    assert steps == [{"step": 0, "after_minutes": 5, "channel_ids": [a]},
                     {"step": 1, "after_minutes": 20, "channel_ids": [b]}]


async def test_the_policy_is_shown_and_set_by_admins_only(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, viewer: Headers
) -> None:
    service = await service_id(client, admin)
    assert (await client.get(f"/services/{service}", headers=viewer)).json()["escalation_policy"] == []
    [a] = await channels(client, admin, 1)
    policy = [{"after_minutes": 10, "channel_ids": [a]}]
    for who in (viewer, responder):
        refused = await set_policy(client, who, service, policy)
        assert refused.status_code == 403, refused.text
    assert (await client.get(f"/services/{service}", headers=admin)).json()["escalation_policy"] == []
    answered = await set_policy(client, admin, service, policy)
    assert answered.status_code == 200 and answered.json()["escalation_policy"] == policy
    shown = (await client.get(f"/services/{service}", headers=viewer)).json()
    assert shown["escalation_policy"] == policy
    assert [s["escalation_policy"] for s in (await client.get("/services", headers=viewer)).json()
            if s["id"] == service] == [policy]
    renamed = await client.patch(f"/services/{service}", headers=admin, json={"owner_team": "Payments"})
    assert renamed.json()["escalation_policy"] == policy, "a PATCH without it leaves it alone"
    cleared = await set_policy(client, admin, service, [])
    assert cleared.status_code == 200 and cleared.json()["escalation_policy"] == []


def step(after: Any, ids: Any) -> dict[str, Any]:
    return {"after_minutes": after, "channel_ids": ids}


@pytest.mark.parametrize("policy", [
    [step(m, [1]) for m in range(1, 12)],  # eleven steps
    [step(0, [1])],
    [step(10_081, [1])],
    [step(-5, [1])],
    [step(1.5, [1])],
    [step("5", [1])],
    [step(10, [1]), step(10, [1])],  # not strictly increasing
    [step(10, [1]), step(5, [1])],
    [step(10, [])],
    [step(10, [1, 1])],
    [step(10, [0])],
    [step(10, "1")],
    [{"after_minutes": 10}],
    [{"after_minutes": 10, "channel_ids": [1], "to": "everyone"}],
    {"after_minutes": 10, "channel_ids": [1]},
    "never",
])
async def test_an_invalid_policy_is_a_422_naming_it(
    client: httpx.AsyncClient, admin: Headers, policy: Any
) -> None:
    service = await service_id(client, admin)
    refused = await set_policy(client, admin, service, policy)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "validation_failed"
    assert all(error["loc"][:2] == ["body", "escalation_policy"] for error in body["detail"])
    assert (await client.get(f"/services/{service}", headers=admin)).json()["escalation_policy"] == []


async def test_channels_must_exist_and_a_channel_in_use_cannot_be_deleted(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    service = await service_id(client, admin)
    a, b = await channels(client, admin, 2)
    unknown = await set_policy(client, admin, service, [step(5, [a]), step(10, [b, 999_999])])
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["code"] == "invalid_request"
    assert unknown.json()["field"] == "escalation_policy" and "999999" in unknown.json()["detail"]
    assert (await set_policy(client, admin, service, [step(5, [a, b])])).status_code == 200
    refused = await client.delete(f"/notification-channels/{a}", headers=admin)
    assert refused.status_code == 409, refused.text
    assert "ledger" in refused.json()["detail"]
    assert (await client.get(f"/notification-channels/{a}", headers=admin)).status_code == 200
    assert (await set_policy(client, admin, service, [step(5, [b])])).status_code == 200
    assert (await client.delete(f"/notification-channels/{a}", headers=admin)).status_code == 204
    gone = await set_policy(client, admin, service, [step(5, [a])])
    assert gone.status_code == 422 and gone.json()["field"] == "escalation_policy"


async def test_ten_steps_a_week_apart_at_most_are_accepted(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    service = await service_id(client, admin)
    [a] = await channels(client, admin, 1)
    policy = [step(m, [a]) for m in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10_080)]
    answered = await set_policy(client, admin, service, policy)
    assert answered.status_code == 200, answered.text
    assert answered.json()["escalation_policy"] == policy


@pytest.mark.postgres_only
async def test_two_app_instances_on_one_postgres_escalate_once_per_step(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers, database_url: str
) -> None:
    service = await service_id(client, admin)
    a, b = await channels(client, admin, 2)
    await set_policy(client, admin, service, [step(5, [a]), step(15, [b])])
    incidents = [await open_incident(client, responder, service) for _ in range(3)]
    other = create_app(test_settings(database_url, notification_poll_seconds=0))
    async with other.router.lifespan_context(other):
        dbs = [app.state.db, other.state.db]
        written = await asyncio.gather(*(escalate(dbs[i % 2], at(incidents[-1], 20)) for i in range(10)))
    assert sum(written) == 6
    for incident in incidents:
        kinds = Counter(e["data"]["step"] for e in await escalations(client, responder, incident["id"]))
        assert kinds == {0: 1, 1: 1}


async def test_the_background_sweeper_escalates(database_url: str) -> None:
    application = create_app(test_settings(database_url, sla_sweep_seconds=0.05,
                                           notification_poll_seconds=0))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            async def sign_in(username: str) -> Headers:
                token = (await client.post("/auth/login", json={"username": username, "password": "demo123"})).json()
                return {"Authorization": f"Bearer {token['access_token']}"}

            admin, responder = await sign_in("jordan"), await sign_in("avery")
            service = await service_id(client, admin)
            [a] = await channels(client, admin, 1)
            await set_policy(client, admin, service, [step(1, [a])])
            incident = await open_incident(client, responder, service, severity="SEV4")
            async with application.state.db.transaction() as session:
                await session.execute(update(Incident).where(Incident.id == incident["id"]).values(
                    created_at=datetime.fromisoformat(incident["created_at"]) - timedelta(minutes=2)))
            for _ in range(100):
                if await escalations(client, responder, incident["id"]):
                    break
                await asyncio.sleep(0.05)
            assert [e["data"]["step"] for e in await escalations(client, responder, incident["id"])] == [0]


async def test_an_escalation_reaches_exactly_the_steps_channels(database_url: str) -> None:
    sink = await Sink().start()
    application = create_app(test_settings(database_url, notification_poll_seconds=0.05))
    try:
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                token = (await client.post("/auth/login", json={"username": "jordan", "password": "demo123"})).json()
                admin = {"Authorization": f"Bearer {token['access_token']}"}
                service = await service_id(client, admin)
                first, second = await channels(client, admin, 2, url=sink.url + "/step")
                # Hears every escalation it is subscribed to, but is in no step: hears none.
                await channels(client, admin, 1, url=sink.url + "/bystander",
                               events=["incident.escalated"])
                await set_policy(client, admin, service, [step(5, [first]), step(10, [first, second])])
                incident = await open_incident(client, admin, service)
                db = application.state.db
                await asyncio.gather(*(escalate(db, at(incident, 6)) for _ in range(3)))
                [one] = await sink.wait_for(1)
                await asyncio.gather(*(escalate(db, at(incident, 11)) for _ in range(3)))
                received = await sink.wait_for(3)
                await asyncio.sleep(0.3)  # time for anything extra to arrive
    finally:
        await sink.stop()
    assert len(sink.received) == 3, [r.path for r in sink.received]
    assert {r.path for r in sink.received} == {"/hook/step"}, "the bystander hears nothing"
    assert one.headers["x-incident-console-event"] == "incident.escalated"
    body = one.json()
    assert body["type"] == "incident.escalated" and body["id"] == one.delivery
    assert body["incident"]["id"] == incident["id"] and body["incident"]["status"] == "New"
    assert len({r.delivery for r in received}) == 3, "one delivery per (step, channel)"
