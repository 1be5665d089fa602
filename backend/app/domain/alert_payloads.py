"""What each monitoring tool's webhook means, as a list of normalised alerts.

Pure parsing of the senders' payload shapes (real ones in tests/fixtures/alerts/):
Alertmanager (webhook version 4), Grafana's webhook contact point, PagerDuty Events API v2,
and our generic `{title, severity, service}`.
Defaults: severity comes from the `severity` label (SEV3 when missing or unknown), the service
from the `service` label (PagerDuty: `custom_details.service`, else `payload.group`).
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.domain.severity import Severity, severity_from_alert


class AlertAction(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class AlertSource(StrEnum):
    ALERTMANAGER = "alertmanager"
    GRAFANA = "grafana"
    PAGERDUTY = "pagerduty"
    GENERIC = "generic"


class InvalidAlert(ValueError):
    """A payload that parses but cannot be turned into an alert (no dedup_key to resolve...)."""


MAX_SUMMARY = 500


@dataclass(frozen=True)
class NormalizedAlert:
    source: AlertSource
    fingerprint: str
    action: AlertAction
    severity: Severity
    summary: str
    description: str = ""
    labels: dict[str, Any] = field(default_factory=dict)
    service_name: str | None = None
    group_key: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    source_url: str | None = None


def no_end(value: datetime | str | None) -> datetime | None:
    """A time from a payload; Alertmanager and Grafana send `0001-01-01T00:00:00Z` for
    "not ended", and a time without a zone is taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidAlert(f"{value!r} is not an ISO 8601 time")
    if value.year <= 1:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _digest(*parts: object) -> str:
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _summary(text: str | None, fallback: str) -> str:
    cleaned = (text or "").strip() or fallback
    return cleaned[:MAX_SUMMARY]


def _prometheus_alerts(
    source: AlertSource, body: Mapping[str, Any], url_keys: Iterable[str]
) -> list[NormalizedAlert]:
    group_key = body.get("groupKey") or None
    common = body.get("commonLabels") or {}
    url_keys = tuple(url_keys)
    out: list[NormalizedAlert] = []
    for alert in body.get("alerts") or []:
        labels = {**common, **(alert.get("labels") or {})}
        annotations = {**(body.get("commonAnnotations") or {}), **(alert.get("annotations") or {})}
        name = labels.get("alertname") or "alert"
        fingerprint = alert.get("fingerprint") or _digest(sorted(labels.items()))
        resolved = alert.get("status") == "resolved"
        url = next((alert[k] for k in url_keys if alert.get(k)), None)
        out.append(NormalizedAlert(
            source=source,
            fingerprint=fingerprint,
            action=AlertAction.RESOLVE if resolved else AlertAction.TRIGGER,
            severity=severity_from_alert(labels.get("severity")),
            summary=_summary(annotations.get("summary"), name),
            description=annotations.get("description") or alert.get("valueString") or "",
            labels=labels,
            service_name=labels.get("service"),
            group_key=group_key,
            starts_at=no_end(alert.get("startsAt")),
            ends_at=no_end(alert.get("endsAt")),
            source_url=url,
        ))
    return out


def from_alertmanager(body: Mapping[str, Any]) -> list[NormalizedAlert]:
    """Alertmanager webhook v4: one alert per entry of `alerts`, deduplicated on `fingerprint`."""
    return _prometheus_alerts(AlertSource.ALERTMANAGER, body, ("generatorURL",))


def from_grafana(body: Mapping[str, Any]) -> list[NormalizedAlert]:
    """Grafana's webhook: Alertmanager's shape plus panel and dashboard links."""
    return _prometheus_alerts(
        AlertSource.GRAFANA, body, ("panelURL", "dashboardURL", "generatorURL")
    )


def from_pagerduty(body: Mapping[str, Any]) -> NormalizedAlert:
    """PagerDuty Events API v2. A trigger without `dedup_key` gets one derived from its
    payload, so a retried trigger still deduplicates; acknowledge and resolve need one."""
    action = AlertAction(body["event_action"])
    payload = body.get("payload") or {}
    dedup_key = body.get("dedup_key")
    if not dedup_key:
        if action is not AlertAction.TRIGGER:
            raise InvalidAlert(f"event_action {action.value} needs the dedup_key of its trigger")
        dedup_key = _digest(payload.get("summary"), payload.get("source"),
                            payload.get("component"), payload.get("group"), payload.get("class"))
    details = payload.get("custom_details")
    service = details.get("service") if isinstance(details, Mapping) else None
    labels: dict[str, Any] = {
        k: payload[k] for k in ("source", "severity", "component", "group", "class")
        if payload.get(k) is not None
    }
    if details is not None:
        labels["custom_details"] = details
    if body.get("client"):
        labels["client"] = body["client"]
    links = body.get("links") or []
    url = links[0].get("href") if links else body.get("client_url")
    return NormalizedAlert(
        source=AlertSource.PAGERDUTY,
        fingerprint=dedup_key,
        action=action,
        severity=severity_from_alert(payload.get("severity")),
        summary=_summary(payload.get("summary"), dedup_key),
        labels=labels,
        service_name=service if isinstance(service, str) else payload.get("group"),
        starts_at=no_end(payload.get("timestamp")),
        source_url=url,
    )


def from_generic(items: Iterable[Mapping[str, Any]]) -> list[NormalizedAlert]:
    """The generic shape; without `dedup_key` an alert is keyed by its service and title."""
    out: list[NormalizedAlert] = []
    for item in items:
        resolved = item.get("status") == "resolved"
        out.append(NormalizedAlert(
            source=AlertSource.GENERIC,
            fingerprint=item.get("dedup_key") or _digest(item["service"], item["title"]),
            action=AlertAction.RESOLVE if resolved else AlertAction.TRIGGER,
            severity=severity_from_alert(item.get("severity")),
            summary=_summary(item["title"], "alert"),
            description=item.get("description") or "",
            labels={"service": item["service"], "severity": item.get("severity")},
            service_name=item["service"],
            source_url=item.get("source_url"),
        ))
    return out
