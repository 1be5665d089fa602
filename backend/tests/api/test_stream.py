"""The live stream: authenticated server-sent events, heartbeats, and (PostgreSQL) a change
made through one app instance reaching a client of another; single-use tickets; and a stream
that sends nothing more, and ends, once its caller may no longer read."""

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.clock import utcnow
from app.main import create_app
from app.services.incidents.writer import record_event
from tests.alert_fixtures import payload
from tests.conftest import Login, test_settings

Headers = dict[str, str]
TIMEOUT = 5.0


class EventStream:
    """Reads an SSE response straight off the ASGI app (httpx's ASGI transport buffers)."""

    def __init__(self) -> None:
        self.chunks: asyncio.Queue[str] = asyncio.Queue()
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self._buffer = ""
        self.ended = asyncio.Event()
        self.last_id: int | None = None  # the last `id:` received, as EventSource keeps it
        self.bodies = 0  # body messages the server sent

    async def next_message(self) -> tuple[str | None, str]:
        """The next message: (`event:` name or None for a comment, its data or comment)."""
        async with asyncio.timeout(TIMEOUT):
            while "\n\n" not in self._buffer:
                self._buffer += await self.chunks.get()
        block, self._buffer = self._buffer.split("\n\n", 1)
        lines = block.split("\n")
        self.last_id = next((int(line[4:]) for line in lines if line.startswith("id: ")), self.last_id)
        event = next((line[7:] for line in lines if line.startswith("event: ")), None)
        data = next((line[6:] for line in lines if line.startswith("data: ")), None)
        return event, data if data is not None else lines[-1]

    async def rest(self, within: float) -> list[tuple[str | None, str]]:
        """Every message until the server ends the stream (fails if it is still open after
        `within` seconds)."""
        messages: list[tuple[str | None, str]] = []
        async with asyncio.timeout(within):
            while True:
                while "\n\n" not in self._buffer and not (self.ended.is_set() and self.chunks.empty()):
                    getter = asyncio.ensure_future(self.chunks.get())
                    ender = asyncio.ensure_future(self.ended.wait())
                    done, _ = await asyncio.wait({getter, ender}, return_when=asyncio.FIRST_COMPLETED)
                    for pending in (getter, ender):
                        if pending not in done:
                            pending.cancel()
                    if getter in done:
                        self._buffer += getter.result()
                if "\n\n" not in self._buffer:
                    return messages
                messages.append(await self.next_message())

    async def next_event(self, kind: str) -> dict[str, Any]:
        while True:
            event, data = await self.next_message()
            if event == kind:
                parsed: dict[str, Any] = json.loads(data)
                return parsed


@asynccontextmanager
async def open_stream(app: FastAPI, query: str, headers: tuple[tuple[bytes, bytes], ...] = (),
                      stall: bool = False) -> AsyncIterator[EventStream]:
    """`stall`: a client that stops reading after the first chunk (the server's writes to it
    block from then on, as they do once a slow client's socket buffer is full)."""
    stream = EventStream()
    disconnect = asyncio.Event()
    started = asyncio.Event()
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            stream.status = message["status"]
            stream.headers = {k.decode(): v.decode() for k, v in message["headers"]}
            started.set()
        elif message["type"] == "http.response.body":
            if stall and stream.bodies:
                await asyncio.Event().wait()
            stream.bodies += 1
            if message.get("body"):
                await stream.chunks.put(message["body"].decode())
            if not message.get("more_body", False):
                stream.ended.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/stream", "raw_path": b"/stream", "root_path": "",
             "query_string": query.encode(), "headers": [(b"host", b"test"), *headers],
             "client": ("127.0.0.1", 1), "server": ("test", 80), "state": {}}
    task = asyncio.create_task(app(scope, receive, send))
    try:
        async with asyncio.timeout(TIMEOUT):
            await started.wait()
        yield stream
    finally:
        disconnect.set()
        try:
            async with asyncio.timeout(TIMEOUT):
                await task
        except TimeoutError:
            task.cancel()


def token_of(headers: Headers) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def test_stream_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/stream")).status_code == 401
    assert (await client.get("/stream", params={"access_token": "forged"})).status_code == 401


