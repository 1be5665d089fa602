"""Set-based writes for alert intake: many incidents and timeline events in a few statements.

The one-at-a-time forms (incidents.open_incident, timeline.record_event) cost a round trip
or two per row; a batch of a thousand alerts must not. Same rows, same events, same live
updates as those forms.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.infra.live import announce_event
from app.models import Incident, IncidentEvent, Service, User
from app.schemas.incidents import EventRead
from app.services.incidents.audit import seal
from app.services.incidents.triage import deadlines_for

INCIDENTS = cast(Table, Incident.__table__)
EVENTS = cast(Table, IncidentEvent.__table__)


@dataclass(frozen=True)
class NewEvent:
    incident_id: int
    type: str
    body: str
    data: dict[str, Any]


@dataclass(frozen=True)
class NewIncident:
    title: str
    description: str
    severity: Severity
    service_id: int
    alert: dict[str, Any] | None = None


async def record_events(
    session: AsyncSession, events: list[NewEvent], actor: User | None, now: datetime
) -> None:
    if not events:
        return
    rows = [{"incident_id": e.incident_id, "type": e.type, "body": e.body, "data": e.data,
             "created_by": actor.id if actor else None, "created_at": now} for e in events]
    await seal(session, rows)  # hash chain: see services/audit.py
    c = EVENTS.c
    written = await session.execute(
        insert(EVENTS).returning(c.id, c.incident_id, c.type, c.body, c.data, c.created_by, c.created_at),
        rows,
    )
    for row in sorted(written.all(), key=lambda r: r.id):
        read = EventRead(**row._asdict(), created_by_name=actor.name if actor else None)
        announce_event(session, read.model_dump(mode="json"))


async def open_incidents(
    session: AsyncSession, specs: list[NewIncident], actor: User | None, source: str,
    now: datetime,
) -> list[int]:
    """New incidents with their SLA deadlines and `created` events (naming the alert that
    opened each, which therefore needs no `alert` event of its own), ids in the order given.

    Rows go in batches without RETURNING order guarantees, so ids are matched back by
    content; incidents with identical content are interchangeable."""
    if not specs:
        return []
    wanted = {s.service_id for s in specs}
    services = {s.id: s for s in await session.scalars(select(Service).where(Service.id.in_(wanted)))}
    policies = {key: deadlines_for(services[key[0]], key[1], now)
                for key in {(s.service_id, s.severity) for s in specs}}
    rows = [{
        "title": s.title[:200], "description": s.description, "severity": s.severity.value,
        "status": Status.NEW.value, "service_id": s.service_id, "assignee_id": None,
        "created_at": now, "version": 1, **policies[(s.service_id, s.severity)],
    } for s in specs]
    c = INCIDENTS.c
    written = await session.execute(
        insert(INCIDENTS).returning(c.id, c.title, c.description, c.severity, c.service_id), rows)
    ids_by_content: dict[tuple[str, str, str, int], list[int]] = defaultdict(list)
    for r in sorted(written.all(), key=lambda r: r.id, reverse=True):
        ids_by_content[(r.title, r.description, r.severity, r.service_id)].append(r.id)
    ids = [ids_by_content[(r["title"], r["description"], r["severity"], r["service_id"])].pop()
           for r in rows]
    await record_events(session, [
        NewEvent(ident, "created", f"{s.severity.value} incident opened on "
                 f"{services[s.service_id].name} from {source}: {s.title}",
                 {"severity": s.severity.value, "service_id": s.service_id,
                  "assignee_id": None, "source": source, "alert": s.alert})
        for ident, s in zip(ids, specs, strict=True)
    ], actor, now)
    return ids
