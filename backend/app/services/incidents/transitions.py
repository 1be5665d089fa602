"""Moving an incident through its lifecycle, one compare-and-set at a time."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import lifecycle, rca
from app.domain.events import EventType
from app.infra.rows import SessionReader
from app.models import ActionItem, Rca, Service, User
from app.schemas.incidents import TransitionRequest
from app.services.incidents.guards import IncidentState, bump_version, check_version, ensure_exists
from app.services.incidents.reads import incident_detail
from app.services.incidents.writer import NewEvent, record_events
from app.services.sla.pauses import resume_values


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


@dataclass(frozen=True)
class Move:
    incident: IncidentState
    target: lifecycle.Status
    note: str | None = None
    at: datetime | None = None  # when it happened, if not the batch's `now` (the demo history)


async def move(
    session: AsyncSession,
    incident: IncidentState,
    target: lifecycle.Status,
    note: str | None,
    actor: User | None,
    now: datetime,
) -> None:
    """One compare-and-set move with its `status_change` event, inside the caller's
    transaction (flush only); raises Conflict if someone moved the incident first."""
    await move_many(session, [Move(incident, target, note)], actor, now)


async def _follow_up_gate(session: AsyncSession, closing: list[IncidentState]
                          ) -> tuple[dict[int, list[str]], set[int]]:
    """For the incidents about to close: their services' `close_requires_action_items`, and
    which of them have a follow-up with an owner and a due date."""
    if not closing:
        return {}, set()
    requires = {r.id: r.close_requires_action_items for r in await session.execute(
        select(Service.id, Service.close_requires_action_items)
        .where(Service.id.in_({i.service_id for i in closing})))}
    owned = set(await session.scalars(select(ActionItem.incident_id).distinct().where(
        ActionItem.incident_id.in_([i.id for i in closing]), ActionItem.owner_id.is_not(None),
        ActionItem.due_date.is_not(None))))
    return requires, owned


async def move_many(session: AsyncSession, moves: list[Move], actor: User | None, now: datetime) -> None:
    """`move` for several incidents (one move each): a compare-and-set per incident, then
    their events in one batch."""
    closing = [m.incident for m in moves if m.target is lifecycle.Status.CLOSED]
    # The RCA gates only a close (the writer reads it again, under the lock, for the chain).
    records = {r.incident_id: r for r in await session.execute(
        select(Rca.incident_id, *(getattr(Rca, name) for name in rca.RCA_FIELDS))
        .where(Rca.incident_id.in_([i.id for i in closing])))} if closing else {}
    requires, owned = await _follow_up_gate(session, closing)
    events = []
    held = {}
    for m in moves:
        incident, target, at = m.incident, m.target, m.at or now
        current = lifecycle.Status(incident.status)
        record = records.get(incident.id)
        before = lifecycle.Timestamps(
            acknowledged_at=incident.acknowledged_at,
            mitigated_at=incident.mitigated_at,
            resolved_at=incident.resolved_at,
            closed_at=incident.closed_at,
        )
        blockers: list[str] = []
        if target is lifecycle.Status.CLOSED:
            rca_values = {name: getattr(record, name) for name in rca.RCA_FIELDS} if record else None
            blockers = rca.close_blockers(rca_values, incident.severity,
                                          requires.get(incident.service_id) or (), incident.id in owned)
        after = lifecycle.transition(current, target, before, at, blockers)
        resumed: dict[str, Any] = {}
        if incident.sla_paused_at is not None and target is lifecycle.Status.RESOLVED:
            # Resolving ends a paused SLA clock, as a resume the moment before.
            resumed, event = await resume_values(session, incident, at)
            events.append(event)
        held[incident.id] = await bump_version(session, incident, {
            **resumed,
            "status": target.value,
            "acknowledged_at": after.acknowledged_at,
            "mitigated_at": after.mitigated_at,
            "resolved_at": after.resolved_at,
            "closed_at": after.closed_at,
        })
        verb = "Reopened" if lifecycle.is_reopen(current, target) else "Moved"
        text = f"{verb} from {current.value} to {target.value}"
        if m.note:
            text += f": {m.note}"
        events.append(NewEvent(incident.id, EventType.STATUS_CHANGE, text,
                               {"from": current.value, "to": target.value, "note": m.note}, at))
    await record_events(session, events, actor, now, held)
