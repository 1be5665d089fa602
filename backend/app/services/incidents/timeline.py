"""Writing the timeline: every change to an incident is one event, in the change's transaction."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.infra.live import announce_event
from app.models import IncidentEvent, User
from app.schemas.incidents import EventRead
from app.services.incidents.audit import seal
from app.services.incidents.reads import event_read


async def record_event(
    session: AsyncSession,
    *,
    incident_id: int,
    type: str,
    body: str,
    data: dict[str, Any],
    actor: User | None,
    now: datetime,
) -> EventRead:
    row: dict[str, Any] = {"incident_id": incident_id, "type": type, "body": body, "data": data,
                           "created_by": actor.id if actor else None, "created_at": now}
    await seal(session, [row])  # chains it to the incident's previous event
    event = IncidentEvent(**row)
    session.add(event)
    await session.flush()
    read = event_read(event, actor.name if actor else None)
    announce_event(session, read.model_dump(mode="json"))
    return read
