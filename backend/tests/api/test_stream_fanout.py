"""Fanning one change out to many live streams: the change is serialized once for all of them,
what a stream finds waiting goes out in one write, and a client that stops reading holds no
other back (its backlog is bounded: past it, its stream is dropped)."""

import asyncio

import pytest
from fastapi import FastAPI

from app.infra.live import LiveFeed, LiveUpdate
from tests.api.test_stream import TIMEOUT, Headers, open_stream, token_of


class Serializations:
    """A value in an update's data that counts how often it is turned into JSON."""

    def __init__(self) -> None:
        self.count = 0

    def __str__(self) -> str:  # json.dumps(..., default=str) calls this
        self.count += 1
        return "probe"


async def test_one_change_is_serialized_once_for_every_stream(app: FastAPI, responder: Headers) -> None:
    query = f"access_token={token_of(responder)}"
    probe = Serializations()
    async with open_stream(app, query) as a, open_stream(app, query) as b, open_stream(app, query) as c:
        for stream in (a, b, c):
            assert await stream.next_message() == (None, ": connected")
        app.state.live._fan_out(LiveUpdate("incident.updated", {"incident_id": 7, "probe": probe}))
        for stream in (a, b, c):
            assert await stream.next_event("incident.updated") == {"incident_id": 7, "probe": "probe"}
    assert probe.count == 1, f"serialized {probe.count} times for 3 streams"


async def test_what_a_stream_finds_waiting_goes_out_in_one_write(app: FastAPI, responder: Headers) -> None:
    async with open_stream(app, f"access_token={token_of(responder)}") as stream:
        assert await stream.next_message() == (None, ": connected")
        assert stream.chunks.empty()
        for n in (1, 2, 3):  # one commit's updates arrive together, before the stream wakes
            app.state.live._fan_out(LiveUpdate("incident.updated", {"incident_id": n}))
        async with asyncio.timeout(TIMEOUT):
            chunk = await stream.chunks.get()
        assert chunk.count("event: incident.updated\n") == 3, chunk


async def test_a_client_that_stops_reading_holds_no_other_back(
    app: FastAPI, responder: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.infra.live.SUBSCRIBER_BACKLOG", 5)
    feed: LiveFeed = app.state.live
    query = f"access_token={token_of(responder)}"
    async with open_stream(app, query, stall=True) as stalled, open_stream(app, query) as reader:
        for stream in (stalled, reader):
            assert await stream.next_message() == (None, ": connected")
        for n in range(20):
            feed._fan_out(LiveUpdate("incident.updated", {"incident_id": n}))
            assert (await reader.next_event("incident.updated"))["incident_id"] == n
        assert len(feed._subscribers) == 1, "the stalled stream's backlog filled: it was dropped"
        assert stalled.chunks.empty(), "it got its first chunk and nothing after"
