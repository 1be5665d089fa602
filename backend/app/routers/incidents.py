"""Incidents: intake, list, detail, triage, lifecycle, timeline, RCA and report."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import DB, AnyUser, IfMatch, ReadDB, Responder
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.domain.sla import SlaState
from app.infra.idempotency import IDEMPOTENT
from app.infra.responses import json_response
from app.schemas.audit import AuditReport
from app.schemas.calendars import SlaPause
from app.schemas.common import IdParam, IsoDateTime, error_responses
from app.schemas.incidents import (
    CommentCreate,
    EventRead,
    IncidentCreate,
    IncidentDetail,
    IncidentPage,
    IncidentSort,
    IncidentUpdate,
    RcaRead,
    RcaWrite,
    RunbookStepApply,
    TransitionRequest,
)
from app.schemas.similar import SimilarIncidents
from app.services.incidents import activity, audit, rcas, reports, similar, stars, transitions
from app.services.incidents import listing as incident_list
from app.services.incidents import triage as incidents
from app.services.sla import pauses

router = APIRouter(prefix="/incidents", tags=["incidents"])

Ids = Annotated[list[IdParam] | None, Query()]


@router.get("", response_model=IncidentPage, responses=error_responses(401, 422))
async def list_incidents(
    db: ReadDB,
    user: AnyUser,
    status: Annotated[list[Status] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    service_id: Ids = None,
    assignee_id: Annotated[list[IdParam | Literal["me", "none"]] | None, Query(
        description="A user id, `me` (the caller) or `none` (nobody owns it)")] = None,
    sla_state: Annotated[list[SlaState] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="Matches title, description and impact")] = None,
    created_from: Annotated[IsoDateTime | None, Query(description="created_at >= (UTC if no offset)")] = None,
    created_to: Annotated[IsoDateTime | None, Query(description="created_at < (UTC if no offset)")] = None,
    sort: Annotated[IncidentSort, Query(description=(
        "newest (created_at, newest first); urgency (open incidents with a breached SLA, then "
        "the other open ones, then open ones with the SLA clock paused, then the rest; within "
        "each, earliest sla.next_due_at (none last), "
        "SEV1 before SEV4, oldest first); severity (SEV1 first, then newest); due (earliest "
        "sla.next_due_at first, none last, then newest). The whole result set is in this "
        "order, page after page."))] = IncidentSort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
) -> Response:
    """Each filter may repeat; different filters combine with AND."""
    owners, unassigned = incident_list.assignee_filter(assignee_id or [], user.id)
    start, end = incident_list.created_window(created_from, created_to)
    f = incident_list.IncidentFilter(
        status=status or [], severity=severity or [], service_id=service_id or [],
        assignee_id=owners, sla_state=sla_state or [], q=(q or "").strip() or None,
        unassigned=unassigned, created_from=start, created_to=end,
    )
    return json_response(await incident_list.list_incidents(db, f, limit, cursor, sort))


@router.post("", status_code=201, response_model=IncidentDetail,
             responses=error_responses(401, 403, 422), openapi_extra=IDEMPOTENT)
async def create_incident(db: DB, user: Responder, body: IncidentCreate) -> Response:
    return json_response(await incidents.create(db, body, user), status_code=201)


@router.get("/{incident_id}", response_model=IncidentDetail,
            responses=error_responses(401, 404, 422))
async def get_incident(db: ReadDB, _: AnyUser, incident_id: IdParam) -> Response:
    return json_response(await incidents.get(db, incident_id))


@router.get("/{incident_id}/similar", response_model=SimilarIncidents,
            responses=error_responses(401, 404, 422))
async def similar_incidents(
    db: DB, _: AnyUser, incident_id: IdParam,
    limit: Annotated[int, Query(ge=1, le=50, description="How many to answer at most")] = 5,
) -> Response:
    """The most similar earlier incidents, with their root cause and corrective actions."""
    return json_response(await similar.similar_incidents(db, incident_id, limit))


@router.patch("/{incident_id}", response_model=IncidentDetail,
              responses=error_responses(401, 403, 404, 409, 422))
async def triage_incident(
    db: DB, user: Responder, incident_id: IdParam, body: IncidentUpdate, if_match: IfMatch
) -> Any:
    """Triage edits; each changed field is one timeline event. A severity change recomputes
    the SLA deadlines from the incident's creation."""
    return await incidents.triage(db, incident_id, body, if_match, user)


@router.post("/{incident_id}/status", response_model=IncidentDetail,
             responses=error_responses(401, 403, 404, 409, 422))
