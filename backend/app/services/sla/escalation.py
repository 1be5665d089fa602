"""Escalation on a missed acknowledgement: an incident still New a step's `after_minutes` after
it opened gets one `escalated` event per step of its service's `escalation_policy`.

Exactly once by construction, as the SLA notices (sweeper.py): each step is an INSERT ...
SELECT into `incident_escalations`, whose unique (incident_id, step) turns a second sweep's
insert, concurrent or not, on any replica, into nothing; only rows inserted now get an event.
The events go through the one writer, so the notification outbox enqueues the step's
`incident.escalated` deliveries in the same transaction. Set-based: one statement per step
index (at most ten), whatever the number of services and incidents. Run by the SLA sweeper's
leader loop, every `SLA_SWEEP_SECONDS`.

A policy change applies to incidents still New: a step is known by its index, so the steps an
incident already escalated through are not repeated, and a step added past its time fires on
the next sweep. Acknowledging (any move out of New) stops further steps.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.db import Database
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.models import Incident, IncidentEscalation, Service
from app.services.incidents.writer import NewEvent, record_events
from app.services.sla.filters import utc_literal


def escalation_text(step: int) -> str:
    """The event's words: no times or ids (readers see those from the data, in their zone)."""
    return f"Not acknowledged: escalated (step {step + 1})"


async def escalate(db: Database, now: datetime) -> int:
    """Write the escalations due at `now`; returns how many events were written."""
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    async with db.transaction() as session:
        policies: dict[int, list[dict[str, Any]]] = {
            row.id: row.escalation_policy
            for row in await session.execute(select(Service.id, Service.escalation_policy))
            if row.escalation_policy}
        # step index -> {service id: the latest creation time still due at `now`}
        due: dict[int, dict[int, datetime]] = defaultdict(dict)
        for service_id, steps in policies.items():
            for index, step in enumerate(steps):
                due[index][service_id] = now - timedelta(minutes=step["after_minutes"])
        fired: list[tuple[int, int]] = []  # (incident, step index)
        for index, cutoffs in sorted(due.items()):
            done = exists().where(IncidentEscalation.incident_id == Incident.id,
                                  IncidentEscalation.step == index)
            cutoff = case({sid: utc_literal(at) for sid, at in cutoffs.items()},
                          value=Incident.service_id)
            candidates = select(Incident.id, literal(index), utc_literal(now)).where(
                Incident.status == Status.NEW.value, Incident.sla_paused_at.is_(None),
                Incident.service_id.in_(list(cutoffs)),
                Incident.created_at <= cutoff, ~done)
            stmt = (
                insert(IncidentEscalation)
                .from_select(["incident_id", "step", "escalated_at"], candidates)
                .on_conflict_do_nothing(index_elements=["incident_id", "step"])
                .returning(IncidentEscalation.incident_id)
            )
            fired += [(i, index) for i in (await session.scalars(stmt)).all()]
        if not fired:
            return 0
        services = {row.id: row.service_id for row in await session.execute(
            select(Incident.id, Incident.service_id).where(Incident.id.in_({f[0] for f in fired})))}
        events = []
        for incident_id, index in sorted(fired):
            step = policies[services[incident_id]][index]
            events.append(NewEvent(incident_id, EventType.ESCALATED, escalation_text(index), {
                "step": index, "after_minutes": step["after_minutes"],
                "channel_ids": list(step["channel_ids"])}))
        await record_events(session, events, None, now)
        return len(events)
