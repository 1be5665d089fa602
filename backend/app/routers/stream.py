"""The live stream: server-sent events of incident, timeline and alert changes.

`EventSource` cannot send headers, so this endpoint alone also takes the token as
`?access_token=`. Heartbeat comments keep proxies from closing an idle stream.
"""

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.deps import StreamCaller
from app.infra.live import LiveFeed
from app.schemas.common import error_responses

router = APIRouter(tags=["live"])
# One server-sent event, as OpenAPI 3.2's `itemSchema` describes a stream's items (comments
# such as heartbeats are not events): what schemathesis checks every streamed event against.
STREAM_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["incident.created", "incident.updated",
                                             "event.created", "alert.updated"]},
        "data": {"type": "string", "contentMediaType": "application/json",
                 "contentSchema": {"type": "object", "required": ["incident_id"],
                                   "properties": {"incident_id": {"type": "integer"}}}},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}
RETRY_MS = 3000
MAX_STREAM_SECONDS = 300


async def _events(feed: LiveFeed, heartbeat: float) -> AsyncIterator[str]:
    """Ends after MAX_STREAM_SECONDS (EventSource reconnects by itself), so a stream never
    holds up a server's graceful shutdown for long and clients spread over new replicas."""
    deadline = asyncio.get_running_loop().time() + MAX_STREAM_SECONDS
    async with feed.subscription() as queue:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        while asyncio.get_running_loop().time() < deadline:
            try:
                update = await asyncio.wait_for(queue.get(), heartbeat)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            if update is None:
                return
            yield f"event: {update.kind}\ndata: {json.dumps(update.data, default=str)}\n\n"


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"},
                                                       "itemSchema": STREAM_EVENT}},
                     "description": "`event:` incident.created | incident.updated | event.created | "
                                    "alert.updated; `data:` JSON with at least `incident_id`"},
               **error_responses(401)},
)
async def stream(request: Request, _: StreamCaller) -> StreamingResponse:
    """Server-sent events, one per change, from every replica."""
    feed: LiveFeed = request.app.state.live
    heartbeat: float = request.app.state.settings.stream_heartbeat_seconds
    return StreamingResponse(
        _events(feed, heartbeat), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
