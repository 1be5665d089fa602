"""Notification channels: admin-only CRUD, secrets and credential URLs never shown, bad input
named, safe URLs, and which channels the outbox queues an event for (in the change's own
transaction)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select

from app.config import Settings
from app.domain.events import EventType
from app.errors import Unprocessable
from app.main import create_app
from app.models import Notification, NotificationChannel
from app.services.incidents.writer import NewEvent, record_events
from app.services.notifications.urls import check_channel_url
from tests.conftest import test_settings

Headers = dict[str, str]
SLACK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
TEAMS = "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SECRET"


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    # No sending here: these tests look at what is queued.
    application = create_app(test_settings(database_url, notification_poll_seconds=0))
    async with application.router.lifespan_context(application):
        yield application


async def add(client: httpx.AsyncClient, headers: Headers, **body: Any) -> httpx.Response:
    body.setdefault("kind", "webhook")
    body.setdefault("url", "http://127.0.0.1:9/hook")
    body.setdefault("events", ["incident.created"])
    return await client.post("/notification-channels", headers=headers, json=body)


async def service_id(client: httpx.AsyncClient, headers: Headers, name: str) -> int:
    services = (await client.get("/services", headers=headers)).json()
    return int(next(s["id"] for s in services if s["name"] == name))


async def queued(app: FastAPI) -> list[tuple[int, str, int | None]]:
    async with app.state.db.read() as session:
        rows = (await session.execute(select(Notification.channel_id, Notification.event,
                                             Notification.incident_id)
                                      .order_by(Notification.created_at))).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_an_admin_adds_lists_changes_and_deletes_channels(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    created = await add(client, admin, name="Ops hook", url="https://example.com/in?x=1",
                        secret="s3cret-value", events=["incident.created", "sla.breached"],
                        min_severity="SEV2")
    assert created.status_code == 201, created.text
    channel = created.json()
    assert channel["url"] == "https://example.com/in?x=1"  # a webhook URL may be shown whole
    assert channel["has_secret"] is True and "secret" not in channel
    assert "s3cret-value" not in created.text
    assert {k: channel[k] for k in ("name", "kind", "events", "min_severity", "service_ids")} == {
        "name": "Ops hook", "kind": "webhook", "events": ["incident.created", "sla.breached"],
        "min_severity": "SEV2", "service_ids": []}
    listed = (await client.get("/notification-channels", headers=admin)).json()
    assert [c["id"] for c in listed] == [channel["id"]]
    changed = await client.patch(f"/notification-channels/{channel['id']}", headers=admin,
                                 json={"secret": None, "min_severity": None, "name": "Ops"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["has_secret"] is False and changed.json()["min_severity"] is None
    assert (await client.get(f"/notification-channels/{channel['id']}", headers=admin)).json()["name"] == "Ops"
    assert (await client.delete(f"/notification-channels/{channel['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"/notification-channels/{channel['id']}", headers=admin)).status_code == 404
    assert (await add(client, admin, name="Ops")).status_code == 201
    duplicate = await add(client, admin, name="Ops")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_name"


async def test_slack_and_teams_urls_are_credentials_shown_only_as_their_host(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers
) -> None:
    slack = await add(client, admin, name="slack", kind="slack", url=SLACK)
    teams = await add(client, admin, name="teams", kind="teams", url=TEAMS)
    assert slack.json()["url"] == "https://hooks.slack.com/…"
    assert teams.json()["url"] == "https://prod-12.westeurope.logic.azure.com/…"
    everything = [slack.text, teams.text, (await client.get("/notification-channels", headers=admin)).text,
                  (await client.get(f"/notification-channels/{slack.json()['id']}", headers=admin)).text]
    assert not any("XXXXSECRETXXXX" in t or "sig=SECRET" in t for t in everything)
    # ... and encrypted at rest.
    async with app.state.db.read() as session:
        from app.models import NotificationChannel
        stored = [c.url for c in await session.scalars(select(NotificationChannel))]
    assert stored and not any("hooks.slack.com" in u or "SECRET" in u for u in stored)


@pytest.mark.parametrize(("body", "field"), [
    ({"events": ["incident.deleted"]}, "events"),
    ({"kind": "pager"}, "kind"),
    ({"min_severity": "SEV5"}, "min_severity"),
    ({"service_ids": [999999]}, "service_ids"),
    ({"url": "ftp://example.com/x"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "http://127.0.0.1/hook\x19"}, "url"),  # a control character
    ({"url": "http://127.0.0.1/\u2028hook"}, "url"),  # a line separator: a space too
    ({"url": "http://169.254.169.254/latest/meta-data"}, "url"),
])
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, admin: Headers, body: dict[str, Any], field: str
) -> None:
    response = await add(client, admin, name="bad", **body)
    assert response.status_code == 422, response.text
    answer = response.json()
    named = answer.get("field") or [e["loc"][-1] if e["loc"][-1] != 0 else e["loc"][-2]
                                    for e in answer["detail"]]
    assert field in (named if isinstance(named, list) else [named]), answer
    # Said in words a person reads, not as the pattern the value failed.
    assert "[Hh]" not in response.text and "\\x00" not in response.text, answer


async def test_a_url_that_is_no_http_url_is_refused_in_words(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    response = await add(client, admin, name="bad", url="ftp://example.com/x")
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "url"
    assert error["msg"] == ("Value must be an http:// or https:// URL with a host, and no spaces"
                            " or control characters")


async def test_viewers_and_responders_may_not_touch_channels(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, viewer: Headers
) -> None:
    channel = (await add(client, admin, name="ops")).json()
    for headers in (responder, viewer):
        assert (await client.get("/notification-channels", headers=headers)).status_code == 403
        assert (await add(client, headers, name="mine")).status_code == 403
        assert (await client.post(f"/notification-channels/{channel['id']}/test",
                                  headers=headers)).status_code == 403
        assert (await client.get(f"/notification-channels/{channel['id']}/deliveries",
                                 headers=headers)).status_code == 403


def production(**overrides: Any) -> Any:
    return Settings(_env_file=None, app_env="production", jwt_secret="x" * 40,  # type: ignore[call-arg]
                    **overrides)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://169.254.169.254/",
    "http://localhost/hook", "http://[::ffff:127.0.0.1]/x", "http://0.0.0.0/x",
])
async def test_production_refuses_urls_reaching_loopback_link_local_or_metadata(url: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        await check_channel_url(url, production())
    assert refused.value.facts["field"] == "url"


async def test_the_allow_list_lets_chosen_networks_through() -> None:
    await check_channel_url("http://127.0.0.1:8080/hook",
                            production(notification_allowed_networks="127.0.0.0/8"))
    await check_channel_url("http://localhost/hook",
                            production(notification_allowed_networks="127.0.0.0/8,::1/128"))
    with pytest.raises(Unprocessable):  # metadata stays out unless listed itself
        await check_channel_url("http://169.254.169.254/",
                                production(notification_allowed_networks="127.0.0.0/8"))
    # Development allows loopback (a sink on the laptop), never metadata.
    await check_channel_url("http://127.0.0.1:8080/hook", test_settings("sqlite+aiosqlite://"))
    with pytest.raises(Unprocessable):
        await check_channel_url("http://169.254.169.254/", test_settings("sqlite+aiosqlite://"))


async def test_a_change_queues_one_notification_per_channel_that_hears_it(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    checkout = await service_id(client, admin, "checkout-api")
    everything = (await add(client, admin, name="all", events=[
        "incident.created", "incident.status_changed", "incident.severity_changed"])).json()["id"]
    sev1 = (await add(client, admin, name="sev1", events=["incident.created"],
                      min_severity="SEV1")).json()["id"]
    elsewhere = (await add(client, admin, name="other service", events=["incident.created"],
                           service_ids=[checkout + 1])).json()["id"]
    mine = (await add(client, admin, name="checkout", events=["incident.created"],
                      service_ids=[checkout], min_severity="SEV3")).json()["id"]
    opened = await client.post("/incidents", headers=responder, json={
        "title": "Checkout slow", "severity": "SEV2", "service_id": checkout})
    incident = opened.json()["id"]
    assert sorted(await queued(app)) == sorted([
        (everything, "incident.created", incident), (mine, "incident.created", incident)])
    assert elsewhere and sev1
    moved = await client.post(f"/incidents/{incident}/status", headers={
        **responder, "If-Match": str(opened.json()["version"])}, json={"status": "Investigating"})
    assert moved.status_code == 200, moved.text
    assert (await queued(app))[-1] == (everything, "incident.status_changed", incident)
    assert len(await queued(app)) == 3


async def test_a_rolled_back_change_queues_nothing(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    await add(client, admin, name="all")
    refused = await client.post("/incidents", headers=responder, json={
        "title": "x", "severity": "SEV1", "service_id": 1, "assignee_id": 999999})
    assert refused.status_code == 422
    db = app.state.db
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await record_events(session, [NewEvent(1, EventType.CREATED, "opened", {})],
                                None, datetime.now(UTC))
            assert len((await session.execute(select(Notification.id))).all()) == 1
            raise RuntimeError("the change fails after its events were written")
    assert await queued(app) == []


async def test_an_escalated_event_goes_to_exactly_its_channels(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers
) -> None:
    # The escalation sweep writes `escalated` events through the one writer; their channels
    # get them whatever they subscribe to, and nobody else does.
    hears_all = (await add(client, admin, name="hears all", events=[
        "incident.created", "incident.escalated"])).json()["id"]
    quiet = (await add(client, admin, name="quiet", events=[])).json()["id"]
    picky = (await add(client, admin, name="picky", events=["sla.breached"],
                       min_severity="SEV1", service_ids=[2])).json()["id"]
    async with app.state.db.transaction() as session:
        await record_events(session, [NewEvent(
            1, EventType.ESCALATED, "Escalated: not acknowledged after 15 minutes",
            {"step": 0, "after_minutes": 15, "channel_ids": [quiet, picky, 999]})],
            None, datetime.now(UTC))
    assert sorted(await queued(app)) == sorted([(quiet, "incident.escalated", 1),
                                                (picky, "incident.escalated", 1)])
    assert hears_all


async def test_a_channel_deleted_elsewhere_does_not_break_a_write_here(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    # Another replica deletes a channel; this one's cached channel list still names it until
    # the NOTIFY (or MAX_AGE) arrives. Its writes must go on, queueing for channels that exist.
    gone = (await add(client, admin, name="gone")).json()["id"]
    kept = (await add(client, admin, name="kept")).json()["id"]
    first = await client.post("/incidents", headers=responder, json={
        "title": "Warm the channel cache", "severity": "SEV2", "service_id": 1})
    assert first.status_code == 201, first.text
    async with app.state.db.transaction() as session:  # as the other replica would, unseen here
        await session.execute(delete(NotificationChannel).where(NotificationChannel.id == gone))
    second = await client.post("/incidents", headers=responder, json={
        "title": "Written while the cache is stale", "severity": "SEV2", "service_id": 1})
    assert second.status_code == 201, second.text
    assert (kept, "incident.created", second.json()["id"]) in await queued(app)
    assert all(channel != gone for channel, _, _ in await queued(app))
