"""Business-hours calendars: admin CRUD, 422s naming the field, a policy's calendar_id, the
preview, and incidents whose due times are counted in their calendar."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.domain.business_hours import add_business_time, parse_calendar

Headers = dict[str, str]
OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
FRIDAY_4PM = "2026-11-27T16:00:00Z"


def policy(calendar_id: int | None = None) -> dict[str, Any]:
    extra = {"calendar_id": calendar_id} if calendar_id else {}
    return {"SEV1": {"ack_minutes": 5, "resolve_minutes": 60},
            "SEV2": {"ack_minutes": 15, "resolve_minutes": 240},
            "SEV3": {"ack_minutes": 120, "resolve_minutes": 600, **extra},
            "SEV4": {"ack_minutes": 240, "resolve_minutes": 4320, **extra}}


async def make_calendar(client: httpx.AsyncClient, admin: Headers, name: str = "Office",
                        **body: Any) -> dict[str, Any]:
    r = await client.post("/calendars", headers=admin, json={
        "name": name, "timezone": "UTC", "hours": OFFICE, "holidays": ["2026-12-25"], **body})
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


async def make_service(client: httpx.AsyncClient, admin: Headers, calendar_id: int | None,
                       name: str = "ledger") -> int:
    r = await client.post("/services", headers=admin, json={
        "name": name, "owner_team": "Finance", "sla_policy": policy(calendar_id)})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_admin_creates_reads_updates_and_lists(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    made = await make_calendar(client, admin, hours={"mon": [["13:00", "17:00"], ["09:00", "12:00"]]})
    assert made["hours"] == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}  # sorted
    assert made["holidays"] == ["2026-12-25"] and made["used_by"] == []
    got = await client.get(f"/calendars/{made['id']}", headers=viewer)
    assert got.status_code == 200 and got.json()["name"] == "Office"
    patched = await client.patch(f"/calendars/{made['id']}", headers=admin,
                                 json={"timezone": "Europe/Berlin", "holidays": []})
    assert patched.status_code == 200, patched.text
    assert patched.json()["timezone"] == "Europe/Berlin" and patched.json()["holidays"] == []
    listed = await client.get("/calendars", headers=viewer)
    assert [c["name"] for c in listed.json()] == ["Office", "Office hours"]  # and the demo's
    assert (await client.get("/calendars/999999", headers=viewer)).status_code == 404


async def test_only_admins_change_calendars(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, viewer: Headers
) -> None:
    body = {"name": "x", "timezone": "UTC", "hours": OFFICE}
    assert (await client.post("/calendars", headers=responder, json=body)).status_code == 403
    assert (await client.post("/calendars", headers=viewer, json=body)).status_code == 403
    made = await make_calendar(client, admin)
    assert (await client.patch(f"/calendars/{made['id']}", headers=responder,
                               json={"name": "y"})).status_code == 403
    assert (await client.delete(f"/calendars/{made['id']}", headers=viewer)).status_code == 403
    assert "Office" in [c["name"] for c in (await client.get("/calendars", headers=admin)).json()]


async def test_a_second_calendar_of_the_same_name_is_a_409(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    await make_calendar(client, admin)
    r = await client.post("/calendars", headers=admin,
                          json={"name": "Office", "timezone": "UTC", "hours": OFFICE})
    assert r.status_code == 409 and r.json()["code"] == "duplicate_name"


@pytest.mark.parametrize(("change", "field"), [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"hours": {"mon": [["9am", "17:00"]]}}, "hours"),
    ({"hours": {"mon": [["17:00", "09:00"]]}}, "hours.mon[0]"),
    ({"hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "hours.mon"),
    ({"hours": {"someday": [["09:00", "17:00"]]}}, "hours"),
    ({"hours": {}}, "hours"),
    ({"holidays": ["2026-02-30"]}, "holidays[0]"),
    ({"holidays": ["tomorrow"]}, "holidays"),
])
async def test_bad_calendars_are_422s_naming_the_field(
    client: httpx.AsyncClient, admin: Headers, change: dict[str, Any], field: str
) -> None:
    body = {"name": "Bad", "timezone": "UTC", "hours": OFFICE, **change}
    r = await client.post("/calendars", headers=admin, json=body)
    assert r.status_code == 422, r.text
    said = " ".join(f"{'.'.join(map(str, e['loc']))} {e['msg']}" for e in r.json()["detail"])
    assert field in said, said
    names = [c["name"] for c in (await client.get("/calendars", headers=admin)).json()]
    assert "Bad" not in names  # nothing written
    made = await make_calendar(client, admin)
    r = await client.patch(f"/calendars/{made['id']}", headers=admin, json=change)
    assert r.status_code == 422, r.text


async def test_a_policy_naming_an_unknown_calendar_is_a_422(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    r = await client.post("/services", headers=admin, json={
        "name": "ledger", "owner_team": "Finance", "sla_policy": policy(424242)})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "sla_policy.SEV3.calendar_id"
    made = await make_calendar(client, admin)
    service = await make_service(client, admin, made["id"])
    read = (await client.get(f"/services/{service}", headers=admin)).json()
    assert read["sla_policy"]["SEV3"]["calendar_id"] == made["id"]
    assert read["sla_policy"]["SEV1"]["calendar_id"] is None
    r = await client.patch(f"/services/{service}", headers=admin, json={"sla_policy": policy(424242)})
    assert r.status_code == 422 and r.json()["field"] == "sla_policy.SEV3.calendar_id"


async def test_preview_counts_in_the_calendar_and_takes_overrides(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    made = await make_calendar(client, admin)
    service = await make_service(client, admin, made["id"])
    base = {"service_id": service, "severity": "SEV3", "start": FRIDAY_4PM}
    r = await client.get("/sla/preview", headers=viewer, params=base)
    assert r.status_code == 200, r.text
    p = r.json()
    # Two business hours from Friday 16:00 UTC, 09-17 weekdays: Monday 10:00.
    assert p["ack_due_at"] == "2026-11-30T10:00:00Z" and p["calendar_id"] == made["id"]
    assert p["ack_at_risk_at"] == "2026-11-30T09:30:00Z"
    assert p["resolve_due_at"] == "2026-12-01T10:00:00Z"  # 10 h: 1 Fri + 8 Mon + 1 Tue
    plain = (await client.get("/sla/preview", headers=viewer,
                              params={**base, "calendar_id": "none", "ack_minutes": 30})).json()
    assert plain["ack_due_at"] == "2026-11-27T16:30:00Z" and plain["calendar_id"] is None
    sev1 = (await client.get("/sla/preview", headers=viewer,
                             params={**base, "severity": "SEV1"})).json()
    assert sev1["ack_due_at"] == "2026-11-27T16:05:00Z"  # SEV1 stays 24x7


@pytest.mark.parametrize(("params", "field"), [
    ({"calendar_id": 424242}, "calendar_id"),
    ({"ack_minutes": 700}, "ack_minutes"),
    ({"severity": "SEV9"}, "severity"),
    ({"start": "friday"}, "start"),
    ({"calendar_id": "some"}, "calendar_id"),
])
async def test_preview_refuses_what_it_cannot_count(
    client: httpx.AsyncClient, admin: Headers, params: dict[str, Any], field: str
) -> None:
    service = await make_service(client, admin, None)
    r = await client.get("/sla/preview", headers=admin,
                         params={"service_id": service, "severity": "SEV3", **params})
    assert r.status_code == 422, r.text
    assert field in r.text


async def test_an_incident_gets_due_times_in_its_calendar_and_changes_apply_to_new_ones(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    made = await make_calendar(client, admin)
    service = await make_service(client, admin, made["id"])
    r = await client.post("/incidents", headers=responder, json={
        "title": "Slow reports", "severity": "SEV3", "service_id": service})
    assert r.status_code == 201, r.text
    incident = r.json()
    created = datetime.fromisoformat(incident["created_at"])
    office = parse_calendar("UTC", OFFICE, ["2026-12-25"])
    assert datetime.fromisoformat(incident["sla"]["ack_due_at"]) == add_business_time(
        office, created, 120 * 60)
    assert incident["sla"]["calendar_id"] == made["id"]
    sev1 = (await client.post("/incidents", headers=responder, json={
        "title": "Ledger down", "severity": "SEV1", "service_id": service})).json()
    assert datetime.fromisoformat(sev1["sla"]["ack_due_at"]) - datetime.fromisoformat(
        sev1["created_at"]) == timedelta(minutes=5)
    assert sev1["sla"]["calendar_id"] is None
    # A calendar edit applies to incidents opened afterwards: the open one keeps its due time.
    await client.patch(f"/calendars/{made['id']}", headers=admin,
                       json={"hours": {d: [["00:00", "24:00"]] for d in OFFICE}})
    again = (await client.get(f"/incidents/{incident['id']}", headers=responder)).json()
    assert again["sla"]["ack_due_at"] == incident["sla"]["ack_due_at"]


async def test_a_calendar_in_use_cannot_be_deleted(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    made = await make_calendar(client, admin)
    service = await make_service(client, admin, made["id"])
    listed = (await client.get(f"/calendars/{made['id']}", headers=admin)).json()
    assert listed["used_by"] == ["ledger SEV3", "ledger SEV4"]
    r = await client.delete(f"/calendars/{made['id']}", headers=admin)
    assert r.status_code == 409 and "ledger SEV3" in r.json()["detail"]
    await client.patch(f"/services/{service}", headers=admin, json={"sla_policy": policy(None)})
    assert (await client.delete(f"/calendars/{made['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"/calendars/{made['id']}", headers=admin)).status_code == 404


async def test_times_from_the_preview_are_utc(client: httpx.AsyncClient, admin: Headers) -> None:
    service = await make_service(client, admin, None)
    r = await client.get("/sla/preview", headers=admin, params={
        "service_id": service, "severity": "SEV2", "start": "2026-11-27T17:00:00+01:00"})
    assert datetime.fromisoformat(r.json()["ack_due_at"]) == datetime(2026, 11, 27, 16, 15, tzinfo=UTC)


async def test_the_demo_runs_sev3_and_sev4_in_office_hours(
    client: httpx.AsyncClient, viewer: Headers
) -> None:
    [office] = [c for c in (await client.get("/calendars", headers=viewer)).json()
                if c["name"] == "Office hours"]
    assert office["timezone"] == "Europe/Berlin" and office["hours"]["mon"] == [["09:00", "17:00"]]
    for s in (await client.get("/services", headers=viewer)).json():
        assert [s["sla_policy"][sev]["calendar_id"] for sev in ("SEV1", "SEV2", "SEV3", "SEV4")] == [
            None, None, office["id"], office["id"]]
