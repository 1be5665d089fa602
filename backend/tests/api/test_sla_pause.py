"""Paused SLA clocks: pause and resume (If-Match, 409s, roles, timeline events with the audit
chain intact), nothing breaches and nobody is notified while paused, due times move by the
paused business time on resume, resolving ends a pause, and the list filters paused ones."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.domain.business_hours import add_business_time, business_seconds_between, parse_calendar
from app.services.sla import pauses
from app.services.sla.escalation import escalate
from app.services.sla.sweeper import sweep

Headers = dict[str, str]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Moves the pause service's clock (the others keep the real one)."""
    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(pauses, "utcnow", lambda: moment)
    return set_now


async def service(client: httpx.AsyncClient, admin: Headers, calendar_id: int | None = None) -> int:
    extra = {"calendar_id": calendar_id} if calendar_id else {}
    r = await client.post("/services", headers=admin, json={
        "name": "ledger", "owner_team": "Finance", "sla_policy": {
            "SEV1": {"ack_minutes": 5, "resolve_minutes": 60, **extra},
            "SEV2": {"ack_minutes": 15, "resolve_minutes": 240},
            "SEV3": {"ack_minutes": 60, "resolve_minutes": 1440},
            "SEV4": {"ack_minutes": 240, "resolve_minutes": 4320}}})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def investigating(client: httpx.AsyncClient, who: Headers, service_id: int) -> dict[str, Any]:
    made = (await client.post("/incidents", headers=who, json={
        "title": "Ledger slow", "severity": "SEV1", "service_id": service_id})).json()
    moved = await client.post(f"/incidents/{made['id']}/status", headers=who,
                              json={"status": "Investigating"})
    assert moved.status_code == 200, moved.text
    body: dict[str, Any] = moved.json()
    return body


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def pause(client: httpx.AsyncClient, who: Headers, incident: dict[str, Any],
                reason: str = "waiting on the vendor") -> httpx.Response:
    return await client.post(f"/incidents/{incident['id']}/sla/pause", json={"reason": reason},
                             headers={**who, "If-Match": str(incident["version"])})


async def resume(client: httpx.AsyncClient, who: Headers, incident: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/incidents/{incident['id']}/sla/resume",
                             headers={**who, "If-Match": str(incident["version"])})


async def test_pause_and_resume_write_events_and_move_the_due_times(
    client: httpx.AsyncClient, admin: Headers, responder: Headers,
    clock: Callable[[datetime], None],
) -> None:
    incident = await investigating(client, responder, await service(client, admin))
    resolve_due = when(incident["sla"]["resolve_due_at"])
    paused_at = when(incident["created_at"]) + timedelta(minutes=10)
    clock(paused_at)
    r = await pause(client, responder, incident)
    assert r.status_code == 200, r.text
    paused = r.json()
    assert paused["sla"]["state"] == "paused" and paused["sla"]["paused_reason"] == "waiting on the vendor"
    assert paused["sla"]["next_due_at"] is None and paused["version"] == incident["version"] + 1
    assert paused["events"][-1]["type"] == "sla_paused"
    again = await pause(client, responder, paused)
    assert again.status_code == 409 and again.json()["code"] == "sla_pause_refused"
    clock(paused_at + timedelta(hours=3))
    r = await resume(client, responder, paused)
    assert r.status_code == 200, r.text
    resumed = r.json()
    assert resumed["sla"]["state"] != "paused" and resumed["sla"]["paused_reason"] is None
    assert when(resumed["sla"]["resolve_due_at"]) == resolve_due + timedelta(hours=3)
    assert resumed["sla"]["ack_due_at"] == incident["sla"]["ack_due_at"]  # acknowledged: stays
    assert resumed["sla"]["paused_seconds"] == 3 * 3600
    event = resumed["events"][-1]
    assert event["type"] == "sla_resumed" and event["data"]["paused_seconds"] == 3 * 3600
    assert event["data"]["reason"] == "waiting on the vendor"
    not_paused = await resume(client, responder, resumed)
    assert not_paused.status_code == 409 and not_paused.json()["code"] == "sla_pause_refused"
    audit = (await client.get(f"/incidents/{incident['id']}/audit", headers=responder)).json()
    assert audit["verified"] is True


async def test_a_severity_change_after_a_pause_keeps_the_pause(
    client: httpx.AsyncClient, admin: Headers, responder: Headers,
    clock: Callable[[datetime], None],
) -> None:
    """The new severity's due times count from creation, and the pause that already ended
    still moves them (it used to be forgotten: the clock ran through the pause again)."""
    incident = await investigating(client, responder, await service(client, admin))
    paused_at = when(incident["created_at"]) + timedelta(minutes=10)
    clock(paused_at)
    paused = (await pause(client, responder, incident)).json()
    clock(paused_at + timedelta(hours=3))
    resumed = (await resume(client, responder, paused)).json()
    r = await client.patch(f"/incidents/{incident['id']}", headers={**responder, "If-Match": str(resumed["version"])},
                           json={"severity": "SEV2"})
    assert r.status_code == 200, r.text
    # SEV2 resolves in 240 minutes from creation, plus the three paused hours.
    assert when(r.json()["sla"]["resolve_due_at"]) == (
        when(incident["created_at"]) + timedelta(minutes=240) + timedelta(hours=3))


