"""Follow-ups (action items): adding, editing, completing and listing them, who may, what is
refused (naming the field, nothing written), "My follow-ups" with the overdue first, keyset
pages, the close gate a service opts into, the timeline events and the report's section."""

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.errors import Unprocessable
from app.services.action_items import follow_ups
from tests.api.test_lifecycle_api import new_incident

TODAY = date.today()  # the tests' dates sit days away from it, so the UTC date never matters
Headers = dict[str, str]


async def users(client: httpx.AsyncClient, headers: Headers) -> dict[str, dict[str, Any]]:
    return {u["username"]: u for u in (await client.get("/users", headers=headers)).json()}


async def add(client: httpx.AsyncClient, headers: Headers, iid: int, **body: Any) -> dict[str, Any]:
    r = await client.post(f"/incidents/{iid}/action-items", headers=headers,
                          json={"title": "Alert on disk usage", "kind": "preventive", **body})
    assert r.status_code == 201, r.text
    item: dict[str, Any] = r.json()
    return item


async def item_rows(app: FastAPI) -> list[tuple[Any, ...]]:
    async with app.state.db.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(
            "SELECT id, title, owner_id, due_date, status FROM action_items ORDER BY id"))]


async def event_count(app: FastAPI, iid: int) -> int:
    async with app.state.db.engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM incident_events WHERE incident_id = :i"),
                                     {"i": iid}))


async def resolve_with_rca(client: httpx.AsyncClient, headers: Headers, iid: int) -> None:
    for status in ("Investigating", "Mitigated", "Resolved"):
        r = await client.post(f"/incidents/{iid}/status", headers=headers, json={"status": status})
        assert r.status_code == 200, r.text
    r = await client.put(f"/incidents/{iid}/rca", headers=headers, json={
        "root_cause": "Logs filled the disk", "contributing_factors": "No rotation",
        "corrective_actions": "Rotated logs", "prevention_actions": "Alert at 80%"})
    assert r.status_code == 200, r.text


async def test_add_edit_complete_and_reopen_read_back_everywhere(
    client: httpx.AsyncClient, responder: Headers, viewer: Headers
) -> None:
    people = await users(client, responder)
    avery, jordan = people["avery"], people["jordan"]
    iid = (await new_incident(client, responder))["id"]
    due = (TODAY + timedelta(days=7)).isoformat()
    item = await add(client, responder, iid, owner_id=avery["id"], due_date=due,
                     url="https://tickets.example.com/OPS-1")
    assert {k: item[k] for k in ("incident_id", "title", "kind", "owner_id", "owner_name", "due_date",
                                 "url", "status", "overdue", "completed_at", "created_by")} == {
        "incident_id": iid, "title": "Alert on disk usage", "kind": "preventive",
        "owner_id": avery["id"], "owner_name": avery["name"], "due_date": due,
        "url": "https://tickets.example.com/OPS-1", "status": "open", "overdue": False,
        "completed_at": None, "created_by": avery["id"]}
    listed = (await client.get(f"/incidents/{iid}/action-items", headers=viewer)).json()
    assert listed == [item]

    edited = await client.patch(f"/action-items/{item['id']}", headers=responder, json={
        "title": "Alert on disk usage at 80%", "owner_id": jordan["id"], "url": None})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["owner_name"], edited.json()["url"],
            edited.json()["due_date"]) == ("Alert on disk usage at 80%", jordan["name"], None, due)

    done = (await client.patch(f"/action-items/{item['id']}", headers=responder,
                               json={"status": "done"})).json()
    assert done["status"] == "done" and done["completed_at"] is not None
    reopened = (await client.patch(f"/action-items/{item['id']}", headers=responder,
                                   json={"status": "open"})).json()
    assert reopened["status"] == "open" and reopened["completed_at"] is None

    timeline = (await client.get(f"/incidents/{iid}/events", headers=viewer)).json()
    changes = [(e["data"]["change"], e["data"]["action_item_id"], e["data"]["fields"])
               for e in timeline if e["type"] == "action_item"]
    assert changes == [("added", item["id"], []), ("edited", item["id"], ["title", "owner_id", "url"]),
                       ("completed", item["id"], ["status"]), ("reopened", item["id"], ["status"])]
    assert all(e["created_by"] == avery["id"] for e in timeline if e["type"] == "action_item")
    audit = (await client.get(f"/incidents/{iid}/audit", headers=viewer)).json()
    assert audit["verified"] is True

    # Sending what is already there is no change and no event.
    before = await client.get(f"/incidents/{iid}/events", headers=viewer)
    same = await client.patch(f"/action-items/{item['id']}", headers=responder,
                              json={"status": "open", "due_date": due})
    assert same.status_code == 200 and same.json() == reopened
    assert (await client.get(f"/incidents/{iid}/events", headers=viewer)).json() == before.json()


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"kind": "urgent"}, "kind"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "ftp://files.example.com/x"}, "url"),
    ({"url": "https://"}, "url"),
    # Control characters and spaces of any kind (NEL, ideographic), wherever they stand.
    ({"url": "https://tickets.example.com/a\x19b"}, "url"),
    ({"url": "http://\x85tickets.example.com"}, "url"),
    ({"url": "https://tickets.example.com/a\u3000b"}, "url"),
    ({"due_date": "2026-02-30"}, "due_date"),
    ({"due_date": 1767225600}, "due_date"),
    ({"owner_id": "2"}, "owner_id"),
    ({"severity": "SEV1"}, "severity"),
])
async def test_malformed_fields_are_422_naming_them_and_write_nothing(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, body: dict[str, Any], field: str
) -> None:
    iid = (await new_incident(client, responder))["id"]
    events = await event_count(app, iid)
    r = await client.post(f"/incidents/{iid}/action-items", headers=responder,
                          json={"title": "Fix it", "kind": "corrective", **body})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_failed"
    assert field in [e["loc"][-1] for e in r.json()["detail"]] or field in str(r.json()["detail"])
    assert await item_rows(app) == [] and await event_count(app, iid) == events


