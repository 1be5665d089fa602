"""The hostile inputs a fuzzer never generates on its own, each a 5xx or a silent store once:
JSON nested past any decoder's comfort, NUL and lone surrogates, numbers past 64 bits,
If-Match that only looks like digits, cursors and ids past what the database stores. Every
one is a 422 naming the field, on both databases, and changes nothing; a 500, when one still
happens, carries the security headers."""

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from app.infra.http_errors import _validation_error
from app.services.users.accounts import Accounts

NEW = {"title": "Checkout errors", "severity": "SEV2", "service_id": 1}
JSON = {"Content-Type": "application/json"}


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def pagerduty(details: str, key: str = "hostile") -> str:
    """A PagerDuty trigger whose custom_details is the raw JSON `details`."""
    return ('{"event_action":"trigger","dedup_key":"' + key + '","payload":{"summary":"s",'
            '"source":"probe","severity":"error","custom_details":{"service":"checkout-api",'
            '"x":' + details + '}}}')


def cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def refused(response: httpx.Response, *loc: object) -> None:
    """A 422 whose failure names `loc` (FastAPI's validation shape)."""
    assert response.status_code == 422, (response.status_code, response.text)
    body = response.json()
    assert body["code"] == "validation_failed", body
    assert list(body["detail"][0]["loc"])[:len(loc)] == list(loc), body


