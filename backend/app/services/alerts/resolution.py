"""Alerts that stop firing or that someone acknowledged at the sender.

Both are conditional UPDATEs (`WHERE status != 'resolved'`, `WHERE status = 'firing'`), so a
retried or concurrent delivery changes nothing twice and writes no second event. When the
last open alert of an incident resolves, the incident's timeline says so (the incident stays
where it is: closing it still needs its RCA). The incident rows are locked first, in id order,
so two deliveries resolving the last two alerts cannot both miss it.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.alert_payloads import NormalizedAlert
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.errors import Conflict
from app.models import Alert, Incident
from app.services.alerts.changes import AlertChange, summarised
from app.services.alerts.integration_keys import AlertSender
from app.services.alerts.outcomes import AlertKey, AlertOutcome
from app.services.incidents.transitions import move
from app.services.incidents.writer import NewEvent, record_events


def sender_name(sender: AlertSender) -> str:
    if sender.user is not None:
        return sender.user.name
    return f"integration key '{sender.key_name}'"


Scoped = list[tuple[NormalizedAlert, int | None]]


def _which(pairs: list[tuple[int | None, str]]) -> ColumnElement[bool]:
    """Alerts of one source matching (service, fingerprint) pairs; a None service matches
    the fingerprint in every service. An integration key's pairs share one service: a plain
    `service_id = ? AND fingerprint IN (...)`."""
    anywhere = sorted({fp for sid, fp in pairs if sid is None})
    scoped = sorted({(sid, fp) for sid, fp in pairs if sid is not None})
    conditions: list[ColumnElement[bool]] = []
    if anywhere:
        conditions.append(Alert.fingerprint.in_(anywhere))
    if len({sid for sid, _ in scoped}) == 1:
        conditions.append(and_(Alert.service_id == scoped[0][0],
                               Alert.fingerprint.in_([fp for _, fp in scoped])))
    elif scoped:
        conditions.append(tuple_(Alert.service_id, Alert.fingerprint).in_(scoped))
    return or_(*conditions)


def _keys_of(source: str, fingerprint: str, service_id: int, wanted: set[AlertKey]) -> list[AlertKey]:
    """The requested keys a changed row answers: its own service's, and the any-service one."""
    return [k for k in ((source, fingerprint, service_id), (source, fingerprint, None)) if k in wanted]


async def _untouched(
    session: AsyncSession, alerts: Scoped, done: set[AlertKey]
) -> dict[AlertKey, AlertOutcome]:
    """Outcomes of alerts this delivery did not change: already in that state, or unknown."""
    rest = {(a.source.value, a.fingerprint, sid): a for a, sid in alerts
            if (a.source.value, a.fingerprint, sid) not in done}
    out = {key: AlertOutcome(fingerprint=a.fingerprint, alert_id=None, incident_id=None,
                              status=None, outcome="ignored") for key, a in rest.items()}
    for source in sorted({key[0] for key in rest}):
        rows = await session.execute(
            select(Alert.id, Alert.fingerprint, Alert.service_id, Alert.incident_id, Alert.status)
            .where(Alert.source == source,
                   _which([(sid, fp) for src, fp, sid in rest if src == source]))
            .order_by(Alert.id))
        answered: dict[AlertKey, AlertOutcome] = {}
        for r in rows.all():
            _answer(answered, _keys_of(source, r.fingerprint, r.service_id, set(rest)), AlertOutcome(
                fingerprint=r.fingerprint, alert_id=r.id, incident_id=r.incident_id,
                status=r.status, outcome="repeated"))
        out.update(answered)
    return out


def _answer(outcomes: dict[AlertKey, AlertOutcome], keys: list[AlertKey], outcome: AlertOutcome) -> None:
    """Record `outcome` for `keys`; an any-service key matching several alerts reports the
    oldest (the outcome names one alert)."""
    for key in keys:
        known = outcomes.get(key)
        if known is None or known.alert_id is None or (outcome.alert_id or 0) < known.alert_id:
            outcomes[key] = outcome


async def _open_only(session: AsyncSession, events: list[NewEvent]) -> list[NewEvent]:
    """A Closed incident's timeline is final: alerts changing afterwards are not written to it."""
    ids = {e.incident_id for e in events}
    if not ids:
        return events
    closed = set((await session.scalars(select(Incident.id).where(
        Incident.id.in_(ids), Incident.status == Status.CLOSED.value))).all())
    return [e for e in events if e.incident_id not in closed]


async def resolve(
    session: AsyncSession, alerts: Scoped, sender: AlertSender, now: datetime
) -> dict[AlertKey, AlertOutcome]:
    """Resolve the alerts, each only in its service (`alerts` pairs each with its service)."""
    batches: dict[tuple[str, datetime | None], list[tuple[int | None, str]]] = defaultdict(list)
    for a, sid in alerts:
        batches[(a.source.value, a.ends_at)].append((sid, a.fingerprint))
    wanted = {(a.source.value, a.fingerprint, sid) for a, sid in alerts}
    outcomes: dict[AlertKey, AlertOutcome] = {}
    changes: list[AlertChange] = []
    for (source, ends_at), pairs in sorted(batches.items(), key=lambda b: (b[0][0], str(b[0][1]))):
        rows = await session.execute(
            update(Alert)
            .where(Alert.source == source, _which(pairs), Alert.status != "resolved")
            .values(status="resolved", resolved_at=now, last_seen_at=now, ends_at=ends_at or now)
            .returning(Alert.id, Alert.fingerprint, Alert.service_id, Alert.incident_id, Alert.summary)
            .execution_options(synchronize_session=False)
        )
        for r in rows.all():
            _answer(outcomes, _keys_of(source, r.fingerprint, r.service_id, wanted), AlertOutcome(
                fingerprint=r.fingerprint, alert_id=r.id, incident_id=r.incident_id,
                status="resolved", outcome="resolved"))
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
    session: AsyncSession, alerts: Scoped, sender: AlertSender, now: datetime
) -> dict[AlertKey, AlertOutcome]:
    """Acknowledge the alerts, each only in its service, and their incidents: a New one moves
    to Investigating through the lifecycle's compare-and-set (someone moving it first is as
    good)."""
    wanted = {(a.source.value, a.fingerprint, sid) for a, sid in alerts}
    outcomes: dict[AlertKey, AlertOutcome] = {}
    changes: dict[int, list[AlertChange]] = defaultdict(list)
    for source in sorted({a.source for a, _ in alerts}):
        rows = await session.execute(
            update(Alert)
            .where(Alert.source == source.value, Alert.status == "firing",
                   _which([(sid, a.fingerprint) for a, sid in alerts if a.source is source]))
            .values(status="acknowledged", acknowledged_at=now, last_seen_at=now)
            .returning(Alert.id, Alert.fingerprint, Alert.service_id, Alert.incident_id, Alert.summary)
            .execution_options(synchronize_session=False)
        )
        for r in rows.all():
            _answer(outcomes, _keys_of(source.value, r.fingerprint, r.service_id, wanted), AlertOutcome(
                fingerprint=r.fingerprint, alert_id=r.id, incident_id=r.incident_id,
                status="acknowledged", outcome="acknowledged"))
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
