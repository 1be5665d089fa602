"""The service catalogue: services with their SLA policies, and their runbooks."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.errors import DuplicateName, Unprocessable
from app.models import Runbook, Service
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
    return {sev: t.model_dump() for sev, t in body.sla_policy.items()}


async def create_service(db: Database, body: ServiceCreate) -> ServiceRead:
    try:
        async with db.transaction() as session:
            service = Service(name=body.name, owner_team=body.owner_team,
                              sla_policy=_policy_json(body))
            session.add(service)
            await session.flush()
            return _service_read(service)
    except IntegrityError:
        raise DuplicateName(f"A service named '{body.name}' already exists", field="name")


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
                service.sla_policy = policy
            if body.escalation_policy is not None:
                service.escalation_policy = [step.model_dump() for step in body.escalation_policy]
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
