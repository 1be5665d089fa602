"""Delivery to a local HTTP sink: bodies and headers, signatures, retries with the same
delivery id, 4xx stops, at most N attempts, Retry-After, manual retry, the sweeper's notices
once, Slack and Teams shapes, retention and the retry schedule."""

import asyncio
import hashlib
import hmac
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from app.main import create_app
from app.models import Notification
from app.services.notifications.recording import purge_delivered
from app.services.notifications.sending import parse_retry_after, retry_delay
from app.services.sla.sweeper import sweep
from tests.conftest import test_settings
from tests.notification_sink import HANG, Received, Sink

Headers = dict[str, str]
FAST = {"notification_poll_seconds": 0.05, "notification_retry_base_seconds": 0.05,
        "notification_retry_cap_seconds": 2.0, "notification_timeout_seconds": 1.0,
        "notification_max_attempts": 4, "notification_pause_after_failures": 50}


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    receiver = await Sink().start()
    yield receiver
    await receiver.stop()


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(test_settings(database_url, **FAST))
    async with application.router.lifespan_context(application):
        yield application


async def add(client: httpx.AsyncClient, headers: Headers, url: str, **body: Any) -> dict[str, Any]:
    body.setdefault("kind", "webhook")
    body.setdefault("name", "hook")
    body.setdefault("events", ["incident.created", "incident.status_changed", "sla.at_risk",
                               "sla.breached"])
    response = await client.post("/notification-channels", headers=headers, json={"url": url, **body})
    assert response.status_code == 201, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def open_incident(client: httpx.AsyncClient, headers: Headers, severity: str = "SEV1") -> dict[str, Any]:
    services = (await client.get("/services", headers=headers)).json()
    checkout = next(s["id"] for s in services if s["name"] == "checkout-api")
    response = await client.post("/incidents", headers=headers, json={
        "title": "Checkout down", "severity": severity, "service_id": checkout})
    assert response.status_code == 201, response.text
    incident: dict[str, Any] = response.json()
    return incident


async def deliveries(client: httpx.AsyncClient, headers: Headers, channel_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/notification-channels/{channel_id}/deliveries", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def settled(client: httpx.AsyncClient, headers: Headers, channel_id: int,
                  count: int = 1, within: float = 15) -> list[dict[str, Any]]:
    """The channel's deliveries once `count` of them are no longer pending."""
    async with asyncio.timeout(within):
        while True:
            items = await deliveries(client, headers, channel_id)
            if sum(1 for d in items if d["status"] != "pending") >= count:
                return items
            await asyncio.sleep(0.05)


