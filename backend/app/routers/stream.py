"""The live stream: server-sent events of incident, timeline and alert changes.

`EventSource` cannot send headers: the console trades its token for a single-use ticket
(`POST /stream/ticket`) and opens `/stream?ticket=...`; other clients may still send the
token as `?access_token=` (masked in the access log). Heartbeat comments keep proxies from
closing an idle stream.

A stream sends only while its caller may still read it: a change to the user (through the API
or in SQL) reaches the stream in commit order (infra/live.py RECHECK) and the stream re-reads
the user before sending anything after it; it also re-reads every RECHECK_SECONDS, and on
SQLite (no NOTIFY for changes made in SQL) before every batch of events. A caller who may no
longer read gets nothing more and the stream ends.

Resuming: each `event.created` carries an SSE `id:`, the stream's position (the largest timeline
event id it has sent), and a stream opens with `id:` set to the newest event's. A client that
reconnects, to this replica or another, with `Last-Event-ID` first gets the timeline events it
missed (services/incidents/replay.py: at least once, repeats dropped by `data.id`), then live ones.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from app.deps import AnyUser, StreamCaller, get_accounts
from app.infra.live import EVENT_CREATED, RECHECK, LiveFeed, LiveUpdate, event_updates
from app.schemas.common import error_responses
from app.schemas.stream import StreamTicketRead
from app.services.incidents import replay
from app.services.users.accounts import Accounts
from app.services.users.stream_access import StreamAccess, StreamGrant

router = APIRouter(tags=["live"])
# One server-sent event, as OpenAPI 3.2's `itemSchema` describes a stream's items (comments
# such as heartbeats are not events): what schemathesis checks every streamed event against.
STREAM_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["incident.created", "incident.updated",
                                             "event.created", "event.updated", "alert.updated"]},
        "data": {"type": "string", "contentMediaType": "application/json",
                 "contentSchema": {"type": "object", "required": ["incident_id"],
                                   "properties": {"incident_id": {"type": "integer"}}}},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}
RETRY_MS = 3000
TICK = LiveUpdate("tick", {})  # a stream's own alarm went off (_Alarm)
MAX_STREAM_SECONDS = 300


def _drain(queue: "asyncio.Queue[LiveUpdate | None]", first: LiveUpdate) -> list[LiveUpdate | None]:
    batch: list[LiveUpdate | None] = [first]
    while batch[-1] is not None and not queue.empty():
        batch.append(queue.get_nowait())
    return batch


class _Position:
    """The stream's SSE id: the largest timeline event id sent (never moves back)."""

    def __init__(self, start: int) -> None:
        self.value = start

    def message(self, update: LiveUpdate) -> bytes:
        """The update as this stream sends it: its shared serialization (`LiveUpdate.sse`),
        with the stream's own `id:` after the `event:` line of an `event.created`."""
        if update.kind == EVENT_CREATED and isinstance(update.data.get("id"), int):
            self.value = max(self.value, update.data["id"])
            sse, cut = update.sse, len(EVENT_CREATED) + 8  # after "event: event.created\n"
            return b"%bid: %d\n%b" % (sse[:cut], self.value, sse[cut:])
        return update.sse


class _Alarm:
    """One timer per stream, putting TICK in its queue when the stream next has something of
    its own to do (a heartbeat, a re-check, its end). Set again only once it went off, and
    those times only move later, so one that goes off early is just set again: a timer per
    quiet spell, where a timeout around each wait cost every stream a timer per event."""

    def __init__(self, queue: "asyncio.Queue[LiveUpdate | None]") -> None:
        self.queue = queue
        self.loop = asyncio.get_running_loop()
        self.handle: asyncio.TimerHandle | None = None

    def set(self, when: float) -> None:
        if self.handle is None:
            self.handle = self.loop.call_at(when, self._ring)

    def _ring(self) -> None:
        self.handle = None
        with contextlib.suppress(asyncio.QueueFull):  # full: the stream wakes anyway, sets it again
            self.queue.put_nowait(TICK)

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()


