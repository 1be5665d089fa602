"""Set-based writes for alert intake: many incidents and timeline events in a few statements.

The one-at-a-time forms (incidents.open_incident, timeline.record_event) cost a round trip
or two per row; a batch of a thousand alerts must not. Same rows, same events, same live
updates as those forms.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.models import Incident, IncidentEvent, Service, User
from app.schemas.incidents import EventRead
from app.services.incidents import deadlines_for
from app.services.live import announce_event


@dataclass(frozen=True)
class NewEvent:
    incident_id: int
    type: str
    body: str
    data: dict[str, Any]


@dataclass(frozen=True)
class NewIncident:
    title: str
    description: str
    severity: Severity
    service_id: int


async def record_events(
    session: AsyncSession, events: list[NewEvent], actor: User | None, now: datetime
) -> None:
    if not events:
        return
    rows = [{"incident_id": e.incident_id, "type": e.type, "body": e.body, "data": e.data,
             "created_by": actor.id if actor else None, "created_at": now} for e in events]
    ids = (await session.scalars(
        insert(IncidentEvent).returning(IncidentEvent.id, sort_by_parameter_order=True), rows
    )).all()
    for ident, row in zip(ids, rows, strict=True):
        read = EventRead(id=ident, created_by_name=actor.name if actor else None, **row)
        announce_event(session, read.model_dump(mode="json"))


async def open_incidents(
    session: AsyncSession, specs: list[NewIncident], actor: User | None, source: str,
    now: datetime,
) -> list[int]:
    """New incidents with their SLA deadlines and `created` events, in the order given."""
    if not specs:
        return []
    wanted = {s.service_id for s in specs}
    services = {s.id: s for s in await session.scalars(select(Service).where(Service.id.in_(wanted)))}
    rows = [{
        "title": s.title[:200], "description": s.description, "severity": s.severity.value,
        "status": Status.NEW.value, "service_id": s.service_id, "assignee_id": None,
        "created_at": now, "version": 1,
        **deadlines_for(services[s.service_id], s.severity, now),
    } for s in specs]
    ids = list((await session.scalars(
        insert(Incident).returning(Incident.id, sort_by_parameter_order=True), rows
    )).all())
    await record_events(session, [
        NewEvent(ident, "created", f"{s.severity.value} incident opened on "
                 f"{services[s.service_id].name} from a {source} alert",
                 {"severity": s.severity.value, "service_id": s.service_id,
                  "assignee_id": None, "source": source})
        for ident, s in zip(ids, specs, strict=True)
    ], actor, now)
    return ids
