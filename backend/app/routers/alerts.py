"""Alert intake from monitoring tools, the alert list, and drills.

Senders authenticate with a service's integration key (`Authorization: Bearer <key>`, or
PagerDuty's `routing_key`), which also names the service and is the only service whose
alerts it writes, acknowledges or resolves; or with a responder's or admin's token, and then
each alert names its service in a `service` label (422 if unknown). The caller is checked
before the body is read (CallerFirst).
Severity comes from the `severity` label: SEV1..SEV4 or critical / error / warning / info;
missing or unknown words mean SEV3.
PagerDuty Events v2 is one endpoint at two paths: `/alerts/events`, and `/v2/enqueue`, the
path PagerDuty's own clients append to the base URL they are given.
"""

from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from app.deps import DB, AnyUser, Responder, check_role, get_accounts, get_db, oauth2_scheme
from app.domain import alert_payloads
from app.infra.idempotency import IDEMPOTENT
from app.infra.input_guard import InvalidInput
from app.infra.responses import json_response, model_response
from app.schemas.alert_intake import (
    AlertmanagerWebhook,
    AnswerMode,
    GenericAlerts,
    GrafanaWebhook,
    IntakeResult,
    IntakeSummary,
    PagerDutyAccepted,
    PagerDutyEvent,
)
from app.schemas.alerts import AlertPage, GenerateRequest, GenerateResult
from app.schemas.common import IdParam, error_responses
from app.services.alerts import drills
from app.services.alerts import intake as alert_intake
from app.services.alerts import views as alert_views
from app.services.alerts.integration_keys import ALERT_SENDER_ROLES, AlertSender, identify_sender

Check = Callable[[Request], Awaitable[AlertSender]]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
CHECK = "caller_checked_first"


