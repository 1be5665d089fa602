"""Moving an incident through its lifecycle, one compare-and-set at a time."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import lifecycle, rca
from app.domain.events import EventType
from app.infra.rows import SessionReader
from app.models import Incident, Rca, User
from app.schemas.incidents import TransitionRequest
from app.services.incidents.guards import bump_version, check_version, ensure_exists
from app.services.incidents.reads import incident_detail
from app.services.incidents.writer import record_event


async def change_status(
    db: Database, incident_id: int, body: TransitionRequest, if_match: int | None, actor: User
) -> dict[str, Any]:
    """`IncidentDetail` after the move: the same answer as GET /incidents/{id}."""
    async with db.transaction() as session:
        incident = await ensure_exists(session, incident_id)
        check_version(incident, body.version if body.version is not None else if_match)
        now = utcnow()
        await move(session, incident, body.status, body.note, actor, now)
        return await incident_detail(SessionReader(session), incident_id, now)


async def move(
    session: AsyncSession,
    incident: Incident,
    target: lifecycle.Status,
    note: str | None,
    actor: User | None,
    now: datetime,
) -> None:
    """One compare-and-set move with its `status_change` event, inside the caller's
    transaction (flush only); raises Conflict if someone moved the incident first."""
    current = lifecycle.Status(incident.status)
    record = await session.scalar(select(Rca).where(Rca.incident_id == incident.id))
    before = lifecycle.Timestamps(
        acknowledged_at=incident.acknowledged_at,
        mitigated_at=incident.mitigated_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
    )
    rca_values = {name: getattr(record, name) for name in rca.RCA_FIELDS} if record else None
    after = lifecycle.transition(current, target, before, now, rca.missing_fields(rca_values))
    await bump_version(session, incident, {
        "status": target.value,
        "acknowledged_at": after.acknowledged_at,
        "mitigated_at": after.mitigated_at,
        "resolved_at": after.resolved_at,
        "closed_at": after.closed_at,
    })
    verb = "Reopened" if lifecycle.is_reopen(current, target) else "Moved"
    text = f"{verb} from {current.value} to {target.value}"
    if note:
        text += f": {note}"
    await record_event(
        session,
        incident_id=incident.id,
        type=EventType.STATUS_CHANGE,
        body=text,
        data={"from": current.value, "to": target.value, "note": note},
        actor=actor,
        now=now,
    )