async def change_status(
    db: DB, user: Responder, incident_id: IdParam, body: TransitionRequest, if_match: IfMatch
) -> Response:
    """Move along New -> Investigating -> Mitigated -> Resolved -> Closed, or reopen
    (Mitigated/Resolved -> Investigating). Closing needs a complete RCA."""
    return json_response(await transitions.change_status(db, incident_id, body, if_match, user))


@router.post("/{incident_id}/sla/pause", response_model=IncidentDetail,
             responses=error_responses(401, 403, 404, 409, 422))
async def pause_sla(
    db: DB, user: Responder, incident_id: IdParam, body: SlaPause, if_match: IfMatch
) -> Any:
    """Stop the SLA clock (an `sla_paused` event): nothing breaches and nobody is notified until
    it resumes. Investigating or Mitigated incidents only; 409 when already paused."""
    return await pauses.pause(db, incident_id, body, if_match, user)


@router.post("/{incident_id}/sla/resume", response_model=IncidentDetail,
             responses=error_responses(401, 403, 404, 409, 422))
async def resume_sla(db: DB, user: Responder, incident_id: IdParam, if_match: IfMatch) -> Any:
    """Restart the clock (an `sla_resumed` event): the pending due and at-risk times move later
    by the paused business time. Resolving a paused incident resumes it too. 409 when not
    paused."""
    return await pauses.resume(db, incident_id, if_match, user)


@router.get("/{incident_id}/events", response_model=list[EventRead],
            responses=error_responses(401, 404, 422))
async def list_events(db: ReadDB, _: AnyUser, incident_id: IdParam) -> list[EventRead]:
    return await activity.events(db, incident_id)


@router.post("/{incident_id}/comments", status_code=201, response_model=EventRead,
             responses=error_responses(401, 403, 404, 422), openapi_extra=IDEMPOTENT)
async def add_comment(db: DB, user: Responder, incident_id: IdParam, body: CommentCreate) -> Response:
    return json_response(await activity.comment(db, incident_id, body, user), status_code=201)


@router.post("/{incident_id}/apply-runbook-step", status_code=201, response_model=EventRead,
             responses=error_responses(401, 403, 404, 409, 422), openapi_extra=IDEMPOTENT)
async def apply_runbook_step(
    db: DB, user: Responder, incident_id: IdParam, body: RunbookStepApply
) -> EventRead:
    return await activity.apply_runbook_step(db, incident_id, body, user)


@router.put("/{incident_id}/rca", response_model=RcaRead,
            responses=error_responses(401, 403, 404, 409, 422))
async def save_rca(
    db: DB, user: Responder, incident_id: IdParam, body: RcaWrite, if_match: IfMatch
) -> RcaRead:
    """Create or replace the RCA draft; blanks are allowed until closing."""
    return await rcas.save(db, incident_id, body, if_match, user)


@router.get("/{incident_id}/rca", response_model=RcaRead, responses=error_responses(401, 404, 422))
async def get_rca(db: ReadDB, _: AnyUser, incident_id: IdParam) -> RcaRead:
    return await rcas.get(db, incident_id)


@router.get(
    "/{incident_id}/report.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}},
                     "description": "The post-incident report"},
               **error_responses(401, 404, 422)},
)
async def post_incident_report(db: ReadDB, _: AnyUser, incident_id: IdParam) -> Response:
    filename, markdown = await reports.post_incident_report(db, incident_id)
    return Response(
        markdown,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{incident_id}/audit", response_model=AuditReport,
            responses=error_responses(401, 404, 422))
async def audit_timeline(db: DB, _: AnyUser, incident_id: IdParam) -> AuditReport:
    """Recompute the timeline's hash chain: `verified` is false, with the first broken
    link named, if any stored event was altered, removed or reordered. Events cannot be
    edited or deleted through the API, and on PostgreSQL a trigger refuses it in SQL."""
    return await audit.audit(db, incident_id)


# --- Key events: stars on timeline events (services/incidents/stars.py) -----------------------
# A star is its own record: starring writes no timeline event and leaves the hash chain alone.


@router.put("/{incident_id}/events/{event_id}/star", response_model=EventRead,
            responses=error_responses(401, 403, 404, 422))
async def star_event(db: DB, user: Responder, incident_id: IdParam, event_id: IdParam) -> EventRead:
    """Mark a timeline event as key (the report's Key events). Idempotent: starring a starred
    event keeps its first starrer. 404 if the event is not one of this incident's."""
    return await stars.star(db, incident_id, event_id, user)


@router.delete("/{incident_id}/events/{event_id}/star", response_model=EventRead,
               responses=error_responses(401, 403, 404, 422))
async def unstar_event(db: DB, _: Responder, incident_id: IdParam, event_id: IdParam) -> EventRead:
    """Take the star off a timeline event, whoever starred it. Idempotent."""
    return await stars.unstar(db, incident_id, event_id)
