"""Reading incidents as the API shows them: names joined in, SLA and workflow derived.

One Core statement per read, built once; rows become plain dicts in the API's JSON shape
(`IncidentRead`, `EventRead`, `RcaRead`), so a read endpoint can write them out with orjson
without ORM objects or a pydantic pass (services that return models validate the dict).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.domain import lifecycle, rca, sla
from app.errors import NotFound
from app.infra.rows import Row, RowReader, SessionReader
from app.models import Incident, IncidentEvent, Rca, Service, User
from app.schemas.incidents import EventRead, IncidentRead, RcaRead

_I, _R, _E = Incident.__table__.c, Rca.__table__.c, IncidentEvent.__table__.c
INCIDENT_FIELDS = ("id", "title", "description", "severity", "status", "service_id",
                   "assignee_id", "created_at", "acknowledged_at", "mitigated_at",
                   "resolved_at", "closed_at", "ack_due_at", "resolve_due_at", "ack_at_risk_at",
                   "resolve_at_risk_at", "version")
RCA_COLUMNS = (*rca.RCA_FIELDS, "incident_id", "updated_at", "updated_by")
RCA_KEYS = tuple((name, f"rca_{name}") for name in rca.RCA_FIELDS)
RCA_ORDER = ("incident_id", *rca.RCA_FIELDS, "updated_at", "updated_by")  # RcaRead's order
EVENT_FIELDS = ("id", "incident_id", "type", "body", "data", "created_by", "created_at")
ALLOWED = {s.value: [t.value for t in lifecycle.allowed_transitions(s)] for s in lifecycle.Status}


def incident_rows(rca_meta: bool = True) -> Select[Any]:
    """Incidents with their service's and owner's names and their RCA's fields (`rca_*`);
    a list leaves out the RCA's author and time, which only the detail shows."""
    rca_columns = RCA_COLUMNS if rca_meta else (*rca.RCA_FIELDS, "incident_id")
    return (
        select(*(_I[name] for name in INCIDENT_FIELDS),
               Service.name.label("service_name"), User.name.label("assignee_name"),
               *(_R[name].label(f"rca_{name}") for name in rca_columns))
        .select_from(Incident)
        .join(Service, Service.id == Incident.service_id)
        .outerjoin(User, User.id == Incident.assignee_id)
        .outerjoin(Rca, Rca.incident_id == Incident.id)
    )


ONE_INCIDENT = incident_rows().where(Incident.id == bindparam("incident_id"))
_actor = aliased(User)
# The incident once per timeline event (`ev_*`): the detail in one round trip, not two.
WITH_TIMELINE = (
    incident_rows()
    .add_columns(*(_E[name].label(f"ev_{name}") for name in EVENT_FIELDS),
                 _actor.name.label("ev_created_by_name"))
    .outerjoin(IncidentEvent, IncidentEvent.incident_id == Incident.id)
    .outerjoin(_actor, _actor.id == IncidentEvent.created_by)
    .where(Incident.id == bindparam("incident_id"))
    .order_by(IncidentEvent.id)
)
TIMELINE = (
    select(*(_E[name] for name in EVENT_FIELDS), User.name.label("created_by_name"))
    .outerjoin(User, User.id == IncidentEvent.created_by)
    .where(IncidentEvent.incident_id == bindparam("incident_id"))
    .order_by(IncidentEvent.id)
)


def rca_values(record: Rca | None) -> dict[str, str | None] | None:
    if record is None:
        return None
    return {name: getattr(record, name) for name in rca.RCA_FIELDS}


def incident_payload(r: Row, now: datetime) -> dict[str, Any]:
    """An incident row as `IncidentRead`: SLA evaluated at `now`, next moves, close blockers."""
    ack_due_at, resolve_due_at = r["ack_due_at"], r["resolve_due_at"]
    ack_breached, resolve_breached, breached, state, next_due_at = sla.judge(
        ack_due_at, resolve_due_at, r["ack_at_risk_at"], r["resolve_at_risk_at"],
        r["acknowledged_at"], r["resolved_at"], now)
    has_rca = r["rca_incident_id"] is not None
    return {  # IncidentRead's field order, so the JSON is byte for byte what pydantic writes
        "id": r["id"], "title": r["title"], "description": r["description"],
        "severity": r["severity"], "status": r["status"], "service_id": r["service_id"],
        "service_name": r["service_name"], "assignee_id": r["assignee_id"],
        "assignee_name": r["assignee_name"], "created_at": r["created_at"],
        "acknowledged_at": r["acknowledged_at"], "mitigated_at": r["mitigated_at"],
        "resolved_at": r["resolved_at"], "closed_at": r["closed_at"], "version": r["version"],
        "allowed_transitions": ALLOWED[r["status"]],
        "close_blockers": rca.missing_fields(
            {name: r[key] for name, key in RCA_KEYS} if has_rca else None),
        "sla": {"ack_due_at": ack_due_at, "resolve_due_at": resolve_due_at,
                "ack_breached": ack_breached, "resolve_breached": resolve_breached,
                "breached": breached, "state": state, "next_due_at": next_due_at},
    }


def rca_payload(r: Row) -> dict[str, Any] | None:
    """The RCA part of an incident row as `RcaRead`, or None when there is none yet."""
    if r["rca_incident_id"] is None:
        return None
    values = {name: r[f"rca_{name}"] for name in RCA_ORDER}
    return {**values, "missing_fields": rca.missing_fields(values)}


def event_payload(r: Row, prefix: str = "") -> dict[str, Any]:
    """An event row (or the `ev_*` columns of WITH_TIMELINE) as `EventRead`."""
    data = r[f"{prefix}data"]
    return {"id": r[f"{prefix}id"], "incident_id": r[f"{prefix}incident_id"],
            "type": r[f"{prefix}type"], "body": r[f"{prefix}body"],
            "data": {} if data is None else data, "created_by": r[f"{prefix}created_by"],
            "created_by_name": r[f"{prefix}created_by_name"], "created_at": r[f"{prefix}created_at"]}


async def incident_detail(reader: RowReader, incident_id: int, now: datetime) -> dict[str, Any]:
    """`IncidentDetail`: the incident, its whole timeline and its RCA, in one statement."""
    rows = await reader.all(WITH_TIMELINE, incident_id=incident_id)
    if not rows:
        raise NotFound("Incident", incident_id)
    return {**incident_payload(rows[0], now),
            "events": [event_payload(r, "ev_") for r in rows if r["ev_id"] is not None],
            "rca": rca_payload(rows[0])}


async def load_incident(session: AsyncSession, incident_id: int, now: datetime) -> IncidentRead:
    found = await SessionReader(session).all(ONE_INCIDENT, incident_id=incident_id)
    if not found:
        raise NotFound("Incident", incident_id)
    return IncidentRead.model_validate(incident_payload(found[0], now))


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
    rows = await SessionReader(session).all(TIMELINE, incident_id=incident_id)
    return [EventRead.model_validate(event_payload(r)) for r in rows]


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
