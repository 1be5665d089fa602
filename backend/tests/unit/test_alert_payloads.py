"""Each sender's real payload parses into the alerts it means; drill payloads parse too."""

from datetime import UTC, datetime

import pytest

from app.domain import alert_payloads
from app.domain.alert_payloads import AlertAction, AlertSource, InvalidAlert
from app.domain.drill_payloads import as_payload
from app.domain.drills import generate
from app.domain.severity import Severity
from tests.alert_fixtures import payload


def test_alertmanager_firing() -> None:
    alerts = alert_payloads.from_alertmanager(payload("alertmanager-v4-firing"))
    assert [a.fingerprint for a in alerts] == ["a1f3c9e07b2d4415", "5c0de2b81a97f360"]
    first = alerts[0]
    assert first.source is AlertSource.ALERTMANAGER and first.action is AlertAction.TRIGGER
    assert first.severity is Severity.SEV1 and first.service_name == "checkout-api"
    assert first.summary == "Checkout p99 latency above 3s"
    assert first.description.startswith("p99 latency is 3.4s")
    assert first.group_key == payload("alertmanager-v4-firing")["groupKey"]
    assert first.labels["instance"] == "checkout-7d9f:8080" and first.labels["team"] == "payments"
    assert first.starts_at == datetime(2026, 11, 27, 8, 41, 12, 511000, tzinfo=UTC)
    assert first.ends_at is None, "0001-01-01 means no end"
    assert first.source_url and first.source_url.startswith("http://prometheus")


def test_alertmanager_resolved() -> None:
    alerts = alert_payloads.from_alertmanager(payload("alertmanager-v4-resolved"))
    assert {a.action for a in alerts} == {AlertAction.RESOLVE}
    assert alerts[0].ends_at == datetime(2026, 11, 27, 9, 2, 10, tzinfo=UTC)


def test_grafana_firing() -> None:
    [alert] = alert_payloads.from_grafana(payload("grafana-webhook-firing"))
    assert alert.source is AlertSource.GRAFANA and alert.fingerprint == "7e2b0c9aa1d4f851"
    assert alert.severity is Severity.SEV3 and alert.service_name == "payments-gateway"
    assert alert.source_url == "http://grafana.example.internal/d/pay01?viewPanel=4"
    assert alert.description == "5xx ratio 2.7% for 10m"


def test_pagerduty_trigger_and_resolve() -> None:
    trigger = alert_payloads.from_pagerduty(payload("pagerduty-events-v2-trigger"))
    assert trigger.fingerprint == "search-api/disk-full/db-3" and trigger.action is AlertAction.TRIGGER
    assert trigger.severity is Severity.SEV1 and trigger.service_name == "search-api"
    assert trigger.labels["custom_details"]["mount"] == "/var/lib/postgresql"
    assert trigger.source_url == "http://grafana.example.internal/d/db3"
    resolve = alert_payloads.from_pagerduty(payload("pagerduty-events-v2-resolve"))
    assert resolve.action is AlertAction.RESOLVE and resolve.fingerprint == trigger.fingerprint


def test_pagerduty_trigger_without_dedup_key_is_keyed_by_its_payload() -> None:
    body = payload("pagerduty-events-v2-trigger")
    del body["dedup_key"]
    assert alert_payloads.from_pagerduty(body).fingerprint == alert_payloads.from_pagerduty(body).fingerprint
    with pytest.raises(InvalidAlert):
        alert_payloads.from_pagerduty({"event_action": "resolve"})


def test_generic_defaults() -> None:
    [a, b] = alert_payloads.from_generic([
        {"title": "Queue lag", "service": "search-api", "severity": "error"},
        {"title": "Queue lag", "service": "search-api", "severity": "bogus", "status": "resolved"},
    ])
    assert a.fingerprint == b.fingerprint, "no dedup_key: keyed by service and title"
    assert a.severity is Severity.SEV2 and b.severity is Severity.SEV3
    assert b.action is AlertAction.RESOLVE


def test_drill_payloads_are_real_shapes_and_reproducible() -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    synthetic = generate(30, 5, ["checkout-api", "search-api"])
    shapes = [as_payload(s, now) for s in synthetic]
    assert shapes == [as_payload(s, now) for s in generate(30, 5, ["checkout-api", "search-api"])]
    assert {shape for shape, _ in shapes} == set(AlertSource) - {AlertSource.GENERIC}
    parse = {AlertSource.ALERTMANAGER: alert_payloads.from_alertmanager,
             AlertSource.GRAFANA: alert_payloads.from_grafana}
    for synthetic_alert, (shape, body) in zip(synthetic, shapes, strict=True):
        parsed = (alert_payloads.from_pagerduty(body) if shape is AlertSource.PAGERDUTY
                  else parse[shape](body)[0])
        assert parsed.fingerprint == synthetic_alert.fingerprint
        assert parsed.service_name == synthetic_alert.service
        assert parsed.severity is synthetic_alert.severity
