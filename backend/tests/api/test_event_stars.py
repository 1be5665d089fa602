"""Key events: stars on timeline events, their own record. Starring and unstarring, 404 across
incidents, viewers refused, the report's Key events section, the live stream told, and the
timeline (its rows, its hash chain, the incident's version) untouched."""

import asyncio
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from tests.api.test_lifecycle_api import new_incident


def star_path(incident_id: int, event_id: int) -> str:
    return f"/incidents/{incident_id}/events/{event_id}/star"


async def comment(client: httpx.AsyncClient, headers: dict[str, str], iid: int, body: str) -> dict[str, Any]:
    r = await client.post(f"/incidents/{iid}/comments", headers=headers, json={"body": body})
    assert r.status_code == 201, r.text
    event: dict[str, Any] = r.json()
    return event


async def events_table(app: FastAPI, iid: int) -> list[tuple[Any, ...]]:
    async with app.state.db.engine.connect() as conn:
        rows = await conn.execute(text(
            "SELECT id, type, body, created_at, prev_hash, hash, state_hash FROM incident_events "
            "WHERE incident_id = :i ORDER BY id"), {"i": iid})
        return [tuple(r) for r in rows]


async def test_star_and_unstar_are_read_back_everywhere_and_idempotent(
    client: httpx.AsyncClient, responder: dict[str, str], admin: dict[str, str], viewer: dict[str, str]
) -> None:
    iid = (await new_incident(client, responder))["id"]
    event = await comment(client, responder, iid, "Rolled back the deploy")
    assert (event["starred"], event["starred_by"], event["starred_by_name"], event["starred_at"]) == (
        False, None, None, None)

    first = await client.put(star_path(iid, event["id"]), headers=responder)
    assert first.status_code == 200, first.text
    starred = first.json()
    assert starred["starred"] is True and starred["starred_by_name"]
    assert starred["id"] == event["id"] and starred["body"] == event["body"]
    assert datetime.fromisoformat(starred["starred_at"]).tzinfo is not None

    # Again, by someone else: nothing changes, the first starrer stays.
    again = await client.put(star_path(iid, event["id"]), headers=admin)
    assert again.status_code == 200
    assert again.json() == starred

    # The list, the detail and the stream's read model say the same.
    listed = {e["id"]: e for e in (await client.get(f"/incidents/{iid}/events", headers=viewer)).json()}
    detail = {e["id"]: e for e in (await client.get(f"/incidents/{iid}", headers=viewer)).json()["events"]}
    assert listed[event["id"]] == detail[event["id"]] == starred
    others = [e for e in listed.values() if e["id"] != event["id"]]
    assert others and all(not e["starred"] and e["starred_by"] is None for e in others)

    # Any responder may take it off; twice is fine.
    off = await client.delete(star_path(iid, event["id"]), headers=admin)
    assert off.status_code == 200, off.text
    assert (off.json()["starred"], off.json()["starred_by"], off.json()["starred_at"]) == (False, None, None)
    assert (await client.delete(star_path(iid, event["id"]), headers=admin)).json() == off.json()
    detail_after = (await client.get(f"/incidents/{iid}", headers=viewer)).json()["events"]
    assert not any(e["starred"] for e in detail_after)


