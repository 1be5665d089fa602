"""Watching the console: readiness, the Prometheus metrics it exports (and who may scrape
them), request ids, and a worker replica that serves only its health, readiness and metrics.
In-process, on both databases; the multi-process cases are in test_worker_mode.py."""

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from app.clock import utcnow
from app.db import Database
from app.main import create_app
from app.models import Incident, Notification, NotificationChannel, SlaNotice
from app.services.sla.sweeper import sweep
from tests.alert_fixtures import payload
from tests.api.test_stream import _open_incident, open_stream, token_of
from tests.conftest import test_settings

Headers = dict[str, str]
SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a text exposition: (name, labels) -> value."""
    found = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(match["labels"] or ""))
        found[(match["name"], labels)] = float(match["value"])
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient, headers: Headers | None = None) -> str:
    response = await client.get("/-/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return response.text


async def open_incident(client: httpx.AsyncClient, headers: Headers, severity: str) -> dict[str, Any]:
    services = (await client.get("/services", headers=headers)).json()
    checkout = next(s["id"] for s in services if s["name"] == "checkout-api")
    response = await client.post("/incidents", headers=headers, json={
        "title": "Checkout down", "severity": severity, "service_id": checkout})
    assert response.status_code == 201, response.text
    incident: dict[str, Any] = response.json()
    return incident


# -- readiness ----------------------------------------------------------------------------
async def test_ready_when_the_database_and_the_listen_connection_answer(
    client: httpx.AsyncClient, database_url: str
) -> None:
    response = await client.get("/-/readiness")  # no token: probes carry none
    assert response.status_code == 200, response.text
    expected = {"database": "ok"}
    if database_url.startswith("postgresql"):
        expected["live_updates"] = "ok"
    assert response.json() == {"status": "ready", "checks": expected, "failed": []}
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_not_ready_names_the_database_when_it_does_not_answer(
    app: FastAPI, client: httpx.AsyncClient, database_url: str, tmp_path: Any
) -> None:
    unreachable = ("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"
                   if database_url.startswith("postgresql")
                   else f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    working = app.state.db
    app.state.db = Database(create_async_engine(unreachable))
    try:
        response = await client.get("/-/readiness")
    finally:
        await app.state.db.dispose()
        app.state.db = working
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready" and body["failed"] == ["database"]
    assert body["checks"]["database"] != "ok"
    assert (await client.get("/healthz")).status_code == 200  # liveness is not readiness


@pytest.mark.postgres_only
async def test_not_ready_when_the_live_streams_listen_connection_is_down(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await app.state.live.stop()  # no LISTEN: streams served here would miss every update
    response = await client.get("/-/readiness")
    assert response.status_code == 503
    assert response.json()["failed"] == ["live_updates"]
    assert response.json()["checks"]["database"] == "ok"


# -- metrics ------------------------------------------------------------------------------
async def test_requests_are_counted_and_timed_by_route_template_not_raw_path(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    route = "/incidents/{incident_id}"
    before = await scrape(client)
    incident = await open_incident(client, responder, "SEV3")
    for _ in range(3):
        assert (await client.get(f"/incidents/{incident['id']}", headers=responder)).status_code == 200
    assert (await client.get("/incidents/987654", headers=responder)).status_code == 404
    assert (await client.get("/no/such/path/424242")).status_code == 404
    after = await scrape(client)
    ok = dict(method="GET", route=route, status="200")
    assert value(after, "http_requests_total", **ok) - value(before, "http_requests_total", **ok) == 3
    missing = dict(method="GET", route=route, status="404")
    assert value(after, "http_requests_total", **missing) - value(
        before, "http_requests_total", **missing) == 1
    created = dict(method="POST", route="/incidents", status="201")
    assert value(after, "http_requests_total", **created) - value(
        before, "http_requests_total", **created) == 1
    timed = value(after, "http_request_duration_seconds_count", route=route) - value(
        before, "http_request_duration_seconds_count", route=route)
    assert timed == 4
    assert value(after, "http_request_duration_seconds_bucket", route=route, le="+Inf") >= 4
    # No raw path or id becomes a label; probes and scrapes are not counted.
    # In the labels: a histogram's float sum can hold those digits by chance (it did once:
    # ...0.07148992699876544).
    labels = " ".join(re.findall(r"\{[^}]*\}", after))
    assert "987654" not in labels and "424242" not in labels
    assert 'route="unmatched"' in after
    assert "/-/metrics" not in after and "/healthz" not in after


async def test_open_and_breached_incidents_by_severity_are_read_from_the_database(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    for severity in ("SEV2", "SEV2", "SEV4"):
        await open_incident(client, responder, severity)
    listed = (await client.get("/incidents", headers=responder, params={
        "status": ["New", "Investigating", "Mitigated"], "limit": 100})).json()["items"]
    text = await scrape(client)
    for severity in ("SEV1", "SEV2", "SEV3", "SEV4"):
        expected = sum(1 for i in listed if i["severity"] == severity)
        assert value(text, "incidents_open", severity=severity) == expected, severity
        breached = sum(1 for i in listed if i["severity"] == severity and i["sla"]["state"] == "breached")
        assert value(text, "incidents_breached", severity=severity) == breached
    assert value(text, "incidents_open", severity="SEV2") >= 2


async def test_alerts_are_counted_by_their_source(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    before = await scrape(client)
    sent = payload("alertmanager-v4-firing")
    response = await client.post("/alerts/alertmanager", headers=responder, json=sent)
    assert response.status_code == 200, response.text
    after = await scrape(client)
    grew = value(after, "alerts_received_total", source="alertmanager") - value(
        before, "alerts_received_total", source="alertmanager")
    assert grew == len(sent["alerts"])
    assert value(after, "alerts_received_total", source="grafana") == value(
        before, "alerts_received_total", source="grafana")
    drill = await client.post("/alerts/generate", headers=responder, json={"count": 6, "seed": 7})
    assert drill.status_code == 201, drill.text
    rehearsed = await scrape(client)

    def received(text: str) -> dict[Any, float]:
        return {k: v for k, v in samples(text).items() if k[0] == "alerts_received_total"}

    assert received(rehearsed) == received(after)  # a drill is not monitoring traffic


async def test_breach_notices_are_counted_once_per_incident_and_target(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    before = await scrape(client)
    incident = await open_incident(client, responder, "SEV1")
    later = utcnow() + timedelta(days=30)
    await sweep(app.state.db, later)
    await sweep(app.state.db, later + timedelta(minutes=1))  # nothing new: counted once
    after = await scrape(client)
    timeline = (await client.get(f"/incidents/{incident['id']}", headers=responder)).json()["events"]
    breaches = [e for e in timeline if e["type"] == "sla_breach"]
    assert {e["data"]["target"] for e in breaches} == {"ack", "resolve"}
    for target in ("ack", "resolve"):
        grew = value(after, "sla_breaches_total", target=target) - value(
            before, "sla_breaches_total", target=target)
        assert grew >= 1  # this incident's, and any seeded one past its target by then
    total = sum(value(after, "sla_breaches_total", target=t) - value(before, "sla_breaches_total", target=t)
                for t in ("ack", "resolve"))
    async with app.state.db.read() as session:
        written = await session.scalar(
            select(func.count()).select_from(SlaNotice).where(SlaNotice.kind.like("%breach")))
    assert total == written


async def test_stream_clients_count_the_open_streams(app: FastAPI, client: httpx.AsyncClient) -> None:
    before = value(await scrape(client), "stream_clients")
    async with app.state.live.subscription(), app.state.live.subscription():
        assert value(await scrape(client), "stream_clients") == before + 2
    assert value(await scrape(client), "stream_clients") == before


@pytest.fixture
async def quiet_app(database_url: str) -> AsyncIterator[FastAPI]:
    """No delivery worker: what is queued stays queued."""
    application = create_app(test_settings(database_url, notification_poll_seconds=0))
    async with application.router.lifespan_context(application):
        yield application


async def test_the_notification_queue_depth_and_how_late_its_oldest_is(
    quiet_app: FastAPI, admin: Headers
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet_app),
                                 base_url="http://test") as client:
        response = await client.post("/notification-channels", headers=admin, json={
            "kind": "webhook", "name": "hook", "url": "http://127.0.0.1:9/hook",
            "events": ["incident.created"]})
        assert response.status_code == 201, response.text
        channel = response.json()["id"]
        now = utcnow()
        rows = [{"id": f"00000000-0000-4000-8000-00000000000{i}", "channel_id": channel,
                 "event": "incident.created", "occurred_at": now, "status": "pending",
                 "attempts": 0, "next_attempt_at": now + delay, "created_at": now}
                for i, delay in enumerate((timedelta(seconds=-90), timedelta(seconds=-5),
                                           timedelta(hours=1)))]
        async with quiet_app.state.db.transaction() as session:
            await session.execute(insert(Notification), rows)
            # Rested, so no sender claims them: the `admin` fixture's app, on the same
            # database, runs one, and a failed attempt moved the overdue row's next attempt
            # into the future before the scrape (age 0) in a loaded run.
            await session.execute(update(NotificationChannel).where(NotificationChannel.id == channel)
                                  .values(paused_until=now + timedelta(hours=1)))
        text = await scrape(client)
    assert value(text, "notification_queue_depth") == 3
    age = value(text, "notification_queue_oldest_age_seconds")
    assert 90 <= age < 90 + 60


async def test_a_prometheus_token_guards_the_metrics_and_nothing_else(database_url: str) -> None:
    application = create_app(test_settings(database_url, prometheus_token="scrape-secret-123"))
    async with application.router.lifespan_context(application):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                     base_url="http://test") as client:
            for headers in ({}, {"Authorization": "Bearer wrong"},
                            {"Authorization": "Basic scrape-secret-123"}):
                refused = await client.get("/-/metrics", headers=headers)
                assert refused.status_code == 401, headers
                assert refused.json()["code"] == "unauthenticated"
                assert refused.headers["www-authenticate"] == "Bearer"
            await scrape(client, {"Authorization": "Bearer scrape-secret-123"})
            assert (await client.get("/-/readiness")).status_code == 200
            assert (await client.get("/healthz")).status_code == 200


async def test_every_answer_carries_a_request_id_the_callers_own_when_it_is_plain(
    client: httpx.AsyncClient
) -> None:
    mine = await client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert mine.headers["x-request-id"] == "lb-7f3a.42"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    first, second = await asyncio.gather(client.get("/healthz"), client.get("/healthz"))
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


# -- WORKER_MODE --------------------------------------------------------------------------
async def test_a_worker_serves_only_health_readiness_and_metrics(database_url: str) -> None:
    application = create_app(test_settings(database_url, worker_mode="worker"))
    async with application.router.lifespan_context(application):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                     base_url="http://test") as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/-/readiness")).status_code == 200
            await scrape(client)
            for path in ("/incidents", "/incidents/1", "/auth/config", "/openapi.json", "/docs",
                         "/ui/", "/", "/metrics", "/stream"):
                assert (await client.get(path)).status_code == 404, path
            refused = await client.post("/auth/login", json={"username": "jordan", "password": "demo123"})
            assert refused.status_code == 404
        assert application.state.notifier._loop_task is not None  # it sends notifications


async def test_a_worker_listens_to_no_stream_yet_streams_elsewhere_hear_its_writes(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, database_url: str
) -> None:
    """A worker serves no stream, so it is told of no replica's commits (no LISTEN on
    PostgreSQL) and stays ready; its own writes (a sweeper's breach here) still reach the
    streams an API replica serves."""
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL; SQLite is one process")
    incident = await _open_incident(client, responder)
    past = utcnow() - timedelta(hours=1)
    async with app.state.db.transaction() as session:
        await session.execute(update(Incident).where(Incident.id == incident).values(
            ack_due_at=past, ack_at_risk_at=past))
    async with open_stream(app, f"access_token={token_of(responder)}") as stream:
        await stream.next_message()
        worker = create_app(test_settings(database_url, worker_mode="worker", sla_sweep_seconds=0.05))
        async with worker.router.lifespan_context(worker):
            assert not worker.state.live.listening
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=worker),
                                         base_url="http://worker") as probe:
                assert (await probe.get("/-/readiness")).json()["checks"] == {"database": "ok"}
            while (event := await stream.next_event("event.created"))["type"] != "sla_breach":
                pass
    assert event["incident_id"] == incident


@pytest.mark.parametrize("mode", ["api", "all"])
async def test_an_api_replica_runs_no_background_work(database_url: str, mode: str) -> None:
    application = create_app(test_settings(database_url, worker_mode=mode, sla_sweep_seconds=0.05))
    async with application.router.lifespan_context(application):
        assert (application.state.notifier._loop_task is None) == (mode == "api")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                     base_url="http://test") as client:
            token = (await client.post("/auth/login", json={
                "username": "avery", "password": "demo123"})).json()["access_token"]
            incident = await open_incident(client, {"Authorization": f"Bearer {token}"}, "SEV1")
            past = utcnow() - timedelta(hours=1)
            async with application.state.db.transaction() as session:
                await session.execute(update(Incident).where(Incident.id == incident["id"]).values(
                    ack_due_at=past, ack_at_risk_at=past, resolve_due_at=past,
                    resolve_at_risk_at=past))
            for _ in range(20):  # 1 s: twenty sweeper periods
                await asyncio.sleep(0.05)
            async with application.state.db.read() as session:
                notices = await session.scalar(select(func.count()).select_from(SlaNotice).where(
                    SlaNotice.incident_id == incident["id"]))
    assert notices == (0 if mode == "api" else 2)