async def test_an_owner_must_be_an_active_person_who_works_incidents(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    people = await users(client, admin)
    iid = (await new_incident(client, responder))["id"]
    events = await event_count(app, iid)
    for owner in (people["morgan"]["id"], 999_999):
        r = await client.post(f"/incidents/{iid}/action-items", headers=responder,
                              json={"title": "Fix it", "kind": "corrective", "owner_id": owner})
        assert r.status_code == 422, r.text
        assert (r.json()["code"], r.json()["field"]) == ("invalid_request", "owner_id")
    assert await item_rows(app) == [] and await event_count(app, iid) == events

    item = await add(client, responder, iid)
    r = await client.patch(f"/action-items/{item['id']}", headers=responder,
                           json={"owner_id": people["morgan"]["id"], "title": "Renamed"})
    assert (r.status_code, r.json()["field"]) == (422, "owner_id")
    assert (await item_rows(app))[0][1:] == ("Alert on disk usage", None, None, "open")
    assert (await client.patch("/action-items/999999", headers=responder, json={})).status_code == 404
    assert (await client.post("/incidents/999999/action-items", headers=responder,
                              json={"title": "x", "kind": "corrective"})).status_code == 404


async def test_viewers_read_and_never_write(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, viewer: Headers, admin: Headers
) -> None:
    iid = (await new_incident(client, responder))["id"]
    item = await add(client, admin, iid)
    assert (await client.post(f"/incidents/{iid}/action-items", headers=viewer,
                              json={"title": "x", "kind": "corrective"})).status_code == 403
    assert (await client.patch(f"/action-items/{item['id']}", headers=viewer,
                               json={"status": "done"})).status_code == 403
    assert (await client.get(f"/incidents/{iid}/action-items", headers=viewer)).status_code == 200
    assert (await client.get("/action-items", headers=viewer)).status_code == 200
    assert (await client.get("/action-items")).status_code == 401
    assert [r[4] for r in await item_rows(app)] == ["open"]


async def test_my_follow_ups_put_the_overdue_first_and_page_by_keyset(
    client: httpx.AsyncClient, responder: Headers, admin: Headers
) -> None:
    people = await users(client, admin)
    me, other = people["avery"]["id"], people["jordan"]["id"]
    iid = (await new_incident(client, responder))["id"]

    def day(n: int) -> str:
        return (TODAY + timedelta(days=n)).isoformat()

    mine = {
        "late": await add(client, responder, iid, title="late", owner_id=me, due_date=day(-3)),
        "later": await add(client, responder, iid, title="later", owner_id=me, due_date=day(10)),
        "undated": await add(client, responder, iid, title="undated", owner_id=me),
        "soon": await add(client, responder, iid, title="soon", owner_id=me, due_date=day(2)),
        "very late": await add(client, responder, iid, title="very late", owner_id=me, due_date=day(-9)),
        "done late": await add(client, responder, iid, title="done late", owner_id=me, due_date=day(-5)),
    }
    await add(client, responder, iid, title="not mine", owner_id=other, due_date=day(-20))
    await client.patch(f"/action-items/{mine['done late']['id']}", headers=responder, json={"status": "done"})

    r = await client.get("/action-items?owner_id=me&status=open", headers=responder)
    assert r.status_code == 200, r.text
    page = r.json()
    assert [i["title"] for i in page["items"]] == ["very late", "late", "soon", "later", "undated"]
    assert [i["overdue"] for i in page["items"]] == [True, True, False, False, False]
    assert page["next_cursor"] is None
    assert all(i["incident_title"] == "Disk full" for i in page["items"])

    overdue = (await client.get("/action-items?overdue=true", headers=responder)).json()["items"]
    assert [i["title"] for i in overdue] == ["not mine", "very late", "late"]
    by_id = (await client.get(f"/action-items?owner_id={other}", headers=responder)).json()["items"]
    assert [i["title"] for i in by_id] == ["not mine"]
    done = (await client.get("/action-items?status=done&owner_id=me", headers=responder)).json()["items"]
    assert [i["title"] for i in done] == ["done late"]

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"owner_id": "me", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/action-items", headers=responder, params=params)).json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["very late", "done late", "late", "soon", "later", "undated"]

    bad = await client.get("/action-items?cursor=bm90LW1pbmU", headers=responder)
    assert (bad.status_code, bad.json()["field"]) == (422, "cursor")
    assert (await client.get("/action-items?owner_id=you", headers=responder)).status_code == 422


async def test_a_service_can_require_an_owned_dated_follow_up_to_close(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    people = await users(client, admin)
    service = (await client.get("/services/1", headers=admin)).json()
    assert service["close_requires_action_items"] == []
    refused = await client.patch("/services/1", headers=responder,
                                 json={"close_requires_action_items": ["SEV3"]})
    assert refused.status_code == 403
    twice = await client.patch("/services/1", headers=admin,
                               json={"close_requires_action_items": ["SEV3", "SEV3"]})
    assert twice.status_code == 422
    r = await client.patch("/services/1", headers=admin, json={"close_requires_action_items": ["SEV3", "SEV1"]})
    assert r.status_code == 200, r.text
    assert r.json()["close_requires_action_items"] == ["SEV1", "SEV3"]

    sev3 = (await new_incident(client, responder))["id"]
    assert (await client.get(f"/incidents/{sev3}", headers=admin)).json()["close_blockers"] == [
        "root_cause", "contributing_factors", "corrective_actions", "prevention_actions", "action_items"]
    await resolve_with_rca(client, responder, sev3)
    detail = (await client.get(f"/incidents/{sev3}", headers=admin)).json()
    assert detail["close_blockers"] == ["action_items"]
    listed = (await client.get("/incidents?status=Resolved", headers=admin)).json()["items"]
    assert [i["close_blockers"] for i in listed if i["id"] == sev3] == [["action_items"]]

    blocked = await client.post(f"/incidents/{sev3}/status", headers=responder, json={"status": "Closed"})
    assert blocked.status_code == 409
    assert (blocked.json()["code"], blocked.json()["missing"]) == ("closure_blocked", ["action_items"])

    # An owner alone, or a due date alone, is not enough.
    unowned = await add(client, responder, sev3, due_date=(TODAY + timedelta(days=3)).isoformat())
    await add(client, responder, sev3, owner_id=people["avery"]["id"])
    assert (await client.post(f"/incidents/{sev3}/status", headers=responder,
                              json={"status": "Closed"})).status_code == 409
    assert (await client.get(f"/incidents/{sev3}", headers=admin)).json()["close_blockers"] == ["action_items"]

    await client.patch(f"/action-items/{unowned['id']}", headers=responder,
                       json={"owner_id": people["jordan"]["id"]})
    assert (await client.get(f"/incidents/{sev3}", headers=admin)).json()["close_blockers"] == []
    closed = await client.post(f"/incidents/{sev3}/status", headers=responder, json={"status": "Closed"})
    assert closed.status_code == 200, closed.text

    # Another severity of the same service closes with the RCA alone.
    sev2 = (await new_incident(client, responder, severity="SEV2"))["id"]
    await resolve_with_rca(client, responder, sev2)
    assert (await client.post(f"/incidents/{sev2}/status", headers=responder,
                              json={"status": "Closed"})).status_code == 200

    # Follow-ups outlive the incident: a Closed one still takes and completes them.
    late = await add(client, responder, sev3, title="Postmortem review")
    done = await client.patch(f"/action-items/{late['id']}", headers=responder, json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"


async def test_a_new_service_may_require_follow_ups(client: httpx.AsyncClient, admin: Headers) -> None:
    policy = {s: {"ack_minutes": 5, "resolve_minutes": 60} for s in ("SEV1", "SEV2", "SEV3", "SEV4")}
    r = await client.post("/services", headers=admin, json={
        "name": "Billing", "owner_team": "Payments", "sla_policy": policy,
        "close_requires_action_items": ["SEV2"]})
    assert r.status_code == 201, r.text
    assert r.json()["close_requires_action_items"] == ["SEV2"]
    plain = await client.post("/services", headers=admin, json={
        "name": "Search", "owner_team": "Discovery", "sla_policy": policy})
    assert plain.json()["close_requires_action_items"] == []


async def test_the_report_has_a_follow_ups_section_with_the_overdue_marked(
    client: httpx.AsyncClient, responder: Headers, admin: Headers
) -> None:
    people = await users(client, admin)
    iid = (await new_incident(client, responder))["id"]
    empty = (await client.get(f"/incidents/{iid}/report.md", headers=responder)).text
    assert "## Follow-ups\n\n_No follow-ups recorded._" in empty
    late = (TODAY - timedelta(days=2)).isoformat()
    await add(client, responder, iid, title="Rotate logs | hourly", kind="corrective",
              owner_id=people["avery"]["id"], due_date=late, url="https://tickets.example.com/OPS-7")
    done = await add(client, responder, iid, title="Document the runbook", due_date=late)
    await client.patch(f"/action-items/{done['id']}", headers=responder, json={"status": "done"})
    report = (await client.get(f"/incidents/{iid}/report.md", headers=responder)).text
    section = report.split("## Follow-ups\n", 1)[1].split("\n\n_Report", 1)[0]
    assert "| Follow-up | Kind | Owner | Due | Status | Link |" in section
    assert (f"| Rotate logs \\| hourly | corrective | {people['avery']['name']} | {late} **(overdue)** | "
            "open | [ticket](<https://tickets.example.com/OPS-7>) |") in section
    assert f"| Document the runbook | preventive | Unowned | {late} | done | — |" in section


async def test_a_failure_after_the_insert_rolls_everything_back(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    iid = (await new_incident(client, responder))["id"]
    item = await add(client, responder, iid)
    events = await event_count(app, iid)

    async def failing(*_args: Any, **_kwargs: Any) -> None:
        raise Unprocessable("the timeline refused it", field="title")

    monkeypatch.setattr(follow_ups, "record_events", failing)
    r = await client.post(f"/incidents/{iid}/action-items", headers=responder,
                          json={"title": "Never stored", "kind": "corrective"})
    assert r.status_code == 422
    r = await client.patch(f"/action-items/{item['id']}", headers=responder, json={"status": "done"})
    assert r.status_code == 422
    assert await item_rows(app) == [(item["id"], "Alert on disk usage", None, None, "open")]
    assert await event_count(app, iid) == events


async def test_a_change_reaches_the_live_stream(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    iid = (await new_incident(client, responder))["id"]
    async with app.state.live.subscription() as queue:
        item = await add(client, responder, iid)
        while True:  # on PostgreSQL the incident's own `created` may still be on its way (NOTIFY)
            update = await asyncio.wait_for(queue.get(), 5)
            if (update is not None and update.kind == "event.created"
                    and update.data["type"] != "created"):
                break
    assert update.data["type"] == "action_item"
    assert update.data["data"]["action_item_id"] == item["id"]
