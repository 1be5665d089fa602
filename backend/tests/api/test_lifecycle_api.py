"""Transitions over HTTP: every illegal move, the closure gate, versions and concurrency."""

import asyncio

import httpx
import pytest

from app.domain.lifecycle import TRANSITIONS, Status

PATH_TO = {
    Status.NEW: [],
    Status.INVESTIGATING: ["Investigating"],
    Status.MITIGATED: ["Investigating", "Mitigated"],
    Status.RESOLVED: ["Investigating", "Mitigated", "Resolved"],
}


async def new_incident(client: httpx.AsyncClient, headers: dict[str, str], **extra: object) -> dict:
    body = {"title": "Disk full", "severity": "SEV3", "service_id": 1, **extra}
    r = await client.post("/incidents", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("current", list(PATH_TO))
async def test_illegal_transitions_are_409_and_change_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], current: Status
) -> None:
    iid = (await new_incident(client, admin))["id"]
    for step in PATH_TO[current]:
        assert (await client.post(f"/incidents/{iid}/status", headers=admin,
                                  json={"status": step})).status_code == 200
    before = (await client.get(f"/incidents/{iid}", headers=admin)).json()
    for target in Status:
        if target in TRANSITIONS[current] or (target is Status.CLOSED and current is Status.RESOLVED):
            continue
        r = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": target})
        assert r.status_code == 409, (current, target)
        assert current.value in r.json()["detail"]
    after = (await client.get(f"/incidents/{iid}", headers=admin)).json()
    assert after == before


async def test_reopen_clears_resolved_and_closed_is_terminal(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    iid = (await new_incident(client, admin))["id"]
    for step in PATH_TO[Status.RESOLVED]:
        await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": step})
    reopened = await client.post(f"/incidents/{iid}/status", headers=admin,
                                 json={"status": "Investigating", "note": "came back"})
    assert reopened.status_code == 200
    assert reopened.json()["resolved_at"] is None
    assert reopened.json()["acknowledged_at"] is not None
    events = (await client.get(f"/incidents/{iid}/events", headers=admin)).json()
    assert events[-1]["data"] == {"from": "Resolved", "to": "Investigating", "note": "came back"}
    assert "Reopened" in events[-1]["body"]

    for step in ("Mitigated", "Resolved"):
        await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": step})
    await client.put(f"/incidents/{iid}/rca", headers=admin, json={
        "root_cause": "a", "contributing_factors": "b", "corrective_actions": "c",
        "prevention_actions": "d"})
    assert (await client.post(f"/incidents/{iid}/status", headers=admin,
                              json={"status": "Closed"})).status_code == 200
    again = await client.post(f"/incidents/{iid}/status", headers=admin,
                              json={"status": "Investigating"})
    assert again.status_code == 409
    assert (await client.put(f"/incidents/{iid}/rca", headers=admin, json={})).status_code == 409


async def test_closure_names_only_the_blank_fields(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    iid = (await new_incident(client, admin))["id"]
    for step in PATH_TO[Status.RESOLVED]:
        await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": step})
    await client.put(f"/incidents/{iid}/rca", headers=admin, json={
        "root_cause": "expired cert", "contributing_factors": "   ",
        "corrective_actions": "renewed", "prevention_actions": ""})
    detail = (await client.get(f"/incidents/{iid}", headers=admin)).json()
    assert detail["close_blockers"] == ["contributing_factors", "prevention_actions"]
    r = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Closed"})
    assert r.status_code == 409
    assert "contributing_factors" in r.json()["detail"]
    assert "root_cause" not in r.json()["detail"]


async def test_stale_version_is_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    iid = (await new_incident(client, admin))["id"]
    stale = await client.post(f"/incidents/{iid}/status", headers={**admin, "If-Match": "7"},
                              json={"status": "Investigating"})
    assert stale.status_code == 409
    body_stale = await client.post(f"/incidents/{iid}/status", headers=admin,
                                   json={"status": "Investigating", "version": 3})
    assert body_stale.status_code == 409
    ok = await client.post(f"/incidents/{iid}/status", headers={**admin, "If-Match": '"1"'},
                           json={"status": "Investigating"})
    assert ok.status_code == 200 and ok.json()["version"] == 2


async def test_concurrent_acknowledgements_apply_once(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    iid = (await new_incident(client, admin))["id"]
    responses = await asyncio.gather(*(
        client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Investigating"})
        for _ in range(30)
    ))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1 and codes.count(409) == 29, codes
    events = (await client.get(f"/incidents/{iid}/events", headers=admin)).json()
    assert [e["type"] for e in events].count("status_change") == 1
    assert (await client.get(f"/incidents/{iid}", headers=admin)).json()["version"] == 2
