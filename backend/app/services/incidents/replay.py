"""What a live-stream client missed while it was away: the timeline events after the position
it last saw (SSE `Last-Event-ID`), for a client reconnecting to any replica.

Positions are timeline event ids. Ids are taken when a write inserts, not when it commits, so
two writes can commit out of id order (the later id first); a client that disconnects between
the two commits has seen the larger id and not the smaller. Replay therefore starts OVERLAP
ids below the position the client sent: delivery is at least once, and clients drop repeats
by event id. At most REPLAY_MAX events are replayed, in pages of PAGE.
"""

from typing import Any

from sqlalchemy import bindparam, func, select

from app.db import Database
from app.models import IncidentEvent
from app.services.incidents.reads import event_payload, events_after_statement

OVERLAP = 256
PAGE = 500
REPLAY_MAX = 10_000
EVENTS_AFTER = events_after_statement().limit(PAGE)
LATEST = select(func.coalesce(func.max(IncidentEvent.id), 0).label("id")).where(
    IncidentEvent.id >= bindparam("floor"))


async def position(db: Database) -> int:
    """The newest event's id now: where a new client starts."""
    async with db.rows.reader() as reader:
        rows = await reader.all(LATEST, floor=0)
    return int(rows[0]["id"])


async def missed(db: Database, last_seen: int) -> list[dict[str, Any]]:
    """The events after `last_seen` (from OVERLAP below it), oldest first, as `EventRead`."""
    events: list[dict[str, Any]] = []
    after = max(0, last_seen - OVERLAP)
    async with db.rows.reader() as reader:
        while len(events) < REPLAY_MAX:
            page = [event_payload(r) for r in await reader.all(EVENTS_AFTER, after=after)]
            events.extend(page)
            if len(page) < PAGE:
                break
            after = page[-1]["id"]
    return events[:REPLAY_MAX]
