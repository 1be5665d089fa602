"""Incident intake, reading, listing and triage edits."""

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import sla
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.errors import Conflict, Unprocessable
from app.models import Incident, Service, User
from app.schemas.incidents import IncidentCreate, IncidentDetail, IncidentPage, IncidentUpdate
from app.services import sla_filters
from app.services.cursors import decode_cursor_with_total, encode_cursor
from app.services.incident_views import incident_rows, load_events, load_incident_and_rca, rca_read, to_read
from app.services.records import get_or_404
from app.services.timeline import record_event


@dataclass
class IncidentFilter:
    status: list[Status] = field(default_factory=list)
    severity: list[Severity] = field(default_factory=list)
    service_id: list[int] = field(default_factory=list)
    assignee_id: list[int] = field(default_factory=list)
    sla_state: list[sla.SlaState] = field(default_factory=list)
    q: str | None = None


async def _service(session: AsyncSession, service_id: int) -> Service:
    service = await session.get(Service, service_id)
    if service is None:
        raise Unprocessable(f"service_id {service_id} is not a known service")
    return service


async def _assignee(session: AsyncSession, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    user = await session.get(User, assignee_id)
    if user is None or not user.is_active:
        raise Unprocessable(f"assignee_id {assignee_id} is not an active user")
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


async def create(db: Database, body: IncidentCreate, actor: User) -> IncidentDetail:
    async with db.transaction() as session:
        incident = await open_incident(session, body, actor)
        return await _detail(session, incident.id)


async def _detail(session: AsyncSession, incident_id: int) -> IncidentDetail:
    read, record = await load_incident_and_rca(session, incident_id, utcnow())
    return IncidentDetail(
        **dict(read),
        events=await load_events(session, incident_id),
        rca=rca_read(record) if record else None,
    )


async def get(db: Database, incident_id: int) -> IncidentDetail:
    async with db.read() as session:
        return await _detail(session, incident_id)


async def ensure_exists(session: AsyncSession, incident_id: int) -> Incident:
    return await get_or_404(session, Incident, incident_id, "Incident")


def _filtered(stmt: Any, f: IncidentFilter, now: Any) -> Any:
    if f.status:
        stmt = stmt.where(Incident.status.in_([s.value for s in f.status]))
    if f.severity:
        stmt = stmt.where(Incident.severity.in_([s.value for s in f.severity]))
    if f.service_id:
        stmt = stmt.where(Incident.service_id.in_(f.service_id))
    if f.assignee_id:
        stmt = stmt.where(Incident.assignee_id.in_(f.assignee_id))
    if f.sla_state:
        stmt = stmt.where(or_(*(sla_filters.in_state(state, now) for state in f.sla_state)))
    if f.q:
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(Incident.title.ilike(pattern, escape="\\"),
                Incident.description.ilike(pattern, escape="\\"))
        )
    return stmt


TOTAL_CAP = 10_000


async def _estimate(session: AsyncSession, matching: Any) -> int:
    """PostgreSQL's planner estimate of how many rows `matching` returns (no rows read)."""
    conn = await session.connection()
    compiled = matching.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    positional = tuple(params[name] for name in compiled.positiontup or ())
    plan = (await conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", positional)).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


async def count_matching(session: AsyncSession, f: IncidentFilter, now: Any) -> int:
    """Exact when at most TOTAL_CAP incidents match, counted no further than that (a few ms
    at any table size); above the cap, PostgreSQL's planner estimate (never below the cap).
    An exact count(*) over a million incidents costs 50-120 ms on every page; SQLite, the
    small-install database, still counts exactly."""
    matching = _filtered(select(Incident.id), f, now)
    capped = select(func.count()).select_from(matching.limit(TOTAL_CAP + 1).subquery())
    total = int((await session.execute(capped)).scalar_one())
    if total <= TOTAL_CAP:
        return total
    if session.get_bind().dialect.name != "postgresql":
        exact = _filtered(select(func.count()).select_from(Incident), f, now)
        return int((await session.execute(exact)).scalar_one())
    return max(TOTAL_CAP + 1, await _estimate(session, matching))


async def list_incidents(
    db: Database, f: IncidentFilter, limit: int, cursor: str | None
) -> IncidentPage:
    now = utcnow()
    stmt = _filtered(incident_rows(), f, now)
    total: int | None = None
    if cursor:
        created_at, ident, total = decode_cursor_with_total(cursor)
        stmt = stmt.where(tuple_(Incident.created_at, Incident.id) < tuple_(
            sla_filters.utc_literal(created_at), ident))
    stmt = stmt.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit + 1)
    async with db.read() as session:
        rows = (await session.execute(stmt)).all()
        if total is None:
            # A first page that is not full already holds every match: nothing to count.
            total = len(rows) if not cursor and len(rows) <= limit else await count_matching(session, f, now)
    items = [to_read(row[0], row[1], row[2], row[3], now=now) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.created_at, last.id, total)
    return IncidentPage(items=items, next_cursor=next_cursor, total=total)


def check_version(incident: Incident, expected: int | None) -> None:
    if expected is not None and expected != incident.version:
        raise Conflict(
            f"Incident {incident.id} is at version {incident.version}, not {expected}: "
            "someone changed it first; reload and try again"
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
        raise Conflict(f"Incident {incident.id} changed while this request ran; reload and retry")


def refuse_if_closed(incident: Incident, action: str) -> None:
    if incident.status == Status.CLOSED.value:
        raise Conflict(f"Incident {incident.id} is Closed; it no longer accepts {action}")


async def triage(
    db: Database, incident_id: int, body: IncidentUpdate, if_match: int | None, actor: User
) -> IncidentDetail:
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
        return await _detail(session, incident_id)