class CallerFirst(APIRoute):
    """A route whose endpoint is marked `@caller_first(check)` checks its caller before
    FastAPI reads the body (a route's dependencies run only after its body is read, parsed
    and validated): an anonymous caller gets 401 and a viewer 403 without the server taking
    in, parsing or validating up to 2 MiB, and without learning how the body is wrong."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        check: Check | None = getattr(self.endpoint, CHECK, None)
        if check is None:
            return handler

        async def checked(request: Request) -> Response:
            request.state.alert_sender = await check(request)
            return await handler(request)

        return checked


def caller_first(check: Check) -> Callable[[Endpoint], Endpoint]:
    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, CHECK, check)
        return endpoint

    return mark


async def _bearer_sender(request: Request) -> AlertSender:
    """An integration key or a responder's or admin's token, from the Authorization header."""
    return await identify_sender(await get_db(request), await get_accounts(request),
                                 await oauth2_scheme(request))


async def _pagerduty_sender(request: Request) -> AlertSender:
    """The Authorization header, else PagerDuty's `routing_key`: only a caller without the
    header has the body read (not validated) to find it; none there is a 401."""
    bearer = await oauth2_scheme(request)
    routing_key = None if bearer else await _routing_key(request)
    return await identify_sender(await get_db(request), await get_accounts(request), bearer, routing_key)


async def _routing_key(request: Request) -> str | None:
    try:
        body = await request.json()  # kept on the request: FastAPI parses it once
    except (ValueError, RecursionError, InvalidInput):
        return None  # a body no store could hold names no key either: 401, not its details
    key = body.get("routing_key") if isinstance(body, dict) else None
    return key if isinstance(key, str) else None


async def _responder(request: Request) -> AlertSender:
    """A responder's or admin's token (drills are people's, never an integration key's)."""
    user = await (await get_accounts(request)).authenticate(await oauth2_scheme(request))
    return AlertSender(user=check_role(user, ALERT_SENDER_ROLES))


async def checked_sender(request: Request, _: Annotated[str | None, Depends(oauth2_scheme)]) -> AlertSender:
    """Who sent the alerts, as CallerFirst checked before the body was read (the bearer
    dependency documents the route's security in the OpenAPI schema)."""
    sender: AlertSender = request.state.alert_sender
    return sender


router = APIRouter(tags=["alerts"], route_class=CallerFirst)

Sender = Annotated[AlertSender, Depends(checked_sender)]
INTAKE_ERRORS = error_responses(401, 403, 413, 422)
Answer = Annotated[AnswerMode, Query(description=(
    "`detailed` (the default): every alert's outcome, in the delivery's order. `summary`: counts "
    "only (`IntakeSummary`), for large batches whose sender reads no per-alert answer "
    "(Alertmanager and Grafana read none: add `?answer=summary` to the webhook URL). The "
    "delivery is applied the same way either way"))]
IntakeAnswered = IntakeResult | IntakeSummary


async def _answer(db: DB, alerts: list[alert_payloads.NormalizedAlert], sender: AlertSender,
                  answer: AnswerMode) -> Response:
    if answer == "summary":
        return model_response(await alert_intake.receive_summary(db, alerts, sender))
    return json_response(await alert_intake.receive(db, alerts, sender))
AlertStatus = Literal["firing", "acknowledged", "resolved"]


@router.post("/alerts/generate", status_code=201, response_model=GenerateResult,
             responses=error_responses(401, 403, 422), openapi_extra=IDEMPOTENT)
@caller_first(_responder)
async def generate_alerts(db: DB, user: Responder, body: GenerateRequest | None = None) -> GenerateResult:
    """Synthetic alerts for a drill, sent as Alertmanager, Grafana and PagerDuty payloads
    through the same intake as real ones; the same `seed` gives the same alerts."""
    return await drills.generate(db, body or GenerateRequest(), user)


@router.post("/alerts/alertmanager", response_model=IntakeAnswered, responses=INTAKE_ERRORS,
             openapi_extra=IDEMPOTENT)
@caller_first(_bearer_sender)
async def alertmanager_webhook(db: DB, sender: Sender, body: AlertmanagerWebhook,
                               answer: Answer = "detailed") -> Response:
    """Prometheus Alertmanager's webhook receiver (`version` "4"); deduplicated on each
    alert's `fingerprint` within its service, grouped into one incident per `groupKey` and
    service.

    Service: the integration key's; with a user token, the `service` label (422 when missing
    or unknown). Severity: the `severity` label, SEV1..SEV4 or critical/page = SEV1,
    error/high = SEV2, warning/medium = SEV3, info/low = SEV4; anything else SEV3."""
    alerts = alert_intake.parsed(alert_payloads.from_alertmanager, body.model_dump())
    return await _answer(db, alerts, sender, answer)


@router.post("/alerts/grafana", response_model=IntakeAnswered, responses=INTAKE_ERRORS,
             openapi_extra=IDEMPOTENT)
@caller_first(_bearer_sender)
async def grafana_webhook(db: DB, sender: Sender, body: GrafanaWebhook, answer: Answer = "detailed") -> Response:
    """Grafana alerting's webhook contact point; the same dedup, grouping, service and
    severity rules as Alertmanager's."""
    alerts = alert_intake.parsed(alert_payloads.from_grafana, body.model_dump())
    return await _answer(db, alerts, sender, answer)


@router.post("/v2/enqueue", status_code=202, response_model=PagerDutyAccepted,
             responses=INTAKE_ERRORS, openapi_extra=IDEMPOTENT, summary="PagerDuty Events v2 (sender's path)",
             description="The same as `POST /alerts/events`, at the path PagerDuty Events v2 clients "
                         "append to the base URL they are given (the official `pagerduty` client's "
                         "`EventsApiV2Client(base_url=...)`).")
@router.post("/alerts/events", status_code=202, response_model=PagerDutyAccepted,
             responses=INTAKE_ERRORS, openapi_extra=IDEMPOTENT)
@caller_first(_pagerduty_sender)
async def pagerduty_event(db: DB, sender: Sender, body: PagerDutyEvent) -> PagerDutyAccepted:
    """PagerDuty Events API v2: `trigger`, `acknowledge` (acknowledges the incident: New moves
    to Investigating) and `resolve`, keyed by `dedup_key` within the service. Without an
    integration key the service is `payload.custom_details.service`, else `payload.group`;
    an acknowledge or resolve naming neither applies to that `dedup_key` in every service."""
    alerts = alert_intake.parsed(alert_payloads.from_pagerduty, body.model_dump(by_alias=True))
    await alert_intake.receive(db, alerts, sender)
    return PagerDutyAccepted(dedup_key=alerts[0].fingerprint)


@router.post("/alerts", response_model=IntakeAnswered, responses=INTAKE_ERRORS, openapi_extra=IDEMPOTENT)
@caller_first(_bearer_sender)
async def generic_alerts(db: DB, sender: Sender, body: GenericAlerts, answer: Answer = "detailed") -> Response:
    """One alert, or a list of up to 1,000 in one transaction, for scripts and curl.
    Repeats of a `dedup_key` (within a service) attach to its open incident; `status:
    resolved` resolves it. Service: the integration key's, else `service` (422 when unknown)."""
    items = body if isinstance(body, list) else [body]
    alerts = alert_intake.parsed(alert_payloads.from_generic, [i.model_dump() for i in items])
    return await _answer(db, alerts, sender, answer)


@router.get("/alerts", response_model=AlertPage, responses=error_responses(401, 404, 422))
async def list_alerts(
    db: DB,
    _: AnyUser,
    status: Annotated[list[AlertStatus] | None, Query()] = None,
    incident_id: Annotated[IdParam | None, Query()] = None,
    fingerprint: Annotated[str | None, Query(max_length=255)] = None,
    source: Annotated[alert_payloads.AlertSource | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
) -> AlertPage:
    """Newest first (by first seen)."""
    f = alert_views.AlertFilter(status=list(status or []), incident_id=incident_id,
                                fingerprint=fingerprint, source=source.value if source else None)
    return await alert_views.list_alerts(db, f, limit, cursor)


@router.get("/incidents/{incident_id}/alerts", response_model=AlertPage,
            responses=error_responses(401, 404, 422))
async def incident_alerts(
    db: DB,
    _: AnyUser,
    incident_id: IdParam,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> AlertPage:
    """The alerts attached to one incident, newest first."""
    return await alert_views.list_alerts(db, alert_views.AlertFilter(status=[], incident_id=incident_id),
                                         limit, cursor)
