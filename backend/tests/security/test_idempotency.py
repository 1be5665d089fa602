"""Idempotency-Key: a retried request returns the first response and creates nothing twice,
even when the retries arrive concurrently; the same key with a different body is 422."""

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

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


# Scope by principal: the user behind any of their tokens, or the integration key itself.

async def _sign_in_again(client: httpx.AsyncClient, username: str,
                         other_than: dict[str, str]) -> dict[str, str]:
    """A fresh token for the user, different from `other_than` (tokens are stamped to the
    second, so a sign-in in the same second could give the same bytes)."""
    while True:
        response = await client.post("/auth/login", json={"username": username,
                                                          "password": "demo123"})
        assert response.status_code == 200, response.text
        fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}
        if fresh != other_than:
            return fresh
        await asyncio.sleep(0.3)


async def test_a_fresh_sign_in_or_a_lowercase_scheme_replays(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await _total(client, responder)
    key = str(uuid.uuid4())
    first = await client.post("/incidents", json=NEW, headers=keyed(responder, key))
    assert first.status_code == 201
    lowercase = {"Authorization": responder["Authorization"].replace("Bearer ", "bearer ", 1)}
    fresh = await _sign_in_again(client, "avery", responder)
    for headers in (lowercase, fresh):
        again = await client.post("/incidents", json=NEW, headers=keyed(headers, key))
        assert again.status_code == 201, again.text
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json()["id"] == first.json()["id"]
    assert await _total(client, responder) == before + 1


async def _integration_key(client: httpx.AsyncClient, admin: dict[str, str],
                           service_id: int) -> tuple[int, str]:
    response = await client.post(f"/services/{service_id}/integration-keys", headers=admin,
                                 json={"name": "pagerduty"})
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["key"]


def _pagerduty(routing_key: str, dedup_key: str, service: str) -> dict[str, Any]:
    return {"routing_key": routing_key, "event_action": "trigger", "dedup_key": dedup_key,
            "payload": {"summary": f"Disk full ({service})", "source": "db-3",
                        "severity": "critical", "group": service}}


async def test_pagerduty_senders_with_their_own_keys_never_share_a_scope(
    client: httpx.AsyncClient, admin: dict[str, str], responder: dict[str, str]
) -> None:
    """PagerDuty sends its key in the body, not in Authorization: every sender used to share
    one scope, so one sender's Idempotency-Key refused (422) or answered another's events."""
    services = (await client.get("/services", headers=admin)).json()
    (_, key_a), (_, key_b) = [await _integration_key(client, admin, s["id"]) for s in services[:2]]
    idem = {"Idempotency-Key": "pd-retry-1"}
    tag = uuid.uuid4().hex[:8]
    a = _pagerduty(key_a, f"a-{tag}", services[0]["name"])
    b = _pagerduty(key_b, f"b-{tag}", services[1]["name"])
    first_a = await client.post("/alerts/events", json=a, headers=idem)
    first_b = await client.post("/alerts/events", json=b, headers=idem)
    assert first_a.status_code == first_b.status_code == 202, (first_a.text, first_b.text)
    assert "idempotent-replayed" not in first_b.headers
    assert first_b.json()["dedup_key"] == f"b-{tag}"
    retry_a = await client.post("/alerts/events", json=a, headers=idem)
    assert retry_a.headers.get("idempotent-replayed") == "true"
    assert retry_a.json() == first_a.json()
    for fingerprint in (f"a-{tag}", f"b-{tag}"):
        listed = (await client.get("/alerts", params={"fingerprint": fingerprint},
                                   headers=responder)).json()["items"]
        assert len(listed) == 1 and listed[0]["count"] == 1, (fingerprint, listed)


async def test_a_revoked_token_gets_401_never_the_stored_answer(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    key = str(uuid.uuid4())
    first = await client.post("/incidents", json=NEW, headers=keyed(responder, key))
    assert first.status_code == 201
    changed = await client.post("/auth/password", headers=responder, json={
        "current_password": "demo123", "new_password": "a longer password"})
    assert changed.status_code == 200  # every older token of the user stops working
    replay = await client.post("/incidents", json=NEW, headers=keyed(responder, key))
    assert replay.status_code == 401, replay.text
    assert "idempotent-replayed" not in replay.headers
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    again = await client.post("/incidents", json=NEW, headers=keyed(fresh, key))
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


async def test_a_revoked_integration_key_gets_401_never_the_stored_answer(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    service = (await client.get("/services", headers=admin)).json()[0]
    key_id, key = await _integration_key(client, admin, service["id"])
    alert = {"title": "Queue backlog", "severity": "SEV3", "service": service["name"],
             "dedup_key": f"backlog-{uuid.uuid4()}"}
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())}
    assert (await client.post("/alerts", json=alert, headers=headers)).status_code == 200
    revoked = await client.delete(f"/services/{service['id']}/integration-keys/{key_id}",
                                  headers=admin)
    assert revoked.status_code == 204
    replay = await client.post("/alerts", json=alert, headers=headers)
    assert replay.status_code == 401, replay.text
    assert "idempotent-replayed" not in replay.headers


# A crash between the commit and the answer.

class ProcessDied(BaseException):
    """Raised where the answer would go out: nothing after the commit runs, as if the
    process had been killed there (not an Exception: no handler may catch it)."""


async def _post_then_die(app: FastAPI, path: str, raw: bytes, headers: dict[str, str]) -> None:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("test", 80),
        "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()),
                    *((k.lower().encode(), v.encode()) for k, v in headers.items())],
    }
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            raise ProcessDied

    with pytest.raises(ProcessDied):
        await app(scope, receive, send)


@pytest.mark.parametrize("path", ["/incidents", "/alerts"])
async def test_a_crash_after_the_commit_leaves_the_answer_to_replay(
    app: FastAPI, client: httpx.AsyncClient, responder: dict[str, str], path: str
) -> None:
    """The change committed, the process died before answering: the retry gets the first
    answer (the answer was stored with the change), not 409 forever, and nothing twice."""
    body = NEW if path == "/incidents" else {
        "title": "Disk 95% full", "severity": "SEV2", "service": "checkout-api",
        "dedup_key": f"crash-{uuid.uuid4()}"}
    before = await _total(client, responder)
    headers = keyed(responder)
    raw = json.dumps(body).encode()
    await _post_then_die(app, path, raw, headers)
    after_crash = await _total(client, responder)
    assert after_crash == before + 1, "the change was committed before the answer went out"
    retry = await asyncio.wait_for(client.post(path, content=raw, headers={
        **headers, "Content-Type": "application/json"}), 30)
    assert retry.status_code in (200, 201), retry.text
    assert retry.headers.get("idempotent-replayed") == "true"
    assert await _total(client, responder) == after_crash
