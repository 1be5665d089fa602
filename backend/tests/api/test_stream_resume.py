"""Resuming the live stream with `Last-Event-ID`: a stream opens with the newest position as
its id, each `event.created` moves it, and a client reconnecting (to this replica or, on
PostgreSQL, another one) with the last id it saw first gets every timeline event it missed."""

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.services.incidents import replay
from tests.api.test_stream import EventStream, Headers, _open_incident, open_stream, token_of
from tests.conftest import test_settings


async def _until(stream: EventStream, event_id: int) -> dict[str, Any]:
    """The `event.created` of this event (earlier ones may arrive again: at least once)."""
    while (event := await stream.next_event("event.created"))["id"] != event_id:
        assert event["id"] < event_id, "in order"
    return event


def _since(header: int) -> tuple[tuple[bytes, bytes], ...]:
    return ((b"last-event-id", str(header).encode()),)


async def test_a_reconnecting_client_gets_what_it_missed_then_live_changes(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, database_url: str
) -> None:
    query = f"access_token={token_of(responder)}"
    incident = await _open_incident(client, responder)
    async with open_stream(app, query) as stream:
        await stream.next_message()
        start = stream.last_id
        assert start is not None and start > 0, "a new stream starts at the newest event"
        comment = await client.post(f"/incidents/{incident}/comments", headers=responder,
                                    json={"body": "seen live"})
        seen = await _until(stream, comment.json()["id"])  # (NOTIFYs of earlier commits may come first)
        assert stream.last_id == seen["id"]
    # Away: three changes, written through another replica of the same database.
    other = create_app(test_settings(database_url))
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://other") as elsewhere:
            missed = [(await elsewhere.post(f"/incidents/{incident}/comments", headers=responder,
                                            json={"body": f"missed {n}"})).json()["id"] for n in range(3)]
            moved = await elsewhere.post(f"/incidents/{incident}/status", headers=responder,
                                         json={"status": "Investigating"})
            assert moved.status_code == 200, moved.text
    async with open_stream(app, query, _since(seen["id"])) as stream:
        kinds: list[tuple[str | None, int]] = []
        while len([k for k in kinds if k[0] == "event.created" and k[1] > seen["id"]]) < 4:
            event, data = await stream.next_message()
            if event is not None:
                kinds.append((event, json.loads(data).get("id", 0)))
        replayed = [i for kind, i in kinds if kind == "event.created" and i > seen["id"]]
        assert replayed[:3] == missed and len(replayed) == 4
        assert ("incident.updated", 0) in kinds, "the status move's incident-level change too"
        assert stream.last_id == replayed[-1]
        live = await client.post(f"/incidents/{incident}/comments", headers=responder,
                                 json={"body": "live again"})
        assert (await _until(stream, live.json()["id"]))["id"] == live.json()["id"]


async def test_replay_starts_below_the_position_for_writes_that_committed_out_of_order(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    incident = await _open_incident(client, responder)
    ids = [(await client.post(f"/incidents/{incident}/comments", headers=responder,
                              json={"body": f"c{n}"})).json()["id"] for n in range(3)]
    events = await replay.missed(app.state.db, ids[-1])
    assert ids == [e["id"] for e in events][-3:], "the last OVERLAP ids again, in order"
    assert len({e["id"] for e in events}) == len(events)


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", str(2**63)])
async def test_a_malformed_last_event_id_is_refused_naming_it(
    client: httpx.AsyncClient, responder: Headers, value: str
) -> None:
    refused = await client.get("/stream", headers={**responder, "Last-Event-ID": value})
    assert refused.status_code == 422, refused.text
    assert "Last-Event-ID" in refused.text
