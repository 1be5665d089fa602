"""Fields a caller may not set are refused with 422 (never silently applied or ignored), and
ids that do not belong together are a 422 too."""

from typing import Any

import httpx

NEW = {"title": "Checkout errors", "severity": "SEV2", "service_id": 1}


async def _incident_count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get("/incidents", headers=headers)
    total: int = response.json()["total"]
    return total


SERVER_OWNED: list[tuple[str, Any]] = [
    ("status", "Closed"), ("version", 99), ("id", 4242), ("created_at", "2020-01-01T00:00:00Z"),
    ("acknowledged_at", "2020-01-01T00:00:00Z"), ("closed_at", "2020-01-01T00:00:00Z"),
    ("sla", {"state": "met"}), ("ack_due_at", "2099-01-01T00:00:00Z"), ("created_by", 1),
]


async def test_create_refuses_server_owned_fields(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await _incident_count(client, responder)
    for field, value in SERVER_OWNED:
        response = await client.post("/incidents", json={**NEW, field: value}, headers=responder)
        assert response.status_code == 422, response.text
        assert field in response.text
    assert await _incident_count(client, responder) == before


async def test_updates_refuse_server_owned_fields(
    client: httpx.AsyncClient, responder: dict[str, str], admin: dict[str, str]
) -> None:
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("PATCH", "/incidents/1", {"status": "Resolved"}),
        ("PATCH", "/incidents/1", {"created_at": "2020-01-01T00:00:00Z"}),
        ("PATCH", "/incidents/1", {"service_id": 2}),
        ("PATCH", "/incidents/1", {"id": 7}),
        ("PATCH", "/incidents/1", {"acknowledged_at": "2020-01-01T00:00:00Z"}),
        ("POST", "/incidents/1/status", {"status": "Investigating",
                                         "acknowledged_at": "2020-01-01T00:00:00Z"}),
        ("POST", "/incidents/1/status", {"status": "Investigating", "created_by": 1}),
        ("POST", "/incidents/1/comments", {"body": "hi", "created_by": 1}),
        ("POST", "/incidents/1/comments", {"body": "hi", "created_at": "2020-01-01T00:00:00Z"}),
        ("POST", "/incidents/1/comments", {"body": "hi", "type": "status_change"}),
        ("POST", "/incidents/1/comments", {"body": "hi", "incident_id": 2}),
        ("PUT", "/incidents/1/rca", {"root_cause": "x", "updated_by": 1}),
        ("PUT", "/incidents/1/rca", {"root_cause": "x", "incident_id": 2}),
        ("PUT", "/incidents/1/rca", {"root_cause": "x", "updated_at": "2020-01-01T00:00:00Z"}),
        ("POST", "/auth/password", {"current_password": "demo123", "new_password": "x" * 10,
                                    "role": "admin"}),
    ]
    before = (await client.get("/incidents/1", headers=responder)).json()
    for method, path, body in cases:
        response = await client.request(method, path, json=body, headers=responder)
        assert response.status_code == 422, (method, path, body, response.text)
    after = (await client.get("/incidents/1", headers=responder)).json()
    assert after == before
    me = await client.get("/auth/me", headers=responder)
    assert me.status_code == 200 and me.json()["role"] == "responder"

    admin_cases: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/services", {"name": "x", "owner_team": "y", "sla_policy": {}, "id": 1}),
        ("PATCH", "/services/1", {"id": 5}),
        ("PATCH", "/runbooks/1", {"service_id": 2}),
    ]
    for method, path, body in admin_cases:
        response = await client.request(method, path, json=body, headers=admin)
        assert response.status_code == 422, (method, path, body, response.text)


async def test_ids_that_do_not_belong_are_422(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    for body in ({**NEW, "service_id": 999}, {**NEW, "assignee_id": 999},
                 {**NEW, "service_id": 2**31}, {**NEW, "assignee_id": 2**63},
                 {**NEW, "service_id": -1}):
        response = await client.post("/incidents", json=body, headers=responder)
        assert response.status_code == 422, (body, response.text)
    response = await client.patch("/incidents/1", json={"assignee_id": 999}, headers=responder)
    assert response.status_code == 422
    runbooks = (await client.get("/runbooks", headers=responder)).json()
    incident = (await client.get("/incidents/1", headers=responder)).json()
    foreign = next(r for r in runbooks if r["service_id"] != incident["service_id"])
    response = await client.post("/incidents/1/apply-runbook-step", headers=responder,
                                 json={"runbook_id": foreign["id"], "step_index": 0})
    assert response.status_code == 422, response.text
    own = next(r for r in runbooks if r["service_id"] == incident["service_id"])
    response = await client.post("/incidents/1/apply-runbook-step", headers=responder,
                                 json={"runbook_id": own["id"], "step_index": len(own["steps"])})
    assert response.status_code == 422, response.text


PATHS = ["/incidents/{}", "/incidents/{}/events", "/incidents/{}/rca", "/services/{}",
         "/runbooks/{}", "/incidents/{}/report.md", "/services/{}/runbooks"]


async def test_out_of_range_ids_in_paths_are_not_a_500(
    client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    for path in PATHS:
        for ident in (0, -1, 2**31, 2**63, 10**30):
            response = await client.get(path.format(ident), headers=viewer)
            assert response.status_code in (404, 422), (path, ident, response.status_code)
