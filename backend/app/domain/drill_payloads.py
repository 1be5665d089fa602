"""Drill alerts dressed as what real senders POST: Alertmanager, Grafana or PagerDuty.

Pure and reproducible: the shape follows from the alert's fingerprint, the times from `now`.
"""

from datetime import datetime
from typing import Any

from app.domain.alert_payloads import AlertSource
from app.domain.drills import SyntheticAlert

NOT_ENDED = "0001-01-01T00:00:00Z"
SHAPES = (AlertSource.ALERTMANAGER, AlertSource.GRAFANA, AlertSource.PAGERDUTY)


def shape_of(alert: SyntheticAlert) -> AlertSource:
    return SHAPES[int(alert.fingerprint, 16) % len(SHAPES)]


def _group_key(alert: SyntheticAlert) -> str:
    return f'{{}}:{{alertname="{alert.alertname}",service="{alert.service}"}}'


def _prometheus_alert(alert: SyntheticAlert, now: datetime) -> dict[str, Any]:
    return {
        "status": "firing",
        "labels": {**alert.labels, "drill": "true"},
        "annotations": {"summary": alert.summary, "description": alert.description},
        "startsAt": now.isoformat(),
        "endsAt": NOT_ENDED,
        "generatorURL": f"http://prometheus.drill.internal/graph?alert={alert.alertname}",
        "fingerprint": alert.fingerprint,
    }


def as_payload(alert: SyntheticAlert, now: datetime) -> tuple[AlertSource, dict[str, Any]]:
    """The webhook body a real sender would POST for this alert."""
    shape = shape_of(alert)
    if shape is AlertSource.PAGERDUTY:
        return shape, {
            "event_action": "trigger",
            "dedup_key": alert.fingerprint,
            "payload": {
                "summary": alert.summary,
                "source": alert.labels.get("instance", alert.service),
                "severity": alert.severity_word,
                "timestamp": now.isoformat(),
                "group": alert.service,
                "class": alert.alertname,
                "custom_details": {"service": alert.service, "description": alert.description,
                                   "drill": True},
            },
            "client": "Incident Console drill",
        }
    body: dict[str, Any] = {
        "version": "4",
        "groupKey": _group_key(alert),
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "incident-console",
        "groupLabels": {"alertname": alert.alertname, "service": alert.service},
        "commonLabels": {**alert.labels, "drill": "true"},
        "commonAnnotations": {"summary": alert.summary},
        "externalURL": "http://alertmanager.drill.internal:9093",
        "alerts": [_prometheus_alert(alert, now)],
    }
    if shape is AlertSource.GRAFANA:
        body.update(version="1", orgId=1, state="alerting",
                    title=f"[FIRING:1] {alert.alertname}", message=alert.description)
        body["alerts"][0].update(dashboardURL="http://grafana.drill.internal/d/drill",
                                 values={"A": 1})
    return shape, body
