"""Incident intake, reading, listing and triage edits."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import sla
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.errors import IncidentClosed, StaleVersion, Unprocessable
from app.infra.rows import SessionReader
from app.models import Incident, Service, User
from app.schemas.incidents import IncidentCreate, IncidentUpdate
from app.services.incidents.reads import incident_detail
from app.services.incidents.timeline import record_event
from app.services.records import get_or_404


async def _service(session: AsyncSession, service_id: int) -> Service:
    service = await session.get(Service, service_id)
    if service is None:
        raise Unprocessable(f"service_id {service_id} is not a known service", field="service_id")
    return service


async def _assignee(session: AsyncSession, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    user = await session.get(User, assignee_id)
    if user is None or not user.is_active:
        raise Unprocessable(f"assignee_id {assignee_id} is not an active user", field="assignee_id")
    return user


def deadlines_for(service: Service, severity: Severity, created_at: Any) -> dict[str, Any]:
    target = sla.parse_policy(service.sla_policy)[severity]
    d = sla.deadlines(created_at, target)
    return {
        "ack_due_at": d.ack_due_at,
        "resolve_due_at": d.resolve_due_at,
        "ack_at_risk_at": d.ack_at_risk_at,
        "resolve_at_risk_at": d.resolve_at_risk_at,
    }


async def open_incident(
    session: AsyncSession, body: IncidentCreate, actor: User | None, source: str = "manual"
) -> Incident:
    """Insert a New incident with its SLA deadlines and its `created` event (flush only)."""
    now = utcnow()
    service = await _service(session, body.service_id)
    assignee = await _assignee(session, body.assignee_id)
    incident = Incident(
        title=body.title,
        description=body.description,
        severity=body.severity.value,
        status=Status.NEW.value,
        service_id=service.id,
        assignee_id=body.assignee_id,
        created_at=now,
        version=1,
        **deadlines_for(service, body.severity, now),
    )
    session.add(incident)
    await session.flush()
    owner = f", owned by {assignee.name}" if assignee else ""
    await record_event(
        session,
        incident_id=incident.id,
        type="created",
        body=f"{body.severity.value} incident opened on {service.name}{owner}",
        data={"severity": body.severity.value, "service_id": service.id,
              "assignee_id": body.assignee_id, "source": source},
        actor=actor,
        now=now,
    )
    return incident


async def create(db: Database, body: IncidentCreate, actor: User) -> dict[str, Any]:
    async with db.transaction() as session:
        incident = await open_incident(session, body, actor)
        return await incident_detail(SessionReader(session), incident.id, utcnow())


async def get(db: Database, incident_id: int) -> dict[str, Any]:
    """`IncidentDetail` as a dict (the route writes it out as it is)."""
    async with db.rows.reader() as reader:
        return await incident_detail(reader, incident_id, utcnow())


async def ensure_exists(session: AsyncSession, incident_id: int) -> Incident:
    return await get_or_404(session, Incident, incident_id, "Incident")


def check_version(incident: Incident, expected: int | None) -> None:
    if expected is not None and expected != incident.version:
        raise StaleVersion(
            f"Incident {incident.id} is at version {incident.version}, not {expected}: "
            "someone changed it first; reload and try again", incident.version
        )


async def bump_version(session: AsyncSession, incident: Incident, values: dict[str, Any]) -> None:
    """Compare-and-set: apply `values` only if nobody moved the incident since we read it."""
    result = await session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.version == incident.version)
        .values(**values, version=incident.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersion(f"Incident {incident.id} changed while this request ran; reload and retry",
                           None)


def refuse_if_closed(incident: Incident, action: str) -> None:
    if incident.status == Status.CLOSED.value:
        raise IncidentClosed(f"Incident {incident.id} is Closed; it no longer accepts {action}")


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
        events: list[tuple[str, str, dict[str, Any]]] = []
        for name in ("title", "description"):
            if name in changes and changes[name] is not None and changes[name] != getattr(incident, name):
                values[name] = changes[name]
                events.append(("field_change", f"{name.capitalize()} changed",
                               {"field": name, "from": getattr(incident, name), "to": changes[name]}))
        if changes.get("severity") is not None and changes["severity"] != incident.severity:
            new = Severity(changes["severity"])
            service = await _service(session, incident.service_id)
            values["severity"] = new.value
            values.update(deadlines_for(service, new, incident.created_at))
            events.append(("severity_change", f"Severity changed from {incident.severity} to {new.value}",
                           {"field": "severity", "from": incident.severity, "to": new.value}))
        if "assignee_id" in changes and changes["assignee_id"] != incident.assignee_id:
            before = await session.get(User, incident.assignee_id) if incident.assignee_id else None
            after = await _assignee(session, changes["assignee_id"])
            values["assignee_id"] = changes["assignee_id"]
            events.append(("assignment",
                           f"Owner changed from {before.name if before else 'nobody'} to "
                           f"{after.name if after else 'nobody'}",
                           {"field": "assignee_id", "from": incident.assignee_id,
                            "to": changes["assignee_id"],
                            "from_name": before.name if before else None,
                            "to_name": after.name if after else None}))
        if values:
            await bump_version(session, incident, values)
            for type_, text, data in events:
                await record_event(session, incident_id=incident_id, type=type_, body=text,
                                   data=data, actor=actor, now=now)
        return await incident_detail(SessionReader(session), incident_id, utcnow())