async def counts(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[int, int]:
    incidents = (await client.get("/incidents", headers=headers)).json()["total"]
    alerts = len((await client.get("/alerts", params={"limit": 500}, headers=headers)).json()["items"])
    return incidents, alerts


async def test_json_nested_past_32_levels_is_422_for_every_body(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await counts(client, responder)
    login = '{"username":' + nested(5000) + ',"password":"x"}'  # a RecursionError once
    refused(await client.post("/auth/login", content=login, headers=JSON), "body")
    refused(await client.post("/auth/login", content=nested(33), headers=JSON), "body")
    # 300 levels were stored on SQLite and then broke every alert list (orjson stops at 254).
    refused(await client.post("/alerts/events", content=pagerduty(nested(300)),
                              headers={**responder, **JSON}), "body")
    body = json.dumps({**NEW, "description": "x"})[:-1] + ',"extra":' + nested(40) + "}"
    refused(await client.post("/incidents", content=body, headers={**responder, **JSON}), "body")
    # 32 levels are still JSON the routes see (and validate as usual).
    ok = await client.post("/alerts/events", content=pagerduty(nested(29), "deep-ok"),
                           headers={**responder, **JSON})
    assert ok.status_code == 202, ok.text
    assert (await client.get("/alerts", headers=responder)).status_code == 200
    assert await counts(client, responder) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800", "\\udfff", "a\\udc00b"])
async def test_nul_and_lone_surrogates_are_422_naming_the_field(
    client: httpx.AsyncClient, responder: dict[str, str], bad: str
) -> None:
    before = await counts(client, responder)
    h = {**responder, **JSON}
    incident = '{"title":"t' + bad + '","severity":"SEV2","service_id":1}'
    refused(await client.post("/incidents", content=incident, headers=h), "body", "title")
    # Invalid otherwise too: the 422 for the other field must not fail on encoding this one.
    invalid = '{"title":"t' + bad + '","severity":"SEV9","service_id":1}'
    refused(await client.post("/incidents", content=invalid, headers=h), "body", "title")
    refused(await client.patch("/incidents/1", content='{"description":"' + bad + '"}', headers=h),
            "body", "description")
    refused(await client.post("/auth/login", content='{"username":"av' + bad + '","password":"x"}',
                              headers=JSON), "body", "username")
    refused(await client.post("/alerts/events", content=pagerduty('{"k' + bad + '":1}'), headers=h),
            "body", "payload", "custom_details", "x")
    refused(await client.post("/alerts", content='[{"title":"a","service":"checkout-api",'
                              '"dedup_key":"d' + bad + '"}]', headers=h), "body", 0, "dedup_key")
    assert await counts(client, responder) == before


async def test_nul_and_non_utf8_in_query_path_and_form_are_422(
    client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    for path, loc in [("/incidents?q=%00", ["query", "q"]),
                      ("/incidents?q=a%ED%A0%80", ["query", "q"]),  # a surrogate's UTF-8 bytes
                      ("/alerts?fingerprint=x%00y", ["query", "fingerprint"]),
                      ("/incidents?cursor=%FF", ["query", "cursor"]),
                      ("/ui/a%00b", ["path"])]:
        refused(await client.get(path, headers=viewer), *loc)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    refused(await client.post("/auth/login", content=b"username=avery%00&password=demo123",
                              headers=form), "body", "username")


@pytest.mark.parametrize("value", [b"\xb2", "\u00b2".encode(), b"9" * 5000, b"1" * 11, b"W/\"-1\"", b"1e3"])
async def test_if_match_that_is_not_a_version_is_422(
    client: httpx.AsyncClient, responder: dict[str, str], value: bytes
) -> None:
    response = await client.patch("/incidents/1", json={"title": "x"},
                                  headers={**responder, "If-Match": value})  # type: ignore[dict-item]
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "If-Match"
    assert (await client.get("/incidents/1", headers=responder)).json()["title"] != "x"


async def test_numbers_past_what_the_database_stores_are_422_on_both(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    before = await counts(client, responder)
    for big in (2**31, 2**63, 10**30):
        refused(await client.get(f"/incidents/{big}", headers=responder), "path", "incident_id")
        refused(await client.get(f"/runbooks/{big}", headers=responder), "path", "runbook_id")
        refused(await client.get("/incidents", params={"service_id": big}, headers=responder),
                "query", "service_id")
        refused(await client.post("/incidents", json={**NEW, "service_id": big}, headers=responder),
                "body", "service_id")
    for details in [str(2**70), str(-(2**64)), "NaN", "-Infinity", "1e400"]:
        refused(await client.post("/alerts/events", content=pagerduty(details),
                                  headers={**responder, **JSON}), "body", "payload", "custom_details")
    refused(await client.post("/alerts/generate", json={"count": 1, "seed": 2**70},
                              headers=responder), "body", "seed")
    assert (await client.get("/alerts", headers=responder)).status_code == 200
    assert await counts(client, responder) == before
    stamp = "2026-11-27T10:00:00+00:00"
    for bad in [cursor(stamp, 5, 2**70), cursor(stamp, 5, 2**64), cursor(stamp, 2**31),
                cursor(stamp, 0), cursor(stamp, 5, -1)]:
        for path in ("/incidents", "/alerts"):
            response = await client.get(path, params={"cursor": bad}, headers=responder)
            assert response.status_code == 422, (path, bad, response.text)
            assert response.json()["field"] == "cursor"


async def test_the_schema_datetime_is_the_one_accepted(
    client: httpx.AsyncClient, viewer: dict[str, str], responder: dict[str, str]
) -> None:
    for bad in ["0.5", "1700000000", "2026-01-01", "yesterday"]:
        refused(await client.get("/metrics", params={"to": bad}, headers=viewer), "query", "to")
    for edge in ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]:
        response = await client.get("/metrics", params={"from": edge}, headers=viewer)
        assert response.status_code == 200, (edge, response.text)
    event = json.loads(pagerduty("1"))
    event["payload"]["timestamp"] = 0
    refused(await client.post("/alerts/events", json=event, headers=responder),
            "body", "payload", "timestamp")
    webhook = {"status": "firing", "alerts": [], "truncatedAlerts": False}
    refused(await client.post("/alerts/alertmanager", json=webhook, headers=responder),
            "body", "truncatedAlerts")


async def test_allow_names_every_method_of_the_path(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    for path, allowed in [("/incidents", "GET, POST"), ("/incidents/1", "GET, PATCH"),
                          ("/incidents/1/rca", "GET, PUT"), ("/services/1", "GET, PATCH"),
                          ("/services/1/integration-keys", "GET, POST"), ("/alerts", "GET, POST")]:
        response = await client.options(path, headers=responder)
        assert response.status_code == 204 and response.headers["allow"] == allowed, path
        response = await client.request("TRACE", path, headers=responder)
        assert response.status_code == 405 and response.headers["allow"] == allowed, path
        assert response.json()["code"] == "method_not_allowed"


@pytest.fixture
async def raw_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sees the server's 500 instead of the exception behind it."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_an_unexpected_error_is_a_500_with_the_security_headers(
    raw_client: httpx.AsyncClient, viewer: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Accounts, "list_users", broken)
    response = await raw_client.get("/users", headers=viewer)
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "a bug" not in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_validation_answer_encodes_a_lone_surrogate() -> None:
    """Whatever reaches the 422 handler, it answers: a surrogate echoed back is replaced."""
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    error = RequestValidationError([{"type": "string_type", "loc": ("body", "title\ud800"),
                                     "msg": "bad", "input": {"k\udfff": "a\ud800"}}])
    response = await _validation_error(request, error)
    detail = json.loads(response.body)["detail"][0]
    assert response.status_code == 422
    assert detail["loc"] == ["body", "title?"] and detail["input"] == {"k?": "a?"}
