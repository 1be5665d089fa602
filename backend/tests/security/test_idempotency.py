"""Idempotency-Key: a retried request returns the first response and creates nothing twice,
even when the retries arrive concurrently; the same key with a different body is 422."""

import asyncio
import uuid
from typing import Any

import httpx

NEW = {"title": "Checkout down", "severity": "SEV1", "service_id": 1}


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}


async def _total(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    total: int = (await client.get("/incidents", headers=headers)).json()["total"]
    return total


async def _events(client: httpx.AsyncClient, headers: dict[str, str], ident: int) -> list[Any]:
    events: list[Any] = (await client.get(f"/incidents/{ident}/events", headers=headers)).json()
    return events


async def test_sequential_retry_returns_the_first_answer(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await _total(client, responder)
    headers = keyed(responder)
    first = await client.post("/incidents", json=NEW, headers=headers)
    again = await client.post("/incidents", json=NEW, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _total(client, responder) == before + 1
    other = await client.post("/incidents", json=NEW, headers=keyed(responder))
    assert other.json()["id"] != first.json()["id"]


async def test_concurrent_retries_create_one(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await _total(client, responder)
    headers = keyed(responder)
    responses = await asyncio.wait_for(asyncio.gather(
        *(client.post("/incidents", json=NEW, headers=headers) for _ in range(20))), 60)
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _total(client, responder) == before + 1
    ident = responses[0].json()["id"]
    assert [e["type"] for e in await _events(client, responder, ident)] == ["created"]


async def test_same_key_other_body_is_422(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    headers = keyed(responder)
    assert (await client.post("/incidents", json=NEW, headers=headers)).status_code == 201
    before = await _total(client, responder)
    other = await client.post("/incidents", json={**NEW, "title": "Another"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    elsewhere = await client.post("/incidents/1/comments", json={"body": "x"}, headers=headers)
    assert elsewhere.status_code == 422
    assert await _total(client, responder) == before


async def test_concurrent_same_key_different_bodies(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await _total(client, responder)
    headers = keyed(responder)
    bodies = [{**NEW, "title": f"Variant {i % 2}"} for i in range(10)]
    responses = await asyncio.wait_for(asyncio.gather(
        *(client.post("/incidents", json=b, headers=headers) for b in bodies)), 60)
    codes = sorted(r.status_code for r in responses)
    assert set(codes) <= {201, 422}, codes
    assert await _total(client, responder) == before + 1
    winners = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(winners) == 1


async def test_keys_are_per_caller(
    client: httpx.AsyncClient, responder: dict[str, str], admin: dict[str, str]
) -> None:
    key = str(uuid.uuid4())
    mine = await client.post("/incidents", json=NEW, headers=keyed(responder, key))
    theirs = await client.post("/incidents", json=NEW, headers=keyed(admin, key))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


async def test_comments_and_runbook_steps(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    incident = (await client.post("/incidents", json=NEW, headers=responder)).json()
    ident = incident["id"]
    comment = keyed(responder)
    answers = await asyncio.gather(*(client.post(f"/incidents/{ident}/comments",
                                                 json={"body": "Rolling back"}, headers=comment)
                                     for _ in range(8)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    runbooks = (await client.get(f"/services/{incident['service_id']}/runbooks",
                                 headers=responder)).json()
    step = keyed(responder)
    body = {"runbook_id": runbooks[0]["id"], "step_index": 0}
    answers = await asyncio.gather(*(client.post(f"/incidents/{ident}/apply-runbook-step",
                                                 json=body, headers=step) for _ in range(8)))
    assert {a.status_code for a in answers} == {201}
    types = [e["type"] for e in await _events(client, responder, ident)]
    assert types.count("comment") == 1 and types.count("runbook_step") == 1


async def test_alert_intake(client: httpx.AsyncClient, responder: dict[str, str]) -> None:
    alert = {"title": "Disk 95% full", "severity": "SEV2", "service": "checkout-api",
             "dedup_key": f"disk-{uuid.uuid4()}"}
    headers = keyed(responder)
    answers = await asyncio.gather(*(client.post("/alerts", json=alert, headers=headers)
                                     for _ in range(10)))
    assert len({a.status_code for a in answers}) == 1 and answers[0].status_code < 300
    assert all(a.json() == answers[0].json() for a in answers)
    listed = (await client.get("/alerts", params={"fingerprint": alert["dedup_key"]},
                               headers=responder)).json()["items"]
    assert len(listed) == 1 and listed[0]["count"] == 1, listed


async def test_errors_before_anything_committed_are_not_remembered(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    headers = keyed(responder)
    bad = await client.post("/incidents", json={**NEW, "service_id": 999}, headers=headers)
    assert bad.status_code == 422
    again = await client.post("/incidents", json={**NEW, "service_id": 999}, headers=headers)
    assert again.status_code == 422 and "idempotent-replayed" not in again.headers


async def test_malformed_keys(client: httpx.AsyncClient, responder: dict[str, str]) -> None:
    for key in ["", "a" * 256, "has space", "tab\there"]:
        response = await client.post("/incidents", json=NEW, headers={**responder,
                                                                      "Idempotency-Key": key})
        assert response.status_code == 422, key


async def test_documented_in_openapi(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for path in ("/incidents", "/incidents/{incident_id}/comments", "/alerts"):
        params = schema["paths"][path]["post"]["parameters"]
        assert any(p["name"] == "Idempotency-Key" for p in params), path


async def test_sign_in_answers_are_never_stored(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    headers = keyed(responder)
    body = {"current_password": "demo123", "new_password": "longer password"}
    first = await client.post("/auth/password", json=body, headers=headers)
    assert first.status_code == 200
    again = await client.post("/auth/password", json=body, headers=headers)
    assert again.status_code == 401  # ran again, with a token the first call ended
    assert "idempotent-replayed" not in again.headers


async def test_413_documented_wherever_there_is_a_body(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "413" in operation["responses"], (method, path)
