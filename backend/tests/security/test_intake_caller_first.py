"""Alert intake checks the caller before it reads the body (issue 11, item 9).

Each intake route gets a 2 MiB body that is not even JSON, sent in chunks the test counts as
the server pulls them: an anonymous caller, a wrong key or token, or a viewer is answered 401
or 403 (never 422, which would describe the body) with not one chunk read. The one body read
before the caller is known is PagerDuty's without an Authorization header, whose key is the
body's `routing_key`; it is read for that key only, never validated, and answered 401.
"""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.config import Settings

PAGERDUTY = ["/alerts/events", "/v2/enqueue"]  # one endpoint, two paths
INTAKE = ["/alerts", "/alerts/alertmanager", "/alerts/grafana", *PAGERDUTY, "/alerts/generate"]
CHUNK = 64 * 1024


class Body:
    """`size` bytes of invalid JSON, counting the chunks the server pulls."""

    def __init__(self, size: int) -> None:
        self.size, self.pulled = size, 0

    async def chunks(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.size:
            self.pulled += 1
            chunk = b"{" * min(CHUNK, self.size - sent)
            sent += len(chunk)
            yield chunk

    def headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {**extra, "Content-Type": "application/json", "Content-Length": str(self.size)}


async def send(client: httpx.AsyncClient, path: str, size: int, headers: dict[str, str]) -> tuple[int, int, dict]:
    body = Body(size)
    response = await client.post(path, content=body.chunks(), headers=body.headers(headers))
    return response.status_code, body.pulled, response.json()


@pytest.mark.parametrize("path", INTAKE)
async def test_strangers_and_viewers_are_refused_before_the_body_is_read(
    client: httpx.AsyncClient, viewer: dict[str, str], settings: Settings, path: str
) -> None:
    size = settings.max_request_bytes
    callers = {
        "nobody": ({}, 401),
        "unknown key": ({"Authorization": "Bearer " + "0" * 32}, 401),
        "forged token": ({"Authorization": "Bearer e30.e30.forged"}, 401),
        "viewer": (viewer, 403),
    }
    if path in PAGERDUTY:
        del callers["nobody"]  # PagerDuty's key may be in the body: the next test
    for who, (headers, expected) in callers.items():
        status, pulled, answer = await send(client, path, size, headers)
        assert (status, pulled) == (expected, 0), (who, status, pulled, answer)
        assert answer["code"] == ("unauthenticated" if expected == 401 else "forbidden"), answer


@pytest.mark.parametrize("path", PAGERDUTY)
async def test_pagerduty_without_a_header_reads_the_body_only_for_its_routing_key(
    client: httpx.AsyncClient, settings: Settings, path: str
) -> None:
    status, _, answer = await send(client, path, settings.max_request_bytes, {})
    assert (status, answer["code"]) == (401, "unauthenticated"), answer
    for event in ({"event_action": "bogus"}, {"routing_key": "0" * 32, "event_action": "bogus"},
                  {"routing_key": ["not", "a", "key"]}, [1, 2]):
        refused = await client.post(path, json=event)
        assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated"), refused.text


async def test_an_integration_key_is_checked_first_then_the_body(
    client: httpx.AsyncClient, admin: dict[str, str], settings: Settings
) -> None:
    created = await client.post("/services/1/integration-keys", json={"name": "first"}, headers=admin)
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    status, pulled, answer = await send(client, "/alerts", settings.max_request_bytes, key)
    assert (status, answer["code"]) == (422, "validation_failed"), answer
    assert pulled == -(-settings.max_request_bytes // CHUNK), "a known sender's body is read whole"
    status, pulled, _ = await send(client, "/alerts/generate", 4096, key)
    assert (status, pulled) == (401, 0), "drills are people's, never a key's"
    routed = await client.post("/alerts/events", json={"routing_key": created.json()["key"],
                                                       "event_action": "bogus"})
    assert (routed.status_code, routed.json()["code"]) == (422, "validation_failed"), routed.text
