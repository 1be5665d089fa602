"""Business-hours calendars: the admin's CRUD, the calendars SLA clocks are counted in, and the
preview of a policy's due times before it is saved.

A calendar or policy change applies to incidents opened (or re-severitied) afterwards; open
incidents keep the due times they were given (as ServiceNow does for policy changes), and a
resume after a pause counts in the calendar as it is then.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import sla
from app.domain.business_hours import Calendar, calendar_from_json
from app.domain.severity import Severity
from app.errors import Conflict, DuplicateName, Unprocessable
from app.models import BusinessCalendar, Service
from app.schemas.calendars import CalendarCreate, CalendarRead, CalendarUpdate, SlaPreview
from app.services.records import get_or_404


def as_calendar(row: BusinessCalendar) -> Calendar:
    return calendar_from_json(row.timezone, row.hours, row.holidays)


async def calendars_by_id(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Calendar]:
    """The calendars named (ids of deleted ones are left out: those clocks run 24x7)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.scalars(select(BusinessCalendar).where(BusinessCalendar.id.in_(wanted)))
    return {row.id: as_calendar(row) for row in rows}


def policy_calendar_ids(services: Iterable[Service]) -> set[int]:
    return {t.calendar_id for s in services for t in sla.parse_policy(s.sla_policy).values()
            if t.calendar_id is not None}


def _uses(services: Iterable[Service]) -> dict[int, list[str]]:
    used: dict[int, list[str]] = {}
    for service in services:
        for severity, target in sla.parse_policy(service.sla_policy).items():
            if target.calendar_id is not None:
                used.setdefault(target.calendar_id, []).append(f"{service.name} {severity.value}")
    return used


def _read(row: BusinessCalendar, used: dict[int, list[str]]) -> CalendarRead:
    return CalendarRead(id=row.id, name=row.name, timezone=row.timezone, hours=row.hours,
                        holidays=row.holidays, created_at=row.created_at,
                        updated_at=row.updated_at, used_by=used.get(row.id, []))


async def _all_services(session: AsyncSession) -> list[Service]:
    return list(await session.scalars(select(Service).order_by(Service.name)))


async def list_calendars(db: Database) -> list[CalendarRead]:
    async with db.read() as session:
        used = _uses(await _all_services(session))
        rows = await session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.name))
        return [_read(row, used) for row in rows]


async def get_calendar(db: Database, calendar_id: int) -> CalendarRead:
    async with db.read() as session:
        row = await get_or_404(session, BusinessCalendar, calendar_id, "Calendar")
        return _read(row, _uses(await _all_services(session)))


def _duplicate(name: str | None) -> DuplicateName:
    return DuplicateName(f"A calendar named '{name}' already exists", field="name")


async def create_calendar(db: Database, body: CalendarCreate) -> CalendarRead:
    try:
        async with db.transaction() as session:
            now = utcnow()
            row = BusinessCalendar(name=body.name, timezone=body.timezone, hours=body.hours,
                                   holidays=body.holidays, created_at=now, updated_at=now)
            session.add(row)
            await session.flush()
            return _read(row, {})
    except IntegrityError:
        raise _duplicate(body.name)


async def update_calendar(db: Database, calendar_id: int, body: CalendarUpdate) -> CalendarRead:
    """Applies to incidents opened from now on (and to resumes); open incidents keep their due
    times."""
    try:
        async with db.transaction() as session:
            row = await get_or_404(session, BusinessCalendar, calendar_id, "Calendar")
            for name in ("name", "timezone", "hours", "holidays"):
                if (value := getattr(body, name)) is not None:
                    setattr(row, name, value)
            row.updated_at = utcnow()
            await session.flush()
            return _read(row, _uses(await _all_services(session)))
    except IntegrityError:
        raise _duplicate(body.name)


async def delete_calendar(db: Database, calendar_id: int) -> None:
    """Refused (409) while a service's SLA policy uses it; incidents counted in it keep their
    due times (a resume then counts 24x7)."""
    async with db.transaction() as session:
        row = await get_or_404(session, BusinessCalendar, calendar_id, "Calendar")
        services = list(await session.scalars(select(Service).with_for_update()))
        if users := _uses(services).get(calendar_id):
            raise Conflict(f"Calendar {calendar_id} is used by the SLA policy of "
                           f"{', '.join(users)}; remove it there first")
        await session.delete(row)


async def preview(db: Database, service_id: int, severity: Severity, start: datetime | None,
                  calendar_id: int | str | None, ack_minutes: int | None,
                  resolve_minutes: int | None) -> SlaPreview:
    """The due times an incident opened at `start` would get under the service's saved policy,
    or under the overrides given (`calendar_id` "none": 24x7)."""
    when = utcnow() if start is None else (start.replace(tzinfo=UTC) if start.tzinfo is None
                                           else start.astimezone(UTC))
    async with db.read() as session:
        service = await get_or_404(session, Service, service_id, "Service")
        saved = sla.parse_policy(service.sla_policy)[severity]
        chosen = saved.calendar_id if calendar_id is None else (
            None if calendar_id == "none" else int(calendar_id))
        target = sla.Target(ack_minutes or saved.ack_minutes, resolve_minutes or saved.resolve_minutes,
                            chosen)
        if target.ack_minutes > target.resolve_minutes:
            raise Unprocessable("ack_minutes cannot exceed resolve_minutes", field="ack_minutes")
        calendars = await calendars_by_id(session, [chosen])
        if chosen is not None and chosen not in calendars:
            raise Unprocessable(f"calendar_id {chosen} is not a known calendar", field="calendar_id")
    d = sla.deadlines(when, target, calendars.get(chosen) if chosen is not None else None)
    return SlaPreview(ack_due_at=d.ack_due_at, resolve_due_at=d.resolve_due_at,
                      ack_at_risk_at=d.ack_at_risk_at, resolve_at_risk_at=d.resolve_at_risk_at,
                      calendar_id=chosen, ack_minutes=target.ack_minutes,
                      resolve_minutes=target.resolve_minutes)


def deadline_values(target: sla.Target, calendars: dict[int, Calendar], created_at: datetime
                    ) -> dict[str, Any]:
    """An incident's stored SLA columns for `target`, counted in its calendar."""
    calendar = calendars.get(target.calendar_id) if target.calendar_id is not None else None
    d = sla.deadlines(created_at, target, calendar)
    return {"ack_due_at": d.ack_due_at, "resolve_due_at": d.resolve_due_at,
            "ack_at_risk_at": d.ack_at_risk_at, "resolve_at_risk_at": d.resolve_at_risk_at,
            "sla_calendar_id": target.calendar_id if calendar is not None else None}
