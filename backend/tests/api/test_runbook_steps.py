"""Runbook steps on an incident: kinds and the destructive flag in the definitions, and where
each step stands (who applied or ticked it, when, how often) read off the timeline."""

import httpx

CHECKOUT = 1  # the seeded checkout-api service: its runbook's step 3 is destructive, step 4 manual


async def new_incident(client: httpx.AsyncClient, headers: dict[str, str], service_id: int = CHECKOUT) -> int:
    r = await client.post("/incidents", headers=headers,
                          json={"title": "Checkout slow", "severity": "SEV2", "service_id": service_id})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def checkout_runbook(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    runbooks = (await client.get(f"/services/{CHECKOUT}/runbooks", headers=headers)).json()
    return runbooks[0]


async def apply(client: httpx.AsyncClient, headers: dict[str, str], iid: int, **body: object) -> httpx.Response:
    return await client.post(f"/incidents/{iid}/apply-runbook-step", headers=headers, json=body)


async def steps_of(client: httpx.AsyncClient, headers: dict[str, str], iid: int) -> dict[int, dict]:
    detail = (await client.get(f"/incidents/{iid}", headers=headers)).json()
    return {s["step_index"]: s for s in detail["runbook_steps"]}


async def test_step_definitions_carry_kind_and_destructive_with_defaults(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    seeded = await checkout_runbook(client, admin)
    assert [(s["kind"], s["destructive"]) for s in seeded["steps"]] == [
        ("action", False), ("action", False), ("action", True), ("manual", False)]

    r = await client.post("/runbooks", headers=admin, json={"service_id": CHECKOUT, "title": "Flags", "steps": [
        {"title": "Plain"},
        {"title": "Drop the cache", "destructive": True},
        {"title": "Dashboards green", "kind": "manual"},
    ]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert [(s["kind"], s["destructive"]) for s in created["steps"]] == [
        ("action", False), ("action", True), ("manual", False)]

    # The editor sends every step back: the flags change, and stay changed on a later read.
    steps = [{"title": "Plain", "kind": "manual"}, {"title": "Drop the cache", "destructive": False}]
    r = await client.patch(f"/runbooks/{created['id']}", headers=admin, json={"steps": steps})
    assert r.status_code == 200, r.text
    again = (await client.get(f"/runbooks/{created['id']}", headers=admin)).json()
    assert [(s["kind"], s["destructive"]) for s in again["steps"]] == [("manual", False), ("action", False)]


async def test_bad_step_flags_are_422_naming_the_field(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    bad = [({"title": "x", "kind": "robot"}, "kind"), ({"title": "x", "destructive": "yes"}, "destructive")]
    for step, field in bad:
        r = await client.post("/runbooks", headers=admin,
                              json={"service_id": CHECKOUT, "title": "Bad", "steps": [step]})
        assert r.status_code == 422, r.text
        assert field in str(r.json()["detail"])


async def test_applied_step_state_names_who_when_and_how_often(
    client: httpx.AsyncClient, admin: dict[str, str], responder: dict[str, str]
) -> None:
    iid = await new_incident(client, admin)
    rb = await checkout_runbook(client, admin)
    assert await steps_of(client, admin, iid) == {}

    first = await apply(client, responder, iid, runbook_id=rb["id"], step_index=0)
    assert first.status_code == 201, first.text
    assert first.json()["data"]["kind"] == "action"
    again = await apply(client, admin, iid, runbook_id=rb["id"], step_index=0, note="after the deploy")
    assert again.status_code == 201, again.text

    state = (await steps_of(client, admin, iid))[0]
    assert state["runbook_id"] == rb["id"]
    assert state["done"] is True
    assert state["times"] == 2
    assert state["by_name"] == "Jordan Lee"  # the last one to apply it
    assert state["at"] == again.json()["created_at"]


async def test_destructive_step_needs_confirmation(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    iid = await new_incident(client, admin)
    rb = await checkout_runbook(client, admin)
    refused = await apply(client, admin, iid, runbook_id=rb["id"], step_index=2)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_request"
    assert refused.json()["field"] == "confirmed"
    assert await steps_of(client, admin, iid) == {}

    done = await apply(client, admin, iid, runbook_id=rb["id"], step_index=2, confirmed=True)
    assert done.status_code == 201, done.text
    assert done.json()["data"]["destructive"] is True
    assert (await steps_of(client, admin, iid))[2]["done"] is True


async def test_manual_step_ticks_and_unticks(
    client: httpx.AsyncClient, admin: dict[str, str], responder: dict[str, str]
) -> None:
    iid = await new_incident(client, admin)
    rb = await checkout_runbook(client, admin)

    never_ticked = await apply(client, admin, iid, runbook_id=rb["id"], step_index=3, done=False)
    assert never_ticked.status_code == 422
    assert never_ticked.json()["field"] == "done"

    ticked = await apply(client, responder, iid, runbook_id=rb["id"], step_index=3)
    assert ticked.status_code == 201, ticked.text
    assert ticked.json()["body"].startswith("Ticked step 4")
    assert (await steps_of(client, admin, iid))[3] | {"at": None} == {
        "runbook_id": rb["id"], "step_index": 3, "done": True, "times": 1,
        "by": ticked.json()["created_by"], "by_name": "Avery Patel", "at": None}

    unticked = await apply(client, admin, iid, runbook_id=rb["id"], step_index=3, done=False)
    assert unticked.status_code == 201, unticked.text
    assert unticked.json()["body"].startswith("Unticked step 4")
    state = (await steps_of(client, admin, iid))[3]
    assert (state["done"], state["times"], state["by_name"]) == (False, 1, "Jordan Lee")

    # An action step is applied, never unticked.
    refused = await apply(client, admin, iid, runbook_id=rb["id"], step_index=0, done=False)
    assert refused.status_code == 422
    assert refused.json()["field"] == "done"


async def test_bad_apply_input_is_4xx_naming_the_field(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    iid = await new_incident(client, admin)
    rb = await checkout_runbook(client, admin)
    r = await apply(client, admin, iid, runbook_id=rb["id"], step_index=99)
    assert (r.status_code, r.json()["field"]) == (422, "step_index")
    r = await apply(client, admin, iid, runbook_id=rb["id"], step_index=0, confirmed="yes")
    assert r.status_code == 422
    assert "confirmed" in str(r.json()["detail"])
    r = await apply(client, admin, iid, runbook_id=rb["id"], step_index=0, done=1)
    assert r.status_code == 422
    assert "done" in str(r.json()["detail"])


async def test_viewers_cannot_apply_steps(
    client: httpx.AsyncClient, admin: dict[str, str], viewer: dict[str, str]
) -> None:
    iid = await new_incident(client, admin)
    rb = await checkout_runbook(client, admin)
    r = await apply(client, viewer, iid, runbook_id=rb["id"], step_index=0)
    assert r.status_code == 403
    assert await steps_of(client, admin, iid) == {}


async def test_step_state_survives_in_every_incident_answer(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    """The status move answers the same IncidentDetail, step states included."""
    iid = await new_incident(client, admin)
    rb = await checkout_runbook(client, admin)
    assert (await apply(client, admin, iid, runbook_id=rb["id"], step_index=1)).status_code == 201
    moved = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Investigating"})
    assert moved.status_code == 200, moved.text
    assert [(s["step_index"], s["done"]) for s in moved.json()["runbook_steps"]] == [(1, True)]
