"""Watching the console itself: readiness for load balancers and orchestrators, and its own
metrics for Prometheus. Neither needs a person's token; `/-/metrics` takes PROMETHEUS_TOKEN
as a bearer token when one is set. `/healthz` (console.py) stays the liveness check."""

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

from app.errors import Unauthenticated
from app.infra import prometheus
from app.schemas.common import error_responses
from app.schemas.observability import ReadinessRead
from app.services.observability import readiness

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/-/readiness", response_model=ReadinessRead, responses={
    503: {"model": ReadinessRead, "description": "Not ready: `failed` names what failed"}})
async def get_readiness(request: Request) -> JSONResponse:
    """200 when this process can serve: the database answers (and on PostgreSQL, in a process
    that serves the live stream, its LISTEN connection is up); else 503 naming what failed."""
    state = request.app.state
    result = await readiness.check(state.db, state.live)
    body = ReadinessRead(status="ready" if result.ready else "not_ready", checks=result.checks,
                         failed=result.failed)
    return JSONResponse(body.model_dump(), status_code=200 if result.ready else 503)


@router.get("/-/metrics", response_class=Response, responses={
    200: {"content": {prometheus.CONTENT_TYPE: {"schema": {"type": "string"}}},
          "description": "Prometheus text exposition format 0.0.4"},
    **error_responses(401)})
async def get_metrics(
    request: Request,
    authorization: Annotated[str | None, Header(
        max_length=4096, description="`Bearer <PROMETHEUS_TOKEN>` when that is set")] = None,
) -> Response:
    """The console's own metrics: requests by route, open incidents, breaches, alert intake,
    notifications and their queue, stream clients. Public unless PROMETHEUS_TOKEN is set."""
    state = request.app.state
    if not prometheus.scrape_allowed(state.settings.prometheus_token, authorization):
        raise Unauthenticated("/-/metrics needs the PROMETHEUS_TOKEN as a bearer token")
    readings: prometheus.Readings = state.readings
    await readings.refresh()
    if readings.failed:
        log.warning("metrics: could not read %s this scrape", ", ".join(readings.failed))
    return Response(prometheus.exposition(readings), media_type=prometheus.CONTENT_TYPE)
