"""Business-hours calendars and the SLA preview (services/sla/calendars.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import DB, Admin, AnyUser
from app.domain.severity import Severity
from app.infra.idempotency import IDEMPOTENT
from app.schemas.calendars import CalendarCreate, CalendarRead, CalendarUpdate, SlaPreview
from app.schemas.common import IdParam, IsoDateTime, error_responses
from app.services.sla import calendars

router = APIRouter(tags=["calendars"])
Minutes = Annotated[int | None, Query(ge=1, le=525_600)]


@router.get("/calendars", response_model=list[CalendarRead], responses=error_responses(401))
async def list_calendars(db: DB, _: AnyUser) -> list[CalendarRead]:
    return await calendars.list_calendars(db)


@router.post("/calendars", status_code=201, response_model=CalendarRead,
             responses=error_responses(401, 403, 409, 422), openapi_extra=IDEMPOTENT)
async def create_calendar(db: DB, _: Admin, body: CalendarCreate) -> CalendarRead:
    """A calendar's hours are local wall-clock time in its zone, daylight-saving changes
    included. Services use it through their SLA policy's `calendar_id`."""
    return await calendars.create_calendar(db, body)


@router.get("/calendars/{calendar_id}", response_model=CalendarRead,
            responses=error_responses(401, 404, 422))
async def get_calendar(db: DB, _: AnyUser, calendar_id: IdParam) -> CalendarRead:
    return await calendars.get_calendar(db, calendar_id)


@router.patch("/calendars/{calendar_id}", response_model=CalendarRead,
              responses=error_responses(401, 403, 404, 409, 422))
async def update_calendar(db: DB, _: Admin, calendar_id: IdParam, body: CalendarUpdate) -> CalendarRead:
    """Applies to incidents opened from now on (and to the resume of a paused clock); open
    incidents keep the due times they were given."""
    return await calendars.update_calendar(db, calendar_id, body)


@router.delete("/calendars/{calendar_id}", status_code=204, response_class=Response,
               responses=error_responses(401, 403, 404, 409, 422))
async def delete_calendar(db: DB, _: Admin, calendar_id: IdParam) -> Response:
    """Refused (409) while a service's SLA policy uses it. Incidents counted in it keep their
    due times; a resume after a pause then counts 24x7."""
    await calendars.delete_calendar(db, calendar_id)
    return Response(status_code=204)


@router.get("/sla/preview", response_model=SlaPreview, responses=error_responses(401, 404, 422))
async def sla_preview(
    db: DB, _: AnyUser,
    service_id: Annotated[IdParam, Query()],
    severity: Annotated[Severity, Query()],
    start: Annotated[IsoDateTime | None, Query(description="When the incident opens (UTC if no "
                                                           "offset); default now")] = None,
    calendar_id: Annotated[IdParam | Literal["none"] | None, Query(description=(
        "Try this calendar instead of the saved one (`none`: 24x7)"))] = None,
    ack_minutes: Minutes = None,
    resolve_minutes: Minutes = None,
) -> SlaPreview:
    """The due and at-risk times an incident of `severity` opened at `start` would get under the
    service's saved policy, or under the overrides given, to try a change before saving it."""
    return await calendars.preview(db, service_id, severity, start, calendar_id, ack_minutes,
                                   resolve_minutes)
