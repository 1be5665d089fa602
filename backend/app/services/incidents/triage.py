"""Opening an incident by hand, reading one, and triage edits."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain.events import EventType
from app.domain.severity import Severity
from app.infra.rows import SessionReader
from app.models import Service, User
from app.schemas.incidents import IncidentCreate, IncidentUpdate
from app.services.incidents.guards import bump_version, check_version, ensure_exists, refuse_if_closed
from app.services.incidents.reads import incident_detail
from app.services.incidents.writer import (
    MANUAL,
    NewEvent,
    NewIncident,
    check_owner,
    deadlines_for,
    open_incidents,
    record_events,
    service_calendars,
)
from app.services.sla.pauses import replay_pauses

# Free-text fields a triage edit may change, each one `field_change` event.
TEXT_FIELDS = ("title", "description", "impact")


async def create(db: Database, body: IncidentCreate, actor: User) -> dict[str, Any]:
    """`IncidentDetail` of a New incident opened by hand: the alert intake's writer, one item."""
    spec = NewIncident(title=body.title, description=body.description, impact=body.impact,
                       severity=body.severity, service_id=body.service_id,
                       assignee_id=body.assignee_id)
    async with db.transaction() as session:
        now = utcnow()
        [incident_id] = await open_incidents(session, [spec], actor, MANUAL, now)
        return await incident_detail(SessionReader(session), incident_id, now)


async def get(db: Database, incident_id: int) -> dict[str, Any]:
    """`IncidentDetail` as a dict (the route writes it out as it is)."""
    async with db.rows.reader() as reader:
        return await incident_detail(reader, incident_id, utcnow())


async def _owner(session: AsyncSession, assignee_id: int | None) -> User | None:
    return None if assignee_id is None else check_owner(assignee_id, await session.get(User, assignee_id))


def assignment_event(incident_id: int, before: User | None, after: User | None,
                     at: datetime | None = None) -> NewEvent:
    """The timeline's record of an owner change (triage and the demo history write the same)."""
    return NewEvent(incident_id, EventType.ASSIGNMENT,
                    f"Owner changed from {before.name if before else 'nobody'} to "
                    f"{after.name if after else 'nobody'}",
                    {"field": "assignee_id", "from": before.id if before else None,
                     "to": after.id if after else None,
                     "from_name": before.name if before else None,
                     "to_name": after.name if after else None}, at)


async def triage(
    db: Database, incident_id: int, body: IncidentUpdate, if_match: int | None, actor: User
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    async with db.transaction() as session:
        incident = await ensure_exists(session, incident_id)
        check_version(incident, body.version if body.version is not None else if_match)
        refuse_if_closed(incident, "triage edits")
        now = utcnow()
        values: dict[str, Any] = {}
        events: list[NewEvent] = []
        for name in TEXT_FIELDS:
            if name in changes and changes[name] is not None and changes[name] != getattr(incident, name):
                values[name] = changes[name]
                events.append(NewEvent(incident_id, EventType.FIELD_CHANGE, f"{name.capitalize()} changed",
                                       {"field": name, "from": getattr(incident, name), "to": changes[name]}))
        if changes.get("severity") is not None and changes["severity"] != incident.severity:
            new = Severity(changes["severity"])
            service = await session.get(Service, incident.service_id)
            assert service is not None
            values["severity"] = new.value
            calendars = await service_calendars(session, [service])
            # From creation under the new target, with the pauses that already ended applied again.
            values.update(await replay_pauses(
                session, incident, deadlines_for(service, new, incident.created_at, calendars),
                calendars))
            events.append(NewEvent(incident_id, EventType.SEVERITY_CHANGE,
                                   f"Severity changed from {incident.severity} to {new.value}",
                                   {"field": "severity", "from": incident.severity, "to": new.value}))
        if "assignee_id" in changes and changes["assignee_id"] != incident.assignee_id:
            before = await session.get(User, incident.assignee_id) if incident.assignee_id else None
            after = await _owner(session, changes["assignee_id"])
            values["assignee_id"] = changes["assignee_id"]
            events.append(assignment_event(incident_id, before, after))
        if values:
            held = await bump_version(session, incident, values)
            await record_events(session, events, actor, now, {incident_id: held})
        return await incident_detail(SessionReader(session), incident_id, utcnow())
