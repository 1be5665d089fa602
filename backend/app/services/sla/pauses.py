"""Paused SLA clocks: pause with a reason (waiting on a customer or a vendor), resume.

A pause needs an acknowledged, unresolved incident (Investigating or Mitigated): there is then
no acknowledgement left to wait for, and resolving it ends the pause (transitions.py calls
`resume_values` in the same compare-and-set). While paused nothing breaches (domain/sla.judge)
and neither the sweeper nor escalation touches it; on resume the pending due and at-risk times
move later by the paused business time in the incident's calendar (domain/sla.resumed).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import sla
from app.domain.business_hours import Calendar, business_seconds_between
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.errors import SlaPauseRefused
from app.infra.rows import SessionReader
from app.models import IncidentEvent, User
from app.schemas.calendars import SlaPause
from app.services.incidents.guards import (
    IncidentState,
    bump_version,
    check_version,
    ensure_exists,
    refuse_if_closed,
)
from app.services.incidents.reads import incident_detail
from app.services.incidents.writer import NewEvent, record_events
from app.services.sla.calendars import calendars_by_id

PAUSABLE = (Status.INVESTIGATING.value, Status.MITIGATED.value)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


async def pause(db: Database, incident_id: int, body: SlaPause, if_match: int | None,
                actor: User) -> dict[str, Any]:
    async with db.transaction() as session:
        incident = await ensure_exists(session, incident_id)
        check_version(incident, if_match)
        refuse_if_closed(incident, "SLA pauses")
        if incident.sla_paused_at is not None:
            raise SlaPauseRefused(f"Incident {incident_id}'s SLA clock is already paused")
        if incident.status not in PAUSABLE:
            raise SlaPauseRefused(f"Incident {incident_id} is {incident.status}: only an "
                                  "Investigating or Mitigated incident's clock can pause")
        now = utcnow()
        held = await bump_version(session, incident, {"sla_paused_at": now,
                                                       "sla_paused_reason": body.reason})
        await record_events(session, [NewEvent(incident_id, EventType.SLA_PAUSED,
                                               f"SLA clock paused: {body.reason}",
                                               {"reason": body.reason})], actor, now,
                            {incident_id: held})
        return await incident_detail(SessionReader(session), incident_id, now)


def _met(done_at: datetime | None, at: datetime) -> bool:
    return done_at is not None and done_at <= at


async def replay_pauses(session: AsyncSession, incident: IncidentState, values: dict[str, Any],
                        calendars: dict[int, Calendar]) -> dict[str, Any]:
    """SLA columns recomputed from creation (a severity change: `values`) with the incident's
    earlier pauses applied again, in order, as each resume applied them, so a new target does
    not forget the time the clock stood still. A pause still running is applied when it ends."""
    resumes = (await session.execute(
        select(IncidentEvent.data, IncidentEvent.created_at)
        .where(IncidentEvent.incident_id == incident.id,
               IncidentEvent.type == EventType.SLA_RESUMED.value)
        .order_by(IncidentEvent.id))).all()
    if not resumes:
        return values
    calendar_id = values.get("sla_calendar_id")
    calendar = calendars.get(calendar_id) if calendar_id is not None else None
    d = sla.Deadlines(values["ack_due_at"], values["resolve_due_at"], values["ack_at_risk_at"],
                      values["resolve_at_risk_at"])
    for data, resumed_at in resumes:
        paused_at = datetime.fromisoformat(str(data["paused_at"]))
        d = sla.resumed(d, paused_at, resumed_at, calendar, _met(incident.acknowledged_at, resumed_at),
                        _met(incident.resolved_at, resumed_at))
    return {**values, "ack_due_at": d.ack_due_at, "resolve_due_at": d.resolve_due_at,
            "ack_at_risk_at": d.ack_at_risk_at, "resolve_at_risk_at": d.resolve_at_risk_at}


async def resume_values(session: AsyncSession, incident: IncidentState, now: datetime
                        ) -> tuple[dict[str, Any], NewEvent]:
    """The columns and the `sla_resumed` event that end `incident`'s pause at `now`."""
    paused_at, reason = incident.sla_paused_at, incident.sla_paused_reason
    assert paused_at is not None
    calendars = await calendars_by_id(session, [incident.sla_calendar_id])
    calendar = calendars.get(incident.sla_calendar_id) if incident.sla_calendar_id else None
    before = sla.Deadlines(incident.ack_due_at, incident.resolve_due_at,
                           incident.ack_at_risk_at, incident.resolve_at_risk_at)
    after = sla.resumed(before, paused_at, now, calendar, incident.acknowledged_at is not None,
                        incident.resolved_at is not None)
    wall = max(0, round((now - paused_at).total_seconds()))
    business = round(business_seconds_between(calendar, paused_at, now))
    values = {"ack_due_at": after.ack_due_at, "resolve_due_at": after.resolve_due_at,
              "ack_at_risk_at": after.ack_at_risk_at, "resolve_at_risk_at": after.resolve_at_risk_at,
              "sla_paused_at": None, "sla_paused_reason": None,
              "sla_paused_seconds": incident.sla_paused_seconds + wall}
    event = NewEvent(incident.id, EventType.SLA_RESUMED, f"SLA clock resumed after pause: {reason}", {
        "reason": reason, "paused_at": _iso(paused_at), "paused_seconds": wall,
        "business_seconds": business, "ack_due_at": _iso(after.ack_due_at),
        "resolve_due_at": _iso(after.resolve_due_at)}, now)
    return values, event


async def resume(db: Database, incident_id: int, if_match: int | None, actor: User) -> dict[str, Any]:
    async with db.transaction() as session:
        incident = await ensure_exists(session, incident_id)
        check_version(incident, if_match)
        refuse_if_closed(incident, "SLA pauses")
        if incident.sla_paused_at is None:
            raise SlaPauseRefused(f"Incident {incident_id}'s SLA clock is not paused")
        now = utcnow()
        values, event = await resume_values(session, incident, now)
        held = await bump_version(session, incident, values)
        await record_events(session, [event], actor, now, {incident_id: held})
        return await incident_detail(SessionReader(session), incident_id, now)
