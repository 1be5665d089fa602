"""The service catalogue: services with their SLA policies, and their runbooks."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.errors import DuplicateName, Unprocessable
from app.models import BusinessCalendar, NotificationChannel, Runbook, Service
from app.schemas.services import (
    RunbookCreate,
    RunbookRead,
    RunbookStep,
    RunbookUpdate,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
)
from app.services.records import get_or_404


def step_definition(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored step (`steps_json` item) with the defaults of what older steps lack: the one
    reading of a step's definition, for the catalogue and for applying it."""
    return {"title": stored["title"], "detail": stored.get("detail", ""),
            "kind": stored.get("kind", "action"), "destructive": bool(stored.get("destructive", False))}


def _service_read(service: Service) -> ServiceRead:
    return ServiceRead.model_validate(service)


def _runbook_read(runbook: Runbook) -> RunbookRead:
    return RunbookRead(
        id=runbook.id,
        service_id=runbook.service_id,
        title=runbook.title,
        steps=[
            RunbookStep(index=i, **step_definition(s)) for i, s in enumerate(runbook.steps_json)
        ],
    )


async def list_services(db: Database) -> list[ServiceRead]:
    async with db.read() as session:
        rows = await session.scalars(select(Service).order_by(Service.name))
        return [_service_read(s) for s in rows]


async def get_service(db: Database, service_id: int) -> ServiceRead:
    async with db.read() as session:
        service = await get_or_404(session, Service, service_id, "Service")
        return _service_read(service)


def _policy_json(body: ServiceCreate | ServiceUpdate) -> dict[str, Any] | None:
    if body.sla_policy is None:
        return None
    return {sev: t.model_dump(exclude_none=True) for sev, t in body.sla_policy.items()}


async def _check_calendars(session: AsyncSession, policy: dict[str, Any] | None) -> None:
    """Every calendar a policy names exists (422 naming the severity's entry)."""
    if not policy:
        return
    wanted = {sev: t["calendar_id"] for sev, t in policy.items() if t.get("calendar_id") is not None}
    known = set(await session.scalars(select(BusinessCalendar.id)
                                      .where(BusinessCalendar.id.in_(set(wanted.values())))
                                      .with_for_update(read=True))) if wanted else set()
    for sev, calendar_id in sorted(wanted.items()):
        if calendar_id not in known:
            raise Unprocessable(f"sla_policy.{sev}.calendar_id: calendar {calendar_id} does not exist",
                                field=f"sla_policy.{sev}.calendar_id")


async def create_service(db: Database, body: ServiceCreate) -> ServiceRead:
    try:
        async with db.transaction() as session:
            policy = _policy_json(body)
            await _check_calendars(session, policy)
            service = Service(name=body.name, owner_team=body.owner_team, sla_policy=policy,
                              close_requires_action_items=[s.value for s in body.close_requires_action_items])
            session.add(service)
            await session.flush()
            return _service_read(service)
    except IntegrityError:
        raise DuplicateName(f"A service named '{body.name}' already exists", field="name")


async def _check_channels(session: AsyncSession, steps: list[dict[str, Any]]) -> None:
    """Every channel an escalation policy names exists. The rows are share-locked until the
    policy commits, so a channel deleted meanwhile (channels.delete checks the policies under
    its own row lock) is either refused there or missing here, never left dangling."""
    wanted = sorted({c for step in steps for c in step["channel_ids"]})
    known = set(await session.scalars(select(NotificationChannel.id)
                                      .where(NotificationChannel.id.in_(wanted))
                                      .with_for_update(read=True)))
    if missing := [c for c in wanted if c not in known]:
        names = ", ".join(str(c) for c in missing)
        raise Unprocessable(f"escalation_policy names notification channels that do not exist: {names}",
                            field="escalation_policy")


async def services_escalating_to(session: AsyncSession, channel_id: int) -> list[str]:
    """The names of the services whose escalation policy names the channel (few services: the
    policies are read whole rather than searched as JSON, which differs by database)."""
    rows = await session.execute(select(Service.name, Service.escalation_policy).order_by(Service.name))
    return [row.name for row in rows
            if any(channel_id in step["channel_ids"] for step in row.escalation_policy or ())]


async def update_service(db: Database, service_id: int, body: ServiceUpdate) -> ServiceRead:
    """SLA policy changes apply to incidents opened from now on; open ones keep their deadlines.
    An escalation policy change applies to incidents still New (steps done are not repeated)."""
    try:
        async with db.transaction() as session:
            service = await get_or_404(session, Service, service_id, "Service")
            if body.name is not None:
                service.name = body.name
            if body.owner_team is not None:
                service.owner_team = body.owner_team
            if (policy := _policy_json(body)) is not None:
                await _check_calendars(session, policy)
                service.sla_policy = policy
            if body.escalation_policy is not None:
                steps = [step.model_dump() for step in body.escalation_policy]
                await _check_channels(session, steps)
                service.escalation_policy = steps
            if body.close_requires_action_items is not None:
                service.close_requires_action_items = [s.value for s in body.close_requires_action_items]
            await session.flush()
            return _service_read(service)
    except IntegrityError:
        raise DuplicateName(f"A service named '{body.name}' already exists", field="name")


async def list_runbooks(db: Database, service_id: int | None) -> list[RunbookRead]:
    async with db.read() as session:
        stmt = select(Runbook).order_by(Runbook.service_id, Runbook.id)
        if service_id is not None:
            await get_or_404(session, Service, service_id, "Service")
            stmt = stmt.where(Runbook.service_id == service_id)
        return [_runbook_read(r) for r in await session.scalars(stmt)]


async def get_runbook(db: Database, runbook_id: int) -> RunbookRead:
    async with db.read() as session:
        runbook = await get_or_404(session, Runbook, runbook_id, "Runbook")
        return _runbook_read(runbook)


async def create_runbook(db: Database, body: RunbookCreate) -> RunbookRead:
    async with db.transaction() as session:
        if await session.get(Service, body.service_id) is None:
            raise Unprocessable(f"service_id {body.service_id} is not a known service", field="service_id")
        runbook = Runbook(service_id=body.service_id, title=body.title,
                          steps_json=[s.model_dump() for s in body.steps])
        session.add(runbook)
        await session.flush()
        return _runbook_read(runbook)


async def update_runbook(db: Database, runbook_id: int, body: RunbookUpdate) -> RunbookRead:
    async with db.transaction() as session:
        runbook = await get_or_404(session, Runbook, runbook_id, "Runbook")
        if body.title is not None:
            runbook.title = body.title
        if body.steps is not None:
            runbook.steps_json = [s.model_dump() for s in body.steps]
        await session.flush()
        return _runbook_read(runbook)