async def test_a_star_names_who_starred(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    me = (await client.get("/auth/me", headers=responder)).json()
    iid = (await new_incident(client, responder))["id"]
    event = await comment(client, responder, iid, "Found it")
    starred = (await client.put(star_path(iid, event["id"]), headers=responder)).json()
    assert (starred["starred_by"], starred["starred_by_name"]) == (me["id"], me["name"])


async def test_an_event_of_another_incident_is_404(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    one = (await new_incident(client, responder))["id"]
    two = (await new_incident(client, responder))["id"]
    theirs = await comment(client, responder, two, "Not yours")
    for method in ("PUT", "DELETE"):
        r = await client.request(method, star_path(one, theirs["id"]), headers=responder)
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "not_found" and r.json()["resource"] == "Event"
        missing = await client.request(method, star_path(999_999, theirs["id"]), headers=responder)
        assert missing.status_code == 404 and missing.json()["resource"] == "Incident"
        unknown = await client.request(method, star_path(one, 999_999), headers=responder)
        assert unknown.status_code == 404 and unknown.json()["resource"] == "Event"
    assert not (await client.get(f"/incidents/{two}/events", headers=responder)).json()[-1]["starred"]


async def test_viewers_may_not_star_or_unstar(
    client: httpx.AsyncClient, responder: dict[str, str], viewer: dict[str, str]
) -> None:
    iid = (await new_incident(client, responder))["id"]
    event = await comment(client, responder, iid, "Key")
    assert (await client.put(star_path(iid, event["id"]), headers=viewer)).status_code == 403
    assert (await client.put(star_path(iid, event["id"]), headers=responder)).status_code == 200
    assert (await client.delete(star_path(iid, event["id"]), headers=viewer)).status_code == 403
    assert (await client.put(star_path(iid, event["id"]))).status_code == 401
    events = (await client.get(f"/incidents/{iid}/events", headers=viewer)).json()
    assert [e["starred"] for e in events if e["id"] == event["id"]] == [True]


async def test_starring_leaves_the_timeline_and_its_chain_untouched(
    app: FastAPI, client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    iid = (await new_incident(client, responder))["id"]
    first = await comment(client, responder, iid, "Graphs look bad")
    await comment(client, responder, iid, "Rolled back")
    before_rows = await events_table(app, iid)
    before = (await client.get(f"/incidents/{iid}", headers=responder)).json()

    assert (await client.put(star_path(iid, first["id"]), headers=responder)).status_code == 200
    after_rows = await events_table(app, iid)
    after = (await client.get(f"/incidents/{iid}", headers=responder)).json()
    assert after_rows == before_rows  # no new event, none changed
    assert after["version"] == before["version"]
    audit = (await client.get(f"/incidents/{iid}/audit", headers=responder)).json()
    assert audit["verified"] is True, audit
    assert audit["event_count"] == len(before_rows)

    assert (await client.delete(star_path(iid, first["id"]), headers=responder)).status_code == 200
    assert await events_table(app, iid) == before_rows
    assert (await client.get(f"/incidents/{iid}/audit", headers=responder)).json()["verified"] is True


async def test_the_report_lists_the_key_events_in_time_order(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    iid = (await new_incident(client, responder))["id"]
    report = (await client.get(f"/incidents/{iid}/report.md", headers=responder)).text
    assert "_No key events starred._" in report.split("## Key events", 1)[1].split("\n## ", 1)[0]

    early = await comment(client, responder, iid, "Error rate\nabove 5%")
    await comment(client, responder, iid, "Just chatter")
    late = await comment(client, responder, iid, "Rolled back v2.3")
    for event in (late, early):  # starred out of order: the report still goes by time
        assert (await client.put(star_path(iid, event["id"]), headers=responder)).status_code == 200

    report = (await client.get(f"/incidents/{iid}/report.md", headers=responder)).text
    section = report.split("## Key events", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert "Error rate above 5%" in lines[0] and "Rolled back v2.3" in lines[1]
    assert "Just chatter" not in section
    for line, event in zip(lines, (early, late), strict=True):
        stamp = line[2:].split(" — ", 1)[0]
        assert stamp.endswith("Z")
        assert datetime.fromisoformat(stamp) == datetime.fromisoformat(event["created_at"]).replace(microsecond=0)


async def test_a_star_change_reaches_the_live_stream(
    app: FastAPI, client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    iid = (await new_incident(client, responder))["id"]
    event = await comment(client, responder, iid, "Key")
    async with app.state.live.subscription() as queue:
        await client.put(star_path(iid, event["id"]), headers=responder)
        await client.put(star_path(iid, event["id"]), headers=responder)  # no change: no update
        await client.delete(star_path(iid, event["id"]), headers=responder)
        # On PostgreSQL the comment's own NOTIFY may still be on its way when the test
        # subscribes: only the star's updates are counted, and no third one may follow.
        updates = []
        while len(updates) < 2:
            update = await asyncio.wait_for(queue.get(), 5)
            if update is not None and update.kind == "event.updated":
                updates.append(update)
        await asyncio.sleep(0.2)
        while not queue.empty():
            late = queue.get_nowait()
            assert late is None or late.kind != "event.updated", late
    assert [(u.kind, u.data["id"], u.data["incident_id"], u.data["starred"]) for u in updates if u] == [
        ("event.updated", event["id"], iid, True), ("event.updated", event["id"], iid, False)]
