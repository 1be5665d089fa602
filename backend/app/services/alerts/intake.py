"""Alert intake: every sender's alerts, normalised, in one transaction per delivery.

Triggers are upserted (services/alert_firing.py), then acknowledgements and resolutions
applied (services/alert_resolution.py). Service mapping: an integration key implies its
service; with a user token each triggered alert must name a known service (its `service`
label), else the whole delivery is refused with 422 naming what is missing.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain.alert_payloads import AlertAction, InvalidAlert, NormalizedAlert
from app.errors import Unprocessable
from app.infra.live import announce
from app.models import Service
from app.schemas.alert_intake import IntakeOutcome, IntakeResult
from app.services.alerts.firing import AlertKey, Firing, fire
from app.services.alerts.integration_keys import AlertSender
from app.services.alerts.resolution import acknowledge, resolve

MAX_ANNOUNCED_ALERT_IDS = 100


async def _service_ids(
    session: AsyncSession, triggers: list[NormalizedAlert], sender: AlertSender
) -> dict[str, int]:
    if sender.service_id is not None:
        return {a.service_name or "": sender.service_id for a in triggers}
    nameless = [a.summary for a in triggers if not a.service_name]
    if nameless:
        raise Unprocessable(
            f"Alert '{nameless[0]}' names no service: add a `service` label, or send it with "
            "a service's integration key", field="service"
        )
    names = {a.service_name for a in triggers if a.service_name}
    known = dict((await session.execute(
        select(Service.name, Service.id).where(Service.name.in_(names)))).all())
    unknown = sorted(names - set(known))
    if unknown:
        raise Unprocessable(f"Unknown service: {', '.join(unknown)}; create it first, or send "
                            "the alert with that service's integration key", field="service")
    return known


def _collapse(triggers: list[NormalizedAlert], services: dict[str, int], sender: AlertSender) -> list[Firing]:
    """One row per key and delivery (the last copy wins; `count` goes up by the copies)."""
    latest: dict[AlertKey, NormalizedAlert] = {}
    copies: dict[AlertKey, int] = {}
    for a in triggers:
        key = (a.source.value, a.fingerprint)
        latest[key] = a
        copies[key] = copies.get(key, 0) + 1
    return [Firing(alert=a, repeats=copies[key],
                   service_id=sender.service_id or services[a.service_name or ""])
            for key, a in latest.items()]


async def receive(
    db: Database, alerts: list[NormalizedAlert], sender: AlertSender, origin: str | None = None
) -> IntakeResult:
    """Apply one delivery; `origin` labels the incidents it opens (the source, or `drill`)."""
    now = utcnow()
    by_action = {action: [a for a in alerts if a.action is action] for action in AlertAction}
    async with db.transaction() as session:
        services = await _service_ids(session, by_action[AlertAction.TRIGGER], sender)
        firings = _collapse(by_action[AlertAction.TRIGGER], services, sender)
        outcomes, created = await fire(session, db.dialect, firings, sender.user, origin, now)
        if by_action[AlertAction.ACKNOWLEDGE]:
            outcomes.update(await acknowledge(session, by_action[AlertAction.ACKNOWLEDGE], sender, now))
        if by_action[AlertAction.RESOLVE]:
            outcomes.update(await resolve(session, by_action[AlertAction.RESOLVE], sender, now))
        ordered = [outcomes[(a.source.value, a.fingerprint)] for a in alerts]
        _announce_alerts(session, ordered)
    attached = [i for i in dict.fromkeys(o.incident_id for o in ordered)
                if i is not None and i not in created]
    return IntakeResult(created_incident_ids=created, attached_incident_ids=attached, alerts=ordered)


def _announce_alerts(session: AsyncSession, outcomes: list[IntakeOutcome]) -> None:
    per_incident: dict[int, list[int]] = {}
    for o in outcomes:
        if o.incident_id is not None and o.alert_id is not None:
            per_incident.setdefault(o.incident_id, []).append(o.alert_id)
    for incident_id, alert_ids in per_incident.items():
        unique = list(dict.fromkeys(alert_ids))
        announce(session, "alert.updated", {"incident_id": incident_id,
                                            "alert_ids": unique[:MAX_ANNOUNCED_ALERT_IDS],
                                            "alert_count": len(unique)})


def parsed(
    parse: Callable[[Any], list[NormalizedAlert] | NormalizedAlert], body: Any
) -> list[NormalizedAlert]:
    """Run a pure parser, turning what it refuses into a 422."""
    try:
        result = parse(body)
    except InvalidAlert as exc:
        raise Unprocessable(str(exc))
    return result if isinstance(result, list) else [result]
