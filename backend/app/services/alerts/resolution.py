"""Alerts that stop firing or that someone acknowledged at the sender.

Both are conditional UPDATEs (`WHERE status != 'resolved'`, `WHERE status = 'firing'`), so a
retried or concurrent delivery changes nothing twice and writes no second event. When the
last open alert of an incident resolves, the incident's timeline says so (the incident stays
where it is: closing it still needs its RCA). The incident rows are locked first, in id order,
so two deliveries resolving the last two alerts cannot both miss it.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.alert_payloads import NormalizedAlert
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.errors import Conflict
from app.models import Alert, Incident
from app.schemas.alert_intake import IntakeOutcome
from app.services.alerts.changes import AlertChange, summarised
from app.services.alerts.firing import AlertKey
from app.services.alerts.integration_keys import AlertSender
from app.services.incidents.transitions import move
from app.services.incidents.writer import NewEvent, record_events


def sender_name(sender: AlertSender) -> str:
    if sender.user is not None:
        return sender.user.name
    return f"integration key '{sender.key_name}'"


async def _untouched(
    session: AsyncSession, alerts: list[NormalizedAlert], done: set[AlertKey]
) -> dict[AlertKey, IntakeOutcome]:
    """Outcomes of alerts this delivery did not change: already in that state, or unknown."""
    rest = [a for a in alerts if (a.source.value, a.fingerprint) not in done]
    out = {(a.source.value, a.fingerprint): IntakeOutcome(
        fingerprint=a.fingerprint, alert_id=None, incident_id=None, status=None, outcome="ignored")
        for a in rest}
    for source in {a.source for a in rest}:
        rows = await session.execute(
            select(Alert.id, Alert.fingerprint, Alert.incident_id, Alert.status)
            .where(Alert.source == source.value,
                   Alert.fingerprint.in_([a.fingerprint for a in rest if a.source is source])))
        for r in rows.all():
            out[(source.value, r.fingerprint)] = IntakeOutcome(
                fingerprint=r.fingerprint, alert_id=r.id, incident_id=r.incident_id,
                status=r.status, outcome="repeated")
    return out


async def _open_only(session: AsyncSession, events: list[NewEvent]) -> list[NewEvent]:
    """A Closed incident's timeline is final: alerts changing afterwards are not written to it."""
    ids = {e.incident_id for e in events}
    if not ids:
        return events
    closed = set((await session.scalars(select(Incident.id).where(
        Incident.id.in_(ids), Incident.status == Status.CLOSED.value))).all())
    return [e for e in events if e.incident_id not in closed]


async def resolve(
    session: AsyncSession, alerts: list[NormalizedAlert], sender: AlertSender, now: datetime
) -> dict[AlertKey, IntakeOutcome]:
    batches: dict[tuple[str, datetime | None], list[str]] = defaultdict(list)
    for a in alerts:
        batches[(a.source.value, a.ends_at)].append(a.fingerprint)
    outcomes: dict[AlertKey, IntakeOutcome] = {}
    changes: list[AlertChange] = []
    for (source, ends_at), fingerprints in sorted(batches.items(), key=lambda b: (b[0][0], str(b[0][1]))):
        rows = await session.execute(
            update(Alert)
            .where(Alert.source == source, Alert.fingerprint.in_(sorted(fingerprints)),
                   Alert.status != "resolved")
            .values(status="resolved", resolved_at=now, last_seen_at=now, ends_at=ends_at or now)
            .returning(Alert.id, Alert.fingerprint, Alert.incident_id, Alert.summary)
            .execution_options(synchronize_session=False)
        )
        for r in rows.all():
            outcomes[(source, r.fingerprint)] = IntakeOutcome(
                fingerprint=r.fingerprint, alert_id=r.id, incident_id=r.incident_id,
                status="resolved", outcome="resolved")
            if r.incident_id is not None:
                changes.append(AlertChange(r.incident_id, "resolved", r.id, r.fingerprint, source, r.summary))
    events = await _open_only(session, summarised(changes))
    touched = sorted({e.incident_id for e in events})
    if touched:
        await session.execute(select(Incident.id).where(Incident.id.in_(touched))
                              .order_by(Incident.id).with_for_update(key_share=True))
        still_open = set((await session.scalars(
            select(Alert.incident_id).where(Alert.incident_id.in_(touched), Alert.status != "resolved")
            .distinct())).all())
        totals = dict((await session.execute(
            select(Alert.incident_id, func.count()).where(Alert.incident_id.in_(touched))
            .group_by(Alert.incident_id))).all())
        for incident_id in touched:
            if incident_id not in still_open:
                n = totals[incident_id]
                what = "Its only alert has" if n == 1 else f"All {n} of its alerts have"
                events.append(NewEvent(incident_id, EventType.ALERT, f"{what} resolved", {
                    "kind": "all_resolved", "alert_count": n}))
    await record_events(session, events, sender.user, now)
    return {**await _untouched(session, alerts, set(outcomes)), **outcomes}


async def acknowledge(
    session: AsyncSession, alerts: list[NormalizedAlert], sender: AlertSender, now: datetime
) -> dict[AlertKey, IntakeOutcome]:
    """Acknowledge the alerts, and their incidents: a New one moves to Investigating through
    the lifecycle's compare-and-set (someone moving it first is as good)."""
    outcomes: dict[AlertKey, IntakeOutcome] = {}
    changes: dict[int, list[AlertChange]] = defaultdict(list)
    for source in sorted({a.source for a in alerts}):
        rows = await session.execute(
            update(Alert)
            .where(Alert.source == source.value, Alert.status == "firing",
                   Alert.fingerprint.in_(sorted(a.fingerprint for a in alerts if a.source is source)))
            .values(status="acknowledged", acknowledged_at=now, last_seen_at=now)
            .returning(Alert.id, Alert.fingerprint, Alert.incident_id, Alert.summary)
            .execution_options(synchronize_session=False)
        )
        for r in rows.all():
            outcomes[(source.value, r.fingerprint)] = IntakeOutcome(
                fingerprint=r.fingerprint, alert_id=r.id, incident_id=r.incident_id,
                status="acknowledged", outcome="acknowledged")
            if r.incident_id is not None:
                changes[r.incident_id].append(
                    AlertChange(r.incident_id, "acknowledged", r.id, r.fingerprint, source.value, r.summary))
    events: list[NewEvent] = []
    who = sender_name(sender)
    for incident_id in sorted(changes):
        incident = await session.get(Incident, incident_id, populate_existing=True)
        if incident is None or incident.status == Status.CLOSED.value:
            continue
        if incident.status == Status.NEW.value:
            try:
                await move(session, incident, Status.INVESTIGATING,
                           f"alert acknowledged by {who}", sender.user, now)
                continue
            except Conflict:
                pass
        events += summarised(changes[incident_id], f" by {who}")
    await record_events(session, events, sender.user, now)
    return {**await _untouched(session, alerts, set(outcomes)), **outcomes}
