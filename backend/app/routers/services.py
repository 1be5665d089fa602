"""Services, their SLA policies and their runbooks."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import DB, Admin, AnyUser
from app.infra.idempotency import IDEMPOTENT
from app.schemas.common import IdParam, error_responses
from app.schemas.services import (
    RunbookCreate,
    RunbookRead,
    RunbookUpdate,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
)
from app.services import catalog

router = APIRouter(tags=["services"])


@router.get("/services", response_model=list[ServiceRead], responses=error_responses(401))
async def list_services(db: DB, _: AnyUser) -> list[ServiceRead]:
    return await catalog.list_services(db)


@router.post("/services", status_code=201, response_model=ServiceRead,
             responses=error_responses(401, 403, 409, 422), openapi_extra=IDEMPOTENT)
async def create_service(db: DB, _: Admin, body: ServiceCreate) -> ServiceRead:
    return await catalog.create_service(db, body)


@router.get("/services/{service_id}", response_model=ServiceRead,
            responses=error_responses(401, 404, 422))
async def get_service(db: DB, _: AnyUser, service_id: IdParam) -> ServiceRead:
    return await catalog.get_service(db, service_id)


@router.patch("/services/{service_id}", response_model=ServiceRead,
              responses=error_responses(401, 403, 404, 409, 422))
async def update_service(db: DB, _: Admin, service_id: IdParam, body: ServiceUpdate) -> ServiceRead:
    """SLA policy changes apply to incidents opened afterwards. An escalation policy change
    applies to incidents still New; steps they already escalated through are not repeated."""
    return await catalog.update_service(db, service_id, body)


@router.get("/services/{service_id}/runbooks", response_model=list[RunbookRead],
            responses=error_responses(401, 404, 422))
async def service_runbooks(db: DB, _: AnyUser, service_id: IdParam) -> list[RunbookRead]:
    return await catalog.list_runbooks(db, service_id)


@router.get("/runbooks", response_model=list[RunbookRead], responses=error_responses(401, 404, 422))
async def list_runbooks(
    db: DB, _: AnyUser, service_id: Annotated[IdParam | None, Query()] = None
) -> list[RunbookRead]:
    return await catalog.list_runbooks(db, service_id)


@router.post("/runbooks", status_code=201, response_model=RunbookRead,
             responses=error_responses(401, 403, 422), openapi_extra=IDEMPOTENT)
async def create_runbook(db: DB, _: Admin, body: RunbookCreate) -> RunbookRead:
    return await catalog.create_runbook(db, body)


@router.get("/runbooks/{runbook_id}", response_model=RunbookRead,
            responses=error_responses(401, 404, 422))
async def get_runbook(db: DB, _: AnyUser, runbook_id: IdParam) -> RunbookRead:
    return await catalog.get_runbook(db, runbook_id)


@router.patch("/runbooks/{runbook_id}", response_model=RunbookRead,
              responses=error_responses(401, 403, 404, 422))
async def update_runbook(db: DB, _: Admin, runbook_id: IdParam, body: RunbookUpdate) -> RunbookRead:
    """Replace the title and/or the whole ordered list of steps."""
    return await catalog.update_runbook(db, runbook_id, body)
