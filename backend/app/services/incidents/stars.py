"""Starring timeline events: the key events a team picks out (the report's Key events).

A star is its own record (models/event_stars.py): starring writes nothing into the timeline,
so the events, their hash chain and the incident's version stay as they were. Both moves are
idempotent (a second star keeps the first starrer; unstarring an unstarred event is a no-op)
and a change is announced on the live stream as `event.updated`, carrying the event as it now
reads, so other open consoles show it without reloading.
"""

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.infra.live import announce
from app.infra.rows import SessionReader
from app.models import IncidentEventStar, User
from app.schemas.incidents import EventRead
from app.services.incidents.guards import ensure_exists
from app.services.incidents.reads import event_of

EVENT_UPDATED = "event.updated"


async def _answer(session: AsyncSession, incident_id: int, event_id: int, changed: bool) -> EventRead:
    event = await event_of(SessionReader(session), incident_id, event_id)
    if changed:
        announce(session, EVENT_UPDATED, EventRead.model_validate(event).model_dump(mode="json"))
    return EventRead.model_validate(event)


async def star(db: Database, incident_id: int, event_id: int, actor: User) -> EventRead:
    """Mark the event as key. 404 unless the event belongs to the incident."""
    async with db.transaction() as session:
        await ensure_exists(session, incident_id)
        await event_of(SessionReader(session), incident_id, event_id)  # 404 across incidents
        insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
        added = await session.scalar(
            insert(IncidentEventStar)
            .values(event_id=event_id, incident_id=incident_id, starred_by=actor.id,
                    starred_at=utcnow())
            .on_conflict_do_nothing(index_elements=[IncidentEventStar.event_id])
            .returning(IncidentEventStar.event_id))
        return await _answer(session, incident_id, event_id, changed=added is not None)


async def unstar(db: Database, incident_id: int, event_id: int) -> EventRead:
    """Take the event's star away, whoever starred it (the star is not an event: who took it
    away is not recorded). 404 unless the event belongs to the incident."""
    async with db.transaction() as session:
        await ensure_exists(session, incident_id)
        await event_of(SessionReader(session), incident_id, event_id)
        removed = await session.scalar(
            delete(IncidentEventStar)
            .where(IncidentEventStar.event_id == event_id,
                   IncidentEventStar.incident_id == incident_id)
            .returning(IncidentEventStar.event_id)
            .execution_options(synchronize_session=False))
        return await _answer(session, incident_id, event_id, changed=removed is not None)