async def _events(feed: LiveFeed, access: StreamAccess, grant: StreamGrant,
                  heartbeat: float, recheck: float, last_seen: int | None) -> AsyncIterator[bytes]:
    """Ends after MAX_STREAM_SECONDS (EventSource reconnects by itself), so a stream never
    holds up a server's graceful shutdown for long and clients spread over new replicas.
    What one wake-up finds in the queue goes out as one chunk (one write, not one per event)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_STREAM_SECONDS
    every_batch = feed.db.dialect != "postgresql"  # SQLite: no NOTIFY for changes made in SQL
    async with feed.subscription(grant.user_id) as queue:
        # Subscribed first, then read: a change after authentication is either seen here or
        # arrives as RECHECK; an event committed after the position or replay was read is in
        # the queue.
        if not await access.still_allowed(grant):
            return
        if last_seen is None:
            position = _Position(await replay.position(feed.db))
            yield f"retry: {RETRY_MS}\nid: {position.value}\n: connected\n\n".encode()
        else:
            position = _Position(last_seen)
            missed = await replay.missed(feed.db, last_seen)
            yield f"retry: {RETRY_MS}\n: connected, {len(missed)} events replayed\n\n".encode()
            for event in missed:
                yield b"".join(position.message(update) for update in event_updates(event))
        next_beat = loop.time() + heartbeat
        next_check = loop.time() + recheck
        alarm = _Alarm(queue)
        try:
            while loop.time() < deadline:
                alarm.set(min(next_beat, next_check, deadline))
                first = await queue.get()
                batch = _drain(queue, first) if first is not None else [None]
                events = [u for u in batch if u is not None and u is not RECHECK and u is not TICK]
                if RECHECK in batch or loop.time() >= next_check or (every_batch and events):
                    if not await access.still_allowed(grant):
                        yield b": access revoked\n\n"
                        return
                    next_check = loop.time() + recheck
                if events:
                    yield b"".join(position.message(update) for update in events)
                if None in batch:
                    return
                if events:
                    next_beat = loop.time() + heartbeat
                elif loop.time() >= next_beat:
                    yield b": heartbeat\n\n"
                    next_beat = loop.time() + heartbeat
        finally:
            alarm.cancel()


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"},
                                                       "itemSchema": STREAM_EVENT}},
                     "description": "`event:` incident.created | incident.updated | event.created | "
                                    "event.updated (a timeline event's star changed; `data:` the "
                                    "event as it now reads) | alert.updated; `data:` JSON with at "
                                    "least `incident_id`. "
                                    "Ends when the caller may no longer read (disabled, password "
                                    "or role changed)."},
               **error_responses(401)},
)
async def stream(
    request: Request, caller: StreamCaller, accounts: Annotated[Accounts, Depends(get_accounts)],
    last_event_id: Annotated[int | None, Header(
        alias="Last-Event-ID", ge=0, le=2**63 - 1,
        description="The last `id:` this client received: the timeline events after it are sent "
                    "first (at least once; drop repeats by `data.id`)")] = None,
) -> StreamingResponse:
    """Server-sent events, one per change, from every replica; resumable with `Last-Event-ID`."""
    feed: LiveFeed = request.app.state.live
    heartbeat: float = request.app.state.settings.stream_heartbeat_seconds
    events = _events(feed, accounts.streams, StreamGrant.of(caller), heartbeat,
                     accounts.streams.recheck_seconds, last_event_id)
    return StreamingResponse(
        events, media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/stream/ticket", response_model=StreamTicketRead, responses=error_responses(401))
async def stream_ticket(
    user: AnyUser, accounts: Annotated[Accounts, Depends(get_accounts)]
) -> StreamTicketRead:
    """A single-use ticket for `GET /stream?ticket=...`, valid for a few seconds, so the
    bearer token never goes in a URL. Not replayed by `Idempotency-Key` (it is a secret)."""
    return await accounts.streams.issue(user)
