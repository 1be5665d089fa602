"""Alert intake: every sender's alerts, normalised, in one transaction per delivery.

Triggers are upserted (firing.py), then acknowledgements and resolutions applied
(resolution.py). The answer is every alert's outcome, or counts only (outcomes.py): the
delivery is applied the same way for both. Service mapping: an integration key implies its service, for every action;
with a user token each triggered alert must name a known service (its `service` label),
else the whole delivery is refused with 422 naming what is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain.alert_payloads import AlertAction, InvalidAlert, NormalizedAlert
from app.errors import Unprocessable
from app.infra.live import announce
from app.infra.prometheus import count_alerts
from app.models import Service
from app.schemas.alert_intake import IntakeSummary
from app.services.alerts import outcomes as answers
from app.services.alerts.firing import Firing, fire
from app.services.alerts.integration_keys import AlertSender
from app.services.alerts.outcomes import AlertKey, AlertOutcome, IntakeAnswer
from app.services.alerts.resolution import acknowledge, resolve

MAX_ANNOUNCED_ALERT_IDS = 100


# No service has id 0: an alert naming a service that does not exist matches no alert.
NOWHERE = 0


async def _scopes(
    session: AsyncSession, alerts: list[NormalizedAlert], sender: AlertSender
) -> list[int | None]:
    """The service each alert belongs to, in order. An integration key's own, always: a key
    writes, acknowledges and resolves only its service's alerts. With a person's token, the
    service the alert names; a trigger must name a known one (else the delivery is a 422);
    an acknowledge or resolve naming none applies in every service (None), as people may act
    on every service's incidents anyway."""
    if sender.service_id is not None:
        return [sender.service_id] * len(alerts)
    triggers = [a for a in alerts if a.action is AlertAction.TRIGGER]
    nameless = [a.summary for a in triggers if not a.service_name]
    if nameless:
        raise Unprocessable(
            f"Alert '{nameless[0]}' names no service: add a `service` label, or send it with "
            "a service's integration key", field="service"
        )
    names = {a.service_name for a in alerts if a.service_name}
    known: dict[str, int] = dict((await session.execute(
        select(Service.name, Service.id).where(Service.name.in_(names)))).all()) if names else {}
    unknown = sorted({a.service_name for a in triggers if a.service_name} - set(known))
    if unknown:
        raise Unprocessable(f"Unknown service: {', '.join(unknown)}; create it first, or send "
                            "the alert with that service's integration key", field="service")
    return [known.get(a.service_name, NOWHERE) if a.service_name else None for a in alerts]


def _key(alert: NormalizedAlert, service_id: int | None) -> AlertKey:
    return (alert.source, alert.fingerprint, service_id)


def _collapse(triggers: list[tuple[NormalizedAlert, int | None]]) -> list[Firing]:
    """One row per key and delivery (the last copy wins; `count` goes up by the copies)."""
    latest: dict[AlertKey, tuple[NormalizedAlert, int]] = {}
    copies: dict[AlertKey, int] = {}
    for a, service_id in triggers:
        assert service_id is not None  # _scopes: every trigger has its service
        key = _key(a, service_id)
        latest[key] = (a, service_id)
        copies[key] = copies.get(key, 0) + 1
    return [Firing(alert=a, repeats=copies[key], service_id=service_id)
            for key, (a, service_id) in latest.items()]


@dataclass(frozen=True)
class _Applied:
    keys: list[AlertKey]  # each alert's, in the delivery's order
    outcomes: dict[AlertKey, AlertOutcome]
    created: list[int]
    attached: list[int]
    triggers: int
    new_alerts: int


async def _apply(
    db: Database, alerts: list[NormalizedAlert], sender: AlertSender, origin: str | None
) -> _Applied:
    now = utcnow()
    async with db.transaction() as session:
        scopes = await _scopes(session, alerts, sender)
        scoped = list(zip(alerts, scopes, strict=True))
        by_action = {action: [(a, s) for a, s in scoped if a.action is action] for action in AlertAction}
        fired = await fire(session, db.dialect, _collapse(by_action[AlertAction.TRIGGER]), sender.user,
                           origin, now)
        outcomes = fired.outcomes
        if by_action[AlertAction.ACKNOWLEDGE]:
            outcomes.update(await acknowledge(session, by_action[AlertAction.ACKNOWLEDGE], sender, now))
        if by_action[AlertAction.RESOLVE]:
            outcomes.update(await resolve(session, by_action[AlertAction.RESOLVE], sender, now))
        keys = [_key(a, s) for a, s in scoped]
        distinct = [outcomes[k] for k in dict.fromkeys(keys)]
        _announce_alerts(session, distinct)
    if origin != "drill":  # a rehearsal is not traffic from the monitoring tools
        count_alerts(a.source.value for a in alerts)
    return _Applied(keys, outcomes, fired.created, answers.attached_incidents(distinct, fired.created),
                    len(by_action[AlertAction.TRIGGER]), fired.new_alerts)


async def receive(
    db: Database, alerts: list[NormalizedAlert], sender: AlertSender, origin: str | None = None
) -> IntakeAnswer:
    """Apply one delivery and answer every alert's outcome, in the delivery's order; `origin`
    labels the incidents it opens (the source, or `drill`)."""
    done = await _apply(db, alerts, sender, origin)
    return IntakeAnswer(created_incident_ids=done.created, attached_incident_ids=done.attached,
                        alerts=[done.outcomes[k] for k in done.keys])


async def receive_summary(db: Database, alerts: list[NormalizedAlert], sender: AlertSender) -> IntakeSummary:
    """Apply one delivery exactly as `receive` does, and answer counts only."""
    done = await _apply(db, alerts, sender, None)
    return answers.summary(done.keys, done.outcomes, done.created, done.attached, done.triggers,
                           done.new_alerts)


def _announce_alerts(session: AsyncSession, outcomes: list[AlertOutcome]) -> None:
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
