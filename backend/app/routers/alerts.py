"""Alert intake from monitoring tools, the alert list, and drills.

Senders authenticate with a service's integration key (`Authorization: Bearer <key>`, or
PagerDuty's `routing_key`), which also names the service; or with a responder's or admin's
token, and then each alert names its service in a `service` label (422 if unknown).
Severity comes from the `severity` label: SEV1..SEV4 or critical / error / warning / info;
missing or unknown words mean SEV3.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.deps import DB, AnyUser, Responder, get_accounts, oauth2_scheme
from app.domain import alert_payloads
from app.infra.idempotency import IDEMPOTENT
from app.infra.responses import model_response
from app.schemas.alert_intake import (
    AlertmanagerWebhook,
    GenericAlerts,
    GrafanaWebhook,
    IntakeResult,
    PagerDutyAccepted,
    PagerDutyEvent,
)
from app.schemas.alerts import AlertPage, GenerateRequest, GenerateResult
from app.schemas.common import IdParam, error_responses
from app.services.alerts import drills
from app.services.alerts import intake as alert_intake
from app.services.alerts import views as alert_views
from app.services.alerts.integration_keys import identify_sender
from app.services.users.accounts import Accounts

router = APIRouter(tags=["alerts"])

Bearer = Annotated[str | None, Depends(oauth2_scheme)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
INTAKE_ERRORS = error_responses(401, 403, 413, 422)
AlertStatus = Literal["firing", "acknowledged", "resolved"]


@router.post("/alerts/generate", status_code=201, response_model=GenerateResult,
             responses=error_responses(401, 403, 422), openapi_extra=IDEMPOTENT)
async def generate_alerts(db: DB, user: Responder, body: GenerateRequest | None = None) -> GenerateResult:
    """Synthetic alerts for a drill, sent as Alertmanager, Grafana and PagerDuty payloads
    through the same intake as real ones; the same `seed` gives the same alerts."""
    return await drills.generate(db, body or GenerateRequest(), user)


@router.post("/alerts/alertmanager", response_model=IntakeResult, responses=INTAKE_ERRORS,
             openapi_extra=IDEMPOTENT)
async def alertmanager_webhook(
    db: DB, accounts: AccountsDep, bearer: Bearer, body: AlertmanagerWebhook
) -> Response:
    """Prometheus Alertmanager's webhook receiver (`version` "4"); deduplicated on each
    alert's `fingerprint`, grouped into one incident per `groupKey` and service.

    Service: the integration key's; with a user token, the `service` label (422 when missing
    or unknown). Severity: the `severity` label, SEV1..SEV4 or critical/page = SEV1,
    error/high = SEV2, warning/medium = SEV3, info/low = SEV4; anything else SEV3."""
    sender = await identify_sender(db, accounts, bearer)
    alerts = alert_intake.parsed(alert_payloads.from_alertmanager, body.model_dump())
    return model_response(await alert_intake.receive(db, alerts, sender))


@router.post("/alerts/grafana", response_model=IntakeResult, responses=INTAKE_ERRORS,
             openapi_extra=IDEMPOTENT)
async def grafana_webhook(db: DB, accounts: AccountsDep, bearer: Bearer, body: GrafanaWebhook) -> Response:
    """Grafana alerting's webhook contact point; the same dedup, grouping, service and
    severity rules as Alertmanager's."""
    sender = await identify_sender(db, accounts, bearer)
    alerts = alert_intake.parsed(alert_payloads.from_grafana, body.model_dump())
    return model_response(await alert_intake.receive(db, alerts, sender))


@router.post("/alerts/events", status_code=202, response_model=PagerDutyAccepted,
             responses=INTAKE_ERRORS, openapi_extra=IDEMPOTENT)
async def pagerduty_event(db: DB, accounts: AccountsDep, bearer: Bearer, body: PagerDutyEvent) -> PagerDutyAccepted:
    """PagerDuty Events API v2: `trigger`, `acknowledge` (acknowledges the incident: New moves
    to Investigating) and `resolve`, keyed by `dedup_key`. Without an integration key the
    service is `payload.custom_details.service`, else `payload.group`."""
    sender = await identify_sender(db, accounts, bearer, body.routing_key)
    alerts = alert_intake.parsed(alert_payloads.from_pagerduty, body.model_dump(by_alias=True))
    await alert_intake.receive(db, alerts, sender)
    return PagerDutyAccepted(dedup_key=alerts[0].fingerprint)


@router.post("/alerts", response_model=IntakeResult, responses=INTAKE_ERRORS, openapi_extra=IDEMPOTENT)
async def generic_alerts(db: DB, accounts: AccountsDep, bearer: Bearer, body: GenericAlerts) -> Response:
    """One alert, or a list of up to 1,000 in one transaction, for scripts and curl.
    Repeats of a `dedup_key` attach to its open incident; `status: resolved` resolves it.
    Service: the integration key's, else `service` (422 when unknown)."""
    sender = await identify_sender(db, accounts, bearer)
    items = body if isinstance(body, list) else [body]
    alerts = alert_intake.parsed(alert_payloads.from_generic, [i.model_dump() for i in items])
    return model_response(await alert_intake.receive(db, alerts, sender))


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
