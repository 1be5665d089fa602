"""Reading incidents as the API shows them: names joined in, SLA and workflow derived."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import lifecycle, rca, sla
from app.errors import NotFound
from app.models import Incident, IncidentEvent, Rca, Service, User
from app.schemas.incidents import EventRead, IncidentRead, RcaRead, SlaRead


def incident_rows() -> Select[Incident, str, str | None, Rca | None]:
    return (
        select(Incident, Service.name, User.name, Rca)
        .join(Service, Service.id == Incident.service_id)
        .outerjoin(User, User.id == Incident.assignee_id)
        .outerjoin(Rca, Rca.incident_id == Incident.id)
    )


def rca_values(record: Rca | None) -> dict[str, str | None] | None:
    if record is None:
        return None
    return {name: getattr(record, name) for name in rca.RCA_FIELDS}


def incident_deadlines(incident: Incident) -> sla.Deadlines:
    return sla.Deadlines(
        ack_due_at=incident.ack_due_at,
        resolve_due_at=incident.resolve_due_at,
        ack_at_risk_at=incident.ack_at_risk_at,
        resolve_at_risk_at=incident.resolve_at_risk_at,
    )


def to_read(
    incident: Incident,
    service_name: str,
    assignee_name: str | None,
    rca_record: Rca | None,
    now: datetime,
) -> IncidentRead:
    status = sla.evaluate(
        incident_deadlines(incident), incident.acknowledged_at, incident.resolved_at, now
    )
    return IncidentRead(
        id=incident.id,
        title=incident.title,
        description=incident.description,
        severity=incident.severity,  # type: ignore[arg-type]
        status=incident.status,  # type: ignore[arg-type]
        service_id=incident.service_id,
        service_name=service_name,
        assignee_id=incident.assignee_id,
        assignee_name=assignee_name,
        created_at=incident.created_at,
        acknowledged_at=incident.acknowledged_at,
        mitigated_at=incident.mitigated_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        version=incident.version,
        allowed_transitions=list(lifecycle.allowed_transitions(lifecycle.Status(incident.status))),
        close_blockers=rca.missing_fields(rca_values(rca_record)),
        sla=SlaRead.model_validate(status),
    )


async def load_incident_and_rca(
    session: AsyncSession, incident_id: int, now: datetime
) -> tuple[IncidentRead, Rca | None]:
    """The incident as read, and its RCA row from the same query (no second round trip)."""
    stmt = incident_rows().where(Incident.id == incident_id)
    row = (await session.execute(stmt.execution_options(populate_existing=True))).first()
    if row is None:
        raise NotFound("Incident", incident_id)
    return to_read(row[0], row[1], row[2], row[3], now=now), row[3]


async def load_incident(session: AsyncSession, incident_id: int, now: datetime) -> IncidentRead:
    return (await load_incident_and_rca(session, incident_id, now))[0]


def rca_read(record: Rca) -> RcaRead:
    return RcaRead(
        incident_id=record.incident_id,
        root_cause=record.root_cause,
        contributing_factors=record.contributing_factors,
        corrective_actions=record.corrective_actions,
        prevention_actions=record.prevention_actions,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        missing_fields=rca.missing_fields(rca_values(record)),
    )


async def load_events(session: AsyncSession, incident_id: int) -> list[EventRead]:
    stmt = (
        select(IncidentEvent, User.name)
        .outerjoin(User, User.id == IncidentEvent.created_by)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.id)
    )
    return [event_read(event, name) for event, name in (await session.execute(stmt)).all()]


def event_read(event: IncidentEvent, actor_name: str | None) -> EventRead:
    return EventRead(
        id=event.id,
        incident_id=event.incident_id,
        type=event.type,
        body=event.body,
        data=event.data or {},
        created_by=event.created_by,
        created_by_name=actor_name,
        created_at=event.created_at,
    )
