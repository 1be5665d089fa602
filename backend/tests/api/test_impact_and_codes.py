"""The customer-impact statement end to end, error bodies a program can read, and one
incident shape for every answer that returns an incident."""

import httpx

from app.domain.events import EventType
from tests.api.test_lifecycle_api import new_incident

IMPACT = "EU shoppers cannot pay by card; about 8% of orders fail"


async def test_impact_is_written_edited_searched_and_reported(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await new_incident(client, admin, impact=IMPACT)
    iid = created["id"]
    assert created["impact"] == IMPACT
    fetched = (await client.get(f"/incidents/{iid}", headers=admin)).json()
    assert fetched["impact"] == IMPACT
    found = (await client.get("/incidents", headers=admin, params={"q": "by card"})).json()
    assert [i["id"] for i in found["items"]] == [iid]
    assert found["items"][0]["impact"] == IMPACT

    edited = await client.patch(f"/incidents/{iid}", headers={**admin, "If-Match": str(created["version"])},
                                json={"impact": "All shoppers cannot pay"})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["impact"] == "All shoppers cannot pay"
    assert body["version"] == created["version"] + 1
    change = [e for e in body["events"] if e["type"] == "field_change"]
    assert [e["data"] for e in change] == [
        {"field": "impact", "from": IMPACT, "to": "All shoppers cannot pay"}]
    gone = (await client.get("/incidents", headers=admin, params={"q": "by card"})).json()
    assert gone["total"] == 0

    report = (await client.get(f"/incidents/{iid}/report.md", headers=admin)).text
    section = report.split("## Impact", 1)[1].split("##", 1)[0]
    assert "All shoppers cannot pay" in section


async def test_impact_too_long_is_422_naming_the_field(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    r = await client.post("/incidents", headers=admin, json={
        "title": "x", "severity": "SEV3", "service_id": 1, "impact": "x" * 20_001})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_failed"
    assert r.json()["detail"][0]["loc"] == ["body", "impact"]


async def test_closure_refusal_names_the_missing_fields(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    iid = (await new_incident(client, admin))["id"]
    for step in ("Investigating", "Mitigated", "Resolved"):
        assert (await client.post(f"/incidents/{iid}/status", headers=admin,
                                  json={"status": step})).status_code == 200
    await client.put(f"/incidents/{iid}/rca", headers=admin, json={"root_cause": "disk"})
    r = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Closed"})
    assert r.status_code == 409
    assert r.json()["code"] == "closure_blocked"
    assert r.json()["missing"] == ["contributing_factors", "corrective_actions", "prevention_actions"]


async def test_illegal_move_names_where_it_may_go(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    iid = (await new_incident(client, admin))["id"]
    r = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Resolved"})
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"
    assert r.json()["allowed"] == ["Investigating"]
    assert (r.json()["current"], r.json()["target"]) == ("New", "Resolved")


async def test_stale_if_match_names_the_current_version(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await new_incident(client, admin)
    iid, version = created["id"], created["version"]
    moved = await client.post(f"/incidents/{iid}/status", headers={**admin, "If-Match": str(version)},
                              json={"status": "Investigating"})
    assert moved.status_code == 200
    stale = await client.patch(f"/incidents/{iid}", headers={**admin, "If-Match": str(version)},
                               json={"title": "late edit"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == version + 1
    rca = await client.put(f"/incidents/{iid}/rca", headers={**admin, "If-Match": str(version)},
                           json={"root_cause": "x"})
    assert (rca.status_code, rca.json()["code"]) == (409, "stale_version")


async def test_other_refusals_carry_a_code(client: httpx.AsyncClient, admin: dict[str, str],
                                           viewer: dict[str, str]) -> None:
    assert (await client.get("/incidents/999999", headers=admin)).json()["code"] == "not_found"
    assert (await client.get("/incidents")).json()["code"] == "unauthenticated"
    forbidden = await client.post("/incidents", headers=viewer,
                                  json={"title": "x", "severity": "SEV3", "service_id": 1})
    assert forbidden.json()["code"] == "forbidden"
    unknown = await client.post("/incidents", headers=admin,
                                json={"title": "x", "severity": "SEV3", "service_id": 999})
    assert unknown.status_code == 422
    assert (unknown.json()["code"], unknown.json()["field"]) == ("invalid_request", "service_id")


async def test_a_move_answers_the_incident_as_get_does(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    iid = (await new_incident(client, admin))["id"]
    moved = await client.post(f"/incidents/{iid}/status", headers=admin,
                              json={"status": "Investigating"})
    fetched = await client.get(f"/incidents/{iid}", headers=admin)
    assert moved.json() == fetched.json()


async def test_the_event_vocabulary_is_in_the_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schema["EventType"]["enum"] == [t.value for t in EventType]
    assert schema["EventRead"]["properties"]["type"] == {"$ref": "#/components/schemas/EventType"}
    codes = schema["ErrorBody"]["properties"]["code"]["enum"]
    assert {"closure_blocked", "illegal_transition", "stale_version"} <= set(codes)