async def test_stream_sends_changes_after_commit(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    async with open_stream(app, f"access_token={token_of(responder)}") as stream:
        assert stream.status == 200 and stream.headers["content-type"].startswith("text/event-stream")
        assert await stream.next_message() == (None, ": connected")
        fired = await client.post("/alerts/alertmanager", headers=responder, json=payload("alertmanager-v4-firing"))
        incident_id = fired.json()["created_incident_ids"][0]
        assert (await stream.next_event("incident.created"))["incident_id"] == incident_id
        event = await stream.next_event("event.created")
        assert event["incident_id"] == incident_id and event["type"] == "created"
        assert (await stream.next_event("alert.updated"))["alert_count"] == 2
        refused = await client.post(f"/incidents/{incident_id}/status", headers=responder,
                                    json={"status": "Closed"})
        assert refused.status_code == 409
        moved = await client.post(f"/incidents/{incident_id}/status", headers=responder,
                                  json={"status": "Investigating"})
        assert moved.status_code == 200
        updated = await stream.next_event("incident.updated")
        assert updated == {"incident_id": incident_id}, "nothing was published for the rolled-back move"


async def test_heartbeats_keep_an_idle_stream_open(database_url: str) -> None:
    application = create_app(test_settings(database_url, stream_heartbeat_seconds=0.05))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            login = await client.post("/auth/login", json={"username": "morgan", "password": "demo123"})
            token = login.json()["access_token"]
        async with open_stream(application, f"access_token={token}") as stream:
            assert await stream.next_message() == (None, ": connected")
            assert await stream.next_message() == (None, ": heartbeat")


@pytest.mark.postgres_only
async def test_a_change_through_one_instance_reaches_a_client_of_another(
    client: httpx.AsyncClient, responder: Headers, database_url: str
) -> None:
    other = create_app(test_settings(database_url))
    async with other.router.lifespan_context(other), open_stream(
        other, f"access_token={token_of(responder)}"
    ) as stream:
        assert await stream.next_message() == (None, ": connected")
        services = (await client.get("/services", headers=responder)).json()
        created = await client.post("/incidents", headers=responder, json={
            "title": "Search is slow", "severity": "SEV2", "service_id": services[0]["id"]})
        assert created.status_code == 201
        crossed = await stream.next_event("incident.created")
        assert crossed["incident_id"] == created.json()["id"]


@pytest.mark.postgres_only
async def test_streams_end_when_listening_is_lost_and_resume_after(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, database_url: str
) -> None:
    query = f"access_token={token_of(responder)}"
    services = (await client.get("/services", headers=responder)).json()
    async with open_stream(app, query) as stream:
        assert await stream.next_message() == (None, ": connected")
        # By its pid: once the keepalive has pinged it, its last query is no longer LISTEN.
        listener = app.state.live._listener.get_server_pid()
        async with app.state.db.engine.connect() as conn:
            await conn.execute(text(f"SELECT pg_terminate_backend({int(listener)})"))
        async with asyncio.timeout(TIMEOUT):
            await stream.ended.wait()
    async with open_stream(app, query) as stream:
        assert await stream.next_message() == (None, ": connected")
        async with asyncio.timeout(TIMEOUT):
            while True:
                created = await client.post("/incidents", headers=responder, json={
                    "title": "After the drop", "severity": "SEV4", "service_id": services[0]["id"]})
                try:
                    async with asyncio.timeout(0.5):
                        crossed = await stream.next_event("incident.created")
                    break
                except TimeoutError:
                    continue
        assert crossed["incident_id"] == created.json()["id"]


async def test_nothing_is_published_for_a_rolled_back_transaction(app: FastAPI) -> None:
    db = app.state.db
    async with app.state.live.subscription() as queue:
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await record_event(session, incident_id=1, type="comment", body="rolled back",
                                   data={}, actor=None, now=utcnow())
                raise RuntimeError("the use case failed after writing its event")
        async with db.transaction() as session:
            await record_event(session, incident_id=1, type="comment", body="committed",
                               data={}, actor=None, now=utcnow())
        update = await asyncio.wait_for(queue.get(), TIMEOUT)
        assert update is not None and update.kind == "event.created"
        assert update.data["body"] == "committed"


async def test_a_ticket_opens_the_stream_once(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    assert (await client.post("/stream/ticket")).status_code == 401
    issued = await client.post("/stream/ticket", headers=responder)
    assert issued.status_code == 200, issued.text
    ticket = issued.json()["ticket"]
    assert 0 < issued.json()["expires_in"] <= 60
    assert token_of(responder) not in ticket
    async with open_stream(app, f"ticket={ticket}") as stream:
        assert stream.status == 200
        assert await stream.next_message() == (None, ": connected")
    async with open_stream(app, f"ticket={ticket}") as again:
        assert again.status == 401, "a ticket works once"
    async with open_stream(app, "ticket=made-up") as forged:
        assert forged.status == 401


async def test_a_ticket_expires_and_dies_with_its_token_version(
    app: FastAPI, client: httpx.AsyncClient, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await login("morgan")
    monkeypatch.setattr("app.services.users.stream_access.TICKET_TTL_SECONDS", 0)
    expired = (await client.post("/stream/ticket", headers=headers)).json()["ticket"]
    async with open_stream(app, f"ticket={expired}") as stream:
        assert stream.status == 401
    monkeypatch.undo()
    ticket = (await client.post("/stream/ticket", headers=headers)).json()["ticket"]
    changed = await client.post("/auth/password", headers=headers, json={
        "current_password": "demo123", "new_password": "a much longer one"})
    assert changed.status_code == 200
    async with open_stream(app, f"ticket={ticket}") as stream:
        assert stream.status == 401, "a ticket issued before a password change is void"


async def _sql(app: FastAPI, statement: str) -> None:
    """Another connection, like a DBA's console (or, on PostgreSQL, another replica)."""
    async with app.state.db.engine.begin() as conn:
        await conn.execute(text(statement))


async def _open_incident(client: httpx.AsyncClient, headers: Headers) -> int:
    created = await client.post("/incidents", headers=headers, json={
        "title": "Seen by whom?", "severity": "SEV3", "service_id": 1})
    assert created.status_code == 201, created.text
    ident: int = created.json()["id"]
    return ident


REVOCATIONS = {
    "disabled in SQL": "UPDATE users SET is_active = false WHERE username = 'morgan'",
    "token version bumped in SQL": "UPDATE users SET token_version = token_version + 1 "
                                   "WHERE username = 'morgan'",
    "role changed in SQL": "UPDATE users SET role = 'responder' WHERE username = 'morgan'",
    "deleted in SQL": "DELETE FROM users WHERE username = 'morgan'",
    "password changed through the API": "",
}


@pytest.mark.parametrize("how", list(REVOCATIONS))
@pytest.mark.parametrize("opened_with", ["ticket", "access_token"])
async def test_a_stream_sends_nothing_more_once_its_caller_may_no_longer_read(
    app: FastAPI, client: httpx.AsyncClient, login: Login, responder: Headers, how: str,
    opened_with: str,
) -> None:
    viewer = await login("morgan")
    if opened_with == "ticket":
        query = f"ticket={(await client.post('/stream/ticket', headers=viewer)).json()['ticket']}"
    else:
        query = f"access_token={token_of(viewer)}"
    async with open_stream(app, query) as stream:
        assert await stream.next_message() == (None, ": connected")
        before = await _open_incident(client, responder)
        assert (await stream.next_event("incident.created"))["incident_id"] == before
        if REVOCATIONS[how]:
            await _sql(app, REVOCATIONS[how])
        else:
            changed = await client.post("/auth/password", headers=viewer, json={
                "current_password": "demo123", "new_password": "a much longer one"})
            assert changed.status_code == 200
        after = await _open_incident(client, responder)
        rest = await stream.rest(within=20)
    sent = [json.loads(data)["incident_id"] for event, data in rest if event is not None]
    assert after not in sent, f"{how}: the stream kept sending ({rest})"


@pytest.mark.parametrize("how", ["disabled in SQL", "role changed in SQL"])
async def test_an_idle_stream_of_a_caller_who_may_no_longer_read_ends_within_20s(
    app: FastAPI, login: Login, how: str
) -> None:
    viewer = await login("morgan")
    async with open_stream(app, f"access_token={token_of(viewer)}") as stream:
        assert await stream.next_message() == (None, ": connected")
        await _sql(app, REVOCATIONS[how])
        started = asyncio.get_running_loop().time()
        rest = await stream.rest(within=20)
        waited = asyncio.get_running_loop().time() - started
    assert all(event is None for event, _ in rest), rest
    assert waited < 20
