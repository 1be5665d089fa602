"""The hot reads write their JSON with orjson from plain dicts (services/incident_views.py),
skipping FastAPI's response validation: the bytes must be exactly what pydantic would write
for the declared response model, on both databases, for an incident with everything set."""

import httpx

from app.schemas.incidents import IncidentDetail, IncidentPage


async def full_incident(client: httpx.AsyncClient, admin: dict[str, str]) -> int:
    created = await client.post("/incidents", headers=admin, json={
        "title": "Checkout 5xx after deploy", "description": "p99 up; \"quoted\" and ünicode",
        "severity": "SEV2", "service_id": 1, "assignee_id": 1})
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    for status in ("Investigating", "Mitigated"):
        moved = await client.post(f"/incidents/{ident}/status", headers=admin,
                                  json={"status": status, "note": "rolled back"})
        assert moved.status_code == 200, moved.text
    comment = await client.post(f"/incidents/{ident}/comments", headers=admin,
                                json={"body": "error rate back to baseline"})
    assert comment.status_code == 201
    rca = await client.put(f"/incidents/{ident}/rca", headers=admin,
                           json={"root_cause": "bad config", "corrective_actions": "revert"})
    assert rca.status_code == 200, rca.text
    return int(ident)


async def test_detail_is_byte_for_byte_the_model(client: httpx.AsyncClient,
                                                 admin: dict[str, str]) -> None:
    ident = await full_incident(client, admin)
    response = await client.get(f"/incidents/{ident}", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    model = IncidentDetail.model_validate_json(response.content)
    assert model.model_dump_json().encode() == response.content
    assert model.rca is not None and model.rca.missing_fields == [
        "contributing_factors", "prevention_actions"]
    assert [e.type for e in model.events] == [
        "created", "status_change", "status_change", "comment", "rca_updated"]
    assert model.events[1].data["to"] == "Investigating"
    assert model.sla.state.value in {"on_track", "at_risk", "breached"}


async def test_list_page_is_byte_for_byte_the_model(client: httpx.AsyncClient,
                                                    admin: dict[str, str]) -> None:
    await full_incident(client, admin)
    for params in ({}, {"status": ["Mitigated", "New"], "severity": "SEV2"}, {"q": "ünicode"},
                   {"sla_state": ["on_track", "at_risk", "breached", "met"], "limit": 1}):
        response = await client.get("/incidents", params=params, headers=admin)
        assert response.status_code == 200, (params, response.text)
        page = IncidentPage.model_validate_json(response.content)
        assert page.model_dump_json().encode() == response.content
        assert page.items, params
