"""Alert drills: synthetic alerts, dressed as real senders' payloads, through the real intake."""

import random

from sqlalchemy import select

from app.clock import utcnow
from app.db import Database
from app.domain import alert_payloads, drills
from app.domain.alert_payloads import AlertSource, NormalizedAlert
from app.domain.drill_payloads import as_payload
from app.errors import Unprocessable
from app.models import Service, User
from app.schemas.alert_intake import AlertmanagerWebhook, GrafanaWebhook, PagerDutyEvent
from app.schemas.alerts import GeneratedAlert, GenerateRequest, GenerateResult
from app.services.alerts.intake import parsed, receive
from app.services.alerts.integration_keys import AlertSender


def _normalised(shape: AlertSource, body: dict[str, object]) -> list[NormalizedAlert]:
    """Validated by the same models as the webhooks, then parsed by the same parsers."""
    if shape is AlertSource.PAGERDUTY:
        return parsed(alert_payloads.from_pagerduty, PagerDutyEvent.model_validate(body).model_dump(by_alias=True))
    if shape is AlertSource.GRAFANA:
        return parsed(alert_payloads.from_grafana, GrafanaWebhook.model_validate(body).model_dump())
    return parsed(alert_payloads.from_alertmanager, AlertmanagerWebhook.model_validate(body).model_dump())


async def generate(db: Database, body: GenerateRequest, actor: User) -> GenerateResult:
    seed = body.seed if body.seed is not None else random.SystemRandom().randrange(2**31)
    async with db.read() as session:
        names = list(await session.scalars(select(Service.name).order_by(Service.id)))
    if not names:
        raise Unprocessable("There are no services to raise alerts on; create one first")
    synthetic = drills.generate(body.count, seed, names)
    now = utcnow()
    normalised = [a for s in synthetic for a in _normalised(*as_payload(s, now))]
    result = await receive(db, normalised, AlertSender(user=actor), origin="drill")
    seen: set[str] = set()
    out: list[GeneratedAlert] = []
    for alert, outcome in zip(synthetic, result.alerts, strict=True):
        first = alert.fingerprint not in seen
        seen.add(alert.fingerprint)
        assert outcome.incident_id is not None
        out.append(GeneratedAlert(
            fingerprint=alert.fingerprint, summary=alert.summary, severity=alert.severity.value,
            service=alert.service, incident_id=outcome.incident_id,
            outcome="created" if first and outcome.outcome == "created" else "attached"))
    return GenerateResult(seed=seed, created_incident_ids=result.created_incident_ids,
                          attached_incident_ids=result.attached_incident_ids, alerts=out)
