"""Operational metrics over a window of incidents."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.deps import AnyUser, ReadDB
from app.domain.severity import Severity
from app.errors import Unprocessable
from app.schemas.common import IdParam, IsoDateTime, error_responses
from app.schemas.metrics import Metrics
from app.services.metrics import compute as metrics

router = APIRouter(tags=["metrics"])


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC: the edge, then
        offset = value.utcoffset()
        edge = datetime.min if offset and offset > timedelta(0) else datetime.max
        return edge.replace(tzinfo=UTC)


@router.get("/metrics", response_model=Metrics, responses=error_responses(401, 422))
async def get_metrics(
    request: Request,
    db: ReadDB,
    _: AnyUser,
    from_: Annotated[IsoDateTime | None, Query(alias="from", description="created_at >= (UTC if no offset)")] = None,
    to: Annotated[IsoDateTime | None, Query(description="created_at < (UTC if no offset)")] = None,
    service_id: Annotated[list[IdParam] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    assignee_id: Annotated[list[IdParam] | None, Query(description="Owned by any of these users")] = None,
) -> Response:
    """MTTA (acknowledged_at - created_at), MTTM (mitigated_at - created_at), MTTR
    (resolved_at - created_at, never closed_at), each over the incidents that reached that
    point, with nearest-rank p50/p90, and the breach rate (breached / SLA outcome known),
    overall, by severity, by service and by UTC day, with the breach rate the team aims to
    stay under (BREACH_RATE_TARGET).

    Without `from`, `to` or `assignee_id` (the whole history, by service and severity if
    asked), the figures come from running totals kept as incidents change, never behind:
    counts, means and breach rates are exact, and each p50/p90 is within 1% (relative) of
    the exact nearest-rank value (a log-bucket sketch; exact when its bucket holds one
    incident or the value is at most 1.024 s). With a window or owners, every figure is
    computed exactly, percentiles to the millisecond.

    Each replica keeps its last answers and gives one again while nothing it was computed
    from has changed and no SLA target has fallen due since: the same figures a new
    computation would give, without computing them again."""
    start, end = _utc(from_), _utc(to)
    if start and end and start >= end:
        raise Unprocessable("'from' must be earlier than 'to'", field="from")
    window = metrics.MetricsWindow(start=start, end=end, service_id=service_id,
                                   severity=severity, assignee_id=assignee_id)
    target = request.app.state.settings.breach_rate_target
    body = await metrics.answer(db, window, target, request.app.state.metrics_answers,
                                keep=db is request.app.state.db)
    return Response(body, media_type="application/json")