async def test_the_shift_is_business_time_in_the_incidents_calendar(
    client: httpx.AsyncClient, admin: Headers, responder: Headers,
    clock: Callable[[datetime], None],
) -> None:
    weekdays = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    cal = (await client.post("/calendars", headers=admin, json={
        "name": "Weekdays", "timezone": "UTC", "hours": weekdays})).json()
    incident = await investigating(client, responder, await service(client, admin, cal["id"]))
    paused_at = when(incident["created_at"]) + timedelta(seconds=30)
    clock(paused_at)
    paused = (await pause(client, responder, incident)).json()
    clock(paused_at + timedelta(days=7))  # a week paused holds five business days
    resumed = (await resume(client, responder, paused)).json()
    event = resumed["events"][-1]["data"]
    assert event["paused_seconds"] == 7 * 86400 and event["business_seconds"] == 5 * 86400
    weekday_cal = parse_calendar("UTC", weekdays)
    due = when(incident["sla"]["resolve_due_at"])
    assert when(resumed["sla"]["resolve_due_at"]) == add_business_time(
        weekday_cal, paused_at + timedelta(days=7), business_seconds_between(weekday_cal, paused_at, due))
    assert when(resumed["sla"]["resolve_due_at"]) - due == timedelta(days=7)  # the same week later


async def test_nothing_breaches_and_nobody_is_told_while_paused(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers,
) -> None:
    incident = await investigating(client, responder, await service(client, admin))
    paused = (await pause(client, responder, incident)).json()
    later = when(incident["created_at"]) + timedelta(days=2)
    await sweep(app.state.db, later)  # (the demo's own live incident is told: not ours)
    await escalate(app.state.db, later)
    timeline = (await client.get(f"/incidents/{incident['id']}/events", headers=responder)).json()
    assert not [e for e in timeline if e["type"] in ("sla_at_risk", "sla_breach", "escalated")]
    got = (await client.get(f"/incidents/{incident['id']}", headers=responder)).json()
    assert got["sla"]["state"] == "paused" and got["sla"]["breached"] is False
    # Running again: the sweeper speaks once the moved due time passes.
    resumed = (await resume(client, responder, paused)).json()
    await sweep(app.state.db, when(resumed["sla"]["resolve_due_at"]) + timedelta(seconds=1))
    timeline = (await client.get(f"/incidents/{incident['id']}/events", headers=responder)).json()
    assert [e["data"]["kind"] for e in timeline if e["type"] == "sla_breach"] == ["resolve_breach"]


async def test_resolving_a_paused_incident_ends_the_pause(
    client: httpx.AsyncClient, admin: Headers, responder: Headers,
) -> None:
    incident = await investigating(client, responder, await service(client, admin))
    paused = (await pause(client, responder, incident)).json()
    for status in ("Mitigated", "Resolved"):
        r = await client.post(f"/incidents/{incident['id']}/status", headers=responder,
                              json={"status": status})
        assert r.status_code == 200, r.text
    done = r.json()
    assert done["sla"]["state"] == "met" and done["sla"]["paused_at"] is None
    types = [e["type"] for e in done["events"]]
    assert types[-2:] == ["sla_resumed", "status_change"] and paused["sla"]["state"] == "paused"


async def test_what_cannot_pause(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, viewer: Headers,
) -> None:
    ledger = await service(client, admin)
    new = (await client.post("/incidents", headers=responder, json={
        "title": "Fresh", "severity": "SEV2", "service_id": ledger})).json()
    r = await pause(client, responder, new)
    assert r.status_code == 409 and r.json()["code"] == "sla_pause_refused"
    incident = await investigating(client, responder, ledger)
    assert (await pause(client, viewer, incident)).status_code == 403
    stale = await pause(client, responder, {**incident, "version": incident["version"] - 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    blank = await client.post(f"/incidents/{incident['id']}/sla/pause", headers=responder,
                              json={"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.text
    assert (await client.post("/incidents/999999/sla/pause", headers=responder,
                              json={"reason": "x"})).status_code == 404
    unchanged = (await client.get(f"/incidents/{incident['id']}", headers=responder)).json()
    assert unchanged["version"] == incident["version"] and unchanged["sla"]["state"] != "paused"


async def test_the_list_filters_paused_incidents(
    client: httpx.AsyncClient, admin: Headers, responder: Headers,
) -> None:
    ledger = await service(client, admin)
    one, two = await investigating(client, responder, ledger), await investigating(client, responder, ledger)
    await pause(client, responder, one, "waiting on the customer")
    page = (await client.get("/incidents", headers=responder, params={"sla_state": "paused"})).json()
    assert [i["id"] for i in page["items"]] == [one["id"]]
    assert page["items"][0]["sla"]["paused_reason"] == "waiting on the customer"
    running = (await client.get("/incidents", headers=responder,
                                params={"sla_state": ["on_track", "at_risk", "breached"],
                                        "service_id": ledger})).json()
    assert [i["id"] for i in running["items"]] == [two["id"]]
    urgent = (await client.get("/incidents", headers=responder,
                               params={"sort": "urgency", "service_id": ledger})).json()
    assert [i["id"] for i in urgent["items"]] == [two["id"], one["id"]]


async def test_the_report_shows_pauses_and_the_calendar(
    client: httpx.AsyncClient, admin: Headers, responder: Headers,
    clock: Callable[[datetime], None],
) -> None:
    cal = (await client.post("/calendars", headers=admin, json={
        "name": "Berlin, always", "timezone": "Europe/Berlin",
        "hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})).json()
    incident = await investigating(client, responder, await service(client, admin, cal["id"]))
    start = datetime.now(UTC)
    clock(start)
    paused = (await pause(client, responder, incident, "waiting on Stripe")).json()
    clock(start + timedelta(minutes=45))
    await resume(client, responder, paused)
    report = (await client.get(f"/incidents/{incident['id']}/report.md", headers=responder)).text
    assert "## Paused time" in report and "waiting on Stripe" in report and "45m" in report
    assert "Berlin, always (Europe/Berlin)" in report
