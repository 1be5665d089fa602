"""Limits: request bodies (413 naming the limit), strings and page sizes (422 naming the
limit), and pagination cursors that were tampered with (422, never a 500)."""

import base64
import json
from collections.abc import AsyncIterator

import httpx

from app.config import Settings

NEW = {"title": "Checkout errors", "severity": "SEV2", "service_id": 1}


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


async def test_body_over_the_limit_is_413_naming_it(
    client: httpx.AsyncClient, responder: dict[str, str], settings: Settings
) -> None:
    limit = settings.max_request_bytes
    huge = {**NEW, "description": "x" * (limit + 10)}
    response = await client.post("/incidents", json=huge, headers=responder)
    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked upload
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    response = await client.post("/incidents", content=chunks(), headers={
        **responder, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]
    response = await client.post("/incidents", content=b"{}", headers={
        **responder, "Content-Type": "application/json", "Content-Length": "nonsense"})
    assert response.status_code in (400, 413)


async def test_body_under_the_limit_is_read_whole(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        body = json.dumps({**NEW, "description": "y" * 15000}).encode()
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    response = await client.post("/incidents", content=chunks(), headers={
        **responder, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert len(response.json()["description"]) == 15000


async def test_strings_are_capped_with_the_limit_named(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    cases = [
        ("POST", "/incidents", {**NEW, "title": "t" * 201}, "200"),
        ("POST", "/incidents", {**NEW, "description": "d" * 20_001}, "20000"),
        ("PATCH", "/incidents/1", {"title": "t" * 201}, "200"),
        ("POST", "/incidents/1/comments", {"body": "c" * 20_001}, "20000"),
        ("PUT", "/incidents/1/rca", {"root_cause": "r" * 20_001}, "20000"),
        ("POST", "/incidents/1/status", {"status": "Investigating", "note": "n" * 20_001},
         "20000"),
        ("POST", "/auth/login", {"username": "u" * 65, "password": "x"}, "64"),
        ("POST", "/auth/login", {"username": "avery", "password": "p" * 1025}, "1024"),
    ]
    for method, path, body, limit in cases:
        response = await client.request(method, path, json=body, headers=responder)
        assert response.status_code == 422, (path, response.text)
        assert limit in response.text, (path, response.text)
    response = await client.get("/incidents", params={"q": "q" * 201}, headers=responder)
    assert response.status_code == 422 and "200" in response.text


async def test_page_size_is_capped(client: httpx.AsyncClient, viewer: dict[str, str]) -> None:
    for limit in ["0", "-1", "201", "100000", "abc", "1e3", "", str(2**64)]:
        response = await client.get("/incidents", params={"limit": limit}, headers=viewer)
        assert response.status_code == 422, (limit, response.text)
    response = await client.get("/incidents", params={"limit": "201"}, headers=viewer)
    assert "200" in response.text
    response = await client.get("/incidents", params={"limit": "200"}, headers=viewer)
    assert response.status_code == 200


async def test_tampered_cursors_are_422(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    for i in range(3):
        await client.post("/incidents", json={**NEW, "title": f"t{i}"}, headers=responder)
    page = (await client.get("/incidents", params={"limit": 1}, headers=responder)).json()
    good = page["next_cursor"]
    assert good
    assert (await client.get("/incidents", params={"limit": 1, "cursor": good},
                             headers=responder)).status_code == 200
    tampered = [
        "x", "!!!!", "====", good[:-3], good + "A", good[::-1], "a" * 500, "a" * 501,
        _cursor("just a string"), _cursor([]), _cursor(["2026-11-27T10:00:00+00:00"]),
        _cursor(["2026-11-27T10:00:00+00:00", 1, 2]), _cursor(["not a date", 1]),
        _cursor(["2026-11-27T10:00:00", 1]),  # naive
        _cursor(["2026-11-27T10:00:00+00:00", "1"]), _cursor(["2026-11-27T10:00:00+00:00", True]),
        _cursor(["2026-11-27T10:00:00+00:00", 1.5]), _cursor(["2026-11-27T10:00:00+00:00", None]),
        _cursor(["2026-11-27T10:00:00+00:00", 2**31]), _cursor(["2026-11-27T10:00:00+00:00", 10**40]),
        _cursor(["0001-01-01T00:00:00+14:00", 1]), _cursor(["9999-12-31T23:59:59-14:00", 1]),
        _cursor({"created_at": "2026-11-27T10:00:00+00:00", "id": 1}),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(), "%00", "\u00e9",
    ]
    for cursor in tampered:
        response = await client.get("/incidents", params={"cursor": cursor}, headers=responder)
        assert response.status_code in (200, 422), (cursor, response.status_code, response.text)
        if response.status_code == 200:  # only a well-formed cursor can be a page
            json.loads(base64.urlsafe_b64decode(cursor + "==="))


async def test_tampered_alert_cursors_and_limits(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    batch = [{"title": f"A{i}", "service": "checkout-api", "dedup_key": f"lim-{i}"}
             for i in range(3)]
    assert (await client.post("/alerts", json=batch, headers=responder)).status_code < 300
    page = (await client.get("/alerts", params={"limit": 1}, headers=responder)).json()
    good = page["next_cursor"]
    assert good
    for cursor in ["x", good[:-3], good[::-1], _cursor(["2026-11-27T10:00:00+00:00", 10**40]),
                   _cursor(["0001-01-01T00:00:00+14:00", 1]), _cursor({"id": 1})]:
        response = await client.get("/alerts", params={"cursor": cursor}, headers=responder)
        assert response.status_code in (200, 422), (cursor, response.status_code)
    for limit in ["0", "501", "abc"]:
        response = await client.get("/alerts", params={"limit": limit}, headers=responder)
        assert response.status_code == 422