async def test_a_webhook_gets_the_incident_signed_with_event_and_delivery_headers(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    channel = await add(client, admin, sink.url, secret="top-secret")
    incident = await open_incident(client, responder)
    [request] = await sink.wait_for(1)
    body = request.json()
    assert request.headers["x-incident-console-event"] == "incident.created"
    assert request.headers["content-type"] == "application/json"
    expected = "sha256=" + hmac.new(b"top-secret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-incident-console-signature"] == expected
    assert body["type"] == "incident.created" and body["id"] == request.delivery
    shown = (await client.get(f"/incidents/{incident['id']}", headers=responder)).json()
    assert body["incident"]["id"] == incident["id"]
    # The incident as GET /incidents/{id} shows it (IncidentRead: no timeline).
    assert set(body["incident"]) == set(shown) - {"events", "rca", "runbook_steps"}
    assert {k: body["incident"][k] for k in ("title", "severity", "status", "service_name")} == {
        k: shown[k] for k in ("title", "severity", "status", "service_name")}
    [delivery] = await settled(client, admin, channel["id"])
    assert delivery["id"] == request.delivery and delivery["status"] == "delivered"
    assert delivery["attempts"] == 1 and delivery["last_status_code"] == 200
    assert delivery["next_attempt_at"] is None and delivery["delivered_at"] is not None


async def test_failures_are_retried_with_the_same_delivery_id_and_bytes(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    answers = iter([500, (429, {"Retry-After": "0"}), 408, 200])
    sink.answer = lambda _r: next(answers)
    channel = await add(client, admin, sink.url, secret="k")
    await open_incident(client, responder)
    requests = await sink.wait_for(4)
    assert len({r.delivery for r in requests}) == 1
    assert len({r.body for r in requests}) == 1
    assert len({r.headers["x-incident-console-signature"] for r in requests}) == 1
    [delivery] = await settled(client, admin, channel["id"])
    assert delivery["status"] == "delivered" and delivery["attempts"] == 4


async def test_a_timeout_is_retried(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    calls: list[Received] = []

    def answer(request: Received) -> int:
        calls.append(request)
        return HANG if len(calls) == 1 else 200

    sink.answer = answer
    channel = await add(client, admin, sink.url)
    await open_incident(client, responder)
    [delivery] = await settled(client, admin, channel["id"])
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert len(calls) == 2 and calls[0].delivery == calls[1].delivery


async def test_a_4xx_stops_at_once_and_a_retry_sends_it_again(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    sink.answer = lambda _r: 400
    channel = await add(client, admin, sink.url)
    await open_incident(client, responder)
    [failed] = await settled(client, admin, channel["id"])
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert failed["last_status_code"] == 400 and "400" in failed["last_error"]
    await asyncio.sleep(0.3)
    assert len(sink.received) == 1  # not retried
    sink.answer = lambda _r: 200
    again = await client.post(
        f"/notification-channels/{channel['id']}/deliveries/{failed['id']}/retry", headers=admin)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "pending" and again.json()["id"] == failed["id"]
    [delivered] = await settled(client, admin, channel["id"])
    assert delivered["status"] == "delivered"
    assert [r.delivery for r in sink.received] == [failed["id"], failed["id"]]
    done = await client.post(
        f"/notification-channels/{channel['id']}/deliveries/{failed['id']}/retry", headers=admin)
    assert done.status_code == 409
    unknown = await client.post(
        f"/notification-channels/{channel['id']}/deliveries/00000000-0000-0000-0000-000000000000/retry",
        headers=admin)
    assert unknown.status_code == 404


async def test_it_gives_up_after_the_maximum_attempts(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    sink.answer = lambda _r: 503
    channel = await add(client, admin, sink.url)
    await open_incident(client, responder)
    [failed] = await settled(client, admin, channel["id"])
    assert failed["status"] == "failed" and failed["attempts"] == FAST["notification_max_attempts"]
    await asyncio.sleep(0.3)
    assert len(sink.received) == FAST["notification_max_attempts"]


async def test_the_test_delivery_goes_through_the_outbox(
    client: httpx.AsyncClient, admin: Headers, sink: Sink
) -> None:
    channel = await add(client, admin, sink.url)
    answered = await client.post(f"/notification-channels/{channel['id']}/test", headers=admin)
    assert answered.status_code == 202, answered.text
    [request] = await sink.wait_for(1)
    assert request.delivery == answered.json()["id"]
    assert request.json()["type"] == "test" and request.json()["incident"] is None
    [delivery] = await settled(client, admin, channel["id"])
    assert delivery["status"] == "delivered" and delivery["event"] == "test"


async def test_slack_and_teams_get_their_own_shapes(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    await add(client, admin, sink.url + "/slack", kind="slack", name="slack")
    await add(client, admin, sink.url + "/teams", kind="teams", name="teams")
    await open_incident(client, responder)
    requests = await sink.wait_for(2)
    slack = next(r for r in requests if r.path.endswith("/slack")).json()
    teams = next(r for r in requests if r.path.endswith("/teams")).json()
    assert "Checkout down" in slack["text"] and isinstance(slack["blocks"], list)
    assert all("type" in block for block in slack["blocks"])
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and "Checkout down" in card["body"][0]["text"]


async def test_the_sweepers_notices_notify_once(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    channel = await add(client, admin, sink.url, events=["sla.at_risk", "sla.breached"])
    incident = await open_incident(client, responder)  # checkout-api SEV1: ack within 5 minutes
    created = datetime.fromisoformat(incident["created_at"])
    db = app.state.db
    for minutes in (4, 4.5, 6, 6, 7):
        await asyncio.gather(*(sweep(db, created + timedelta(minutes=minutes)) for _ in range(3)))
    timeline = (await client.get(f"/incidents/{incident['id']}/events", headers=responder)).json()
    notices = sorted({"sla_at_risk": "sla.at_risk", "sla_breach": "sla.breached"}[e["type"]]
                     for e in timeline if e["type"] in ("sla_at_risk", "sla_breach"))
    assert "sla.at_risk" in notices and "sla.breached" in notices
    def ours(r: Received) -> bool:  # the demo data's live incident has notices of its own
        return bool(r.json()["incident"]["id"] == incident["id"])

    await sink.wait_for(len(notices), where=ours)
    await asyncio.sleep(0.3)  # nothing more comes
    mine = [r for r in sink.received if ours(r)]
    assert sorted(r.json()["type"] for r in mine) == notices
    assert len({r.delivery for r in sink.received}) == len(sink.received)  # none sent twice
    everything = await settled(client, admin, channel["id"], len(sink.received))
    assert len([d for d in everything if d["incident_id"] == incident["id"]]) == len(notices)


async def test_a_slow_channel_does_not_hold_up_another(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, sink: Sink
) -> None:
    slow = await Sink(answer=lambda _r: HANG).start()
    try:
        await add(client, admin, slow.url, name="slow")
        fast = await add(client, admin, sink.url, name="fast")
        await open_incident(client, responder)
        await sink.wait_for(1, within=0.9)  # before the slow one's timeout
        [delivery] = await settled(client, admin, fast["id"])
        assert delivery["status"] == "delivered"
    finally:
        await slow.stop()


async def test_a_channel_that_keeps_failing_rests(database_url: str, sink: Sink) -> None:
    settings = test_settings(database_url, **{**FAST, "notification_pause_after_failures": 2,
                                              "notification_max_attempts": 8,
                                              "notification_retry_base_seconds": 0.01})
    application = create_app(settings)
    sink.answer = lambda _r: 500
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            token = (await client.post("/auth/login", json={"username": "jordan", "password": "demo123"})).json()
            admin = {"Authorization": f"Bearer {token['access_token']}"}
            channel = await add(client, admin, sink.url)
            await client.post(f"/notification-channels/{channel['id']}/test", headers=admin)
            await sink.wait_for(2)
            await asyncio.sleep(0.5)
            shown = (await client.get(f"/notification-channels/{channel['id']}", headers=admin)).json()
            assert shown["failing_since"] is not None and shown["paused_until"] is not None
            # Resting: the retry schedule alone (10 ms) would have sent far more by now.
            assert len(sink.received) < 8


async def test_delivered_rows_are_kept_for_the_retention_period_failed_ones_until_retried(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, sink: Sink
) -> None:
    channel = await add(client, admin, sink.url)
    await client.post(f"/notification-channels/{channel['id']}/test", headers=admin)
    await client.post(f"/notification-channels/{channel['id']}/test", headers=admin)
    await settled(client, admin, channel["id"], 2)
    db = app.state.db
    now = datetime.now(UTC)
    async with db.transaction() as session:
        first = (await session.scalars(select(Notification.id))).first()
        await session.execute(update(Notification).where(Notification.id == first).values(
            delivered_at=now - timedelta(days=31)))
    assert await purge_delivered(db, now - timedelta(days=30)) == 1
    assert [d["id"] for d in await deliveries(client, admin, channel["id"])] != [first]
    assert len(await deliveries(client, admin, channel["id"])) == 1


async def test_the_deliveries_log_pages_newest_first(
    client: httpx.AsyncClient, admin: Headers, sink: Sink
) -> None:
    channel = await add(client, admin, sink.url)
    sent = [(await client.post(f"/notification-channels/{channel['id']}/test", headers=admin)).json()["id"]
            for _ in range(3)]
    first = (await client.get(f"/notification-channels/{channel['id']}/deliveries?limit=2",
                              headers=admin)).json()
    assert [d["id"] for d in first["items"]] == sent[::-1][:2] and first["next_cursor"]
    rest = (await client.get(f"/notification-channels/{channel['id']}/deliveries",
                             params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin)).json()
    assert [d["id"] for d in rest["items"]] == [sent[0]] and rest["next_cursor"] is None
    bad = await client.get(f"/notification-channels/{channel['id']}/deliveries?cursor=zzz", headers=admin)
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


def test_the_retry_schedule_grows_with_jitter_and_honours_retry_after() -> None:
    rand = random.Random(7)
    for _ in range(200):
        first, second = retry_delay(1, 5, 3600, rand=rand), retry_delay(2, 5, 3600, rand=rand)
        assert 2.5 <= first <= 5 and 10 <= second <= 20  # first within 10 s, second within 30 s
        assert 40 <= retry_delay(3, 5, 3600, rand=rand) <= 80
        assert retry_delay(12, 5, 3600, rand=rand) <= 3600
    assert len({retry_delay(1, 5, 3600, rand=rand) for _ in range(20)}) > 1
    assert retry_delay(1, 5, 3600, retry_after=42) == 42
    assert retry_delay(1, 5, 600, retry_after=7200) == 600
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Sat, 28 Nov 2026 12:01:30 GMT", now) == 90
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


async def test_the_send_checks_the_address_again_so_a_rebound_name_is_not_followed(
    app: FastAPI, sink: Sink
) -> None:
    # Saved while allowed (or while the name pointed elsewhere); in production, at send time,
    # the name resolves to loopback: refused, nothing sent, failed without retries.
    from app.config import Settings
    from app.services.notifications.delivery import Job, NotificationWorker

    production = Settings(_env_file=None, app_env="production", jwt_secret="x" * 40)  # type: ignore[call-arg]
    worker = NotificationWorker(app.state.db, production)
    from app.services.notifications.sending import new_client

    worker._client = new_client(production)
    try:
        url = sink.url.replace("127.0.0.1", "localhost")
        outcome = await worker.send(Job("d-1", 1, "test", "webhook", url, None, "{}", 0))
        assert not outcome.delivered and not outcome.retry
        assert outcome.error is not None and "loopback" in outcome.error
        assert sink.received == []
        allowed = Settings(_env_file=None, app_env="production", jwt_secret="x" * 40,  # type: ignore[call-arg]
                           notification_allowed_networks="127.0.0.0/8,::1/128")
        worker.settings = allowed
        sent = await worker.send(Job("d-2", 1, "test", "webhook", url, None, "{}", 0))
        assert sent.delivered and sink.received[0].headers["host"] == f"localhost:{sink.port}"
    finally:
        await worker._client.close()
