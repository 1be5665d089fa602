"""The ready-made Grafana dashboard and Prometheus alert rules (deploy/) ask only for metrics
this app exports: every metric name in their queries is one a scrape of /-/metrics shows."""

import json
import re
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.api.test_observability import samples, scrape

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "incident-console.json"
RULES = DEPLOY / "prometheus" / "alerts.yml"
# Series Prometheus makes itself for every target, not the app.
PROMETHEUS_OWN = {"up"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan"}
IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, labels, grouping, durations,
    strings and template variables left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\$\w+", "", expr)  # dashboard variables
    expr = re.sub(r"(?<![A-Za-z0-9_:])\d[0-9.]*(?:e[+-]?\d+)?(?:ms|[smhdwy])*", "", expr)  # numbers
    names = set()
    for match in IDENTIFIER.finditer(expr):
        rest = expr[match.end():].lstrip()
        if rest.startswith("("):  # a function
            continue
        if match.group().lower() in KEYWORDS:
            continue
        names.add(match.group())
    return names


def test_the_name_extraction_finds_metrics_and_skips_the_rest() -> None:
    expr = ('histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_'
            'bucket{job=~"$job",status=~"5.."}[5m]))) / clamp_min(max(foo_total offset 1h), 1e-9)')
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "foo_total"}


def _dashboard_queries() -> list[tuple[str, str]]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] == "Incident Console"
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    queries = []
    for panel in panels:
        assert panel["title"] and panel["targets"], panel
        assert panel["datasource"]["uid"] == "${datasource}"
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        for target in panel["targets"]:
            queries.append((panel["title"], target["expr"]))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "job"} <= variables
    return queries


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    (group,) = document["groups"]
    assert group["name"] and group["rules"]
    for rule in group["rules"]:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    rules: list[dict[str, Any]] = group["rules"]
    return rules


async def test_dashboard_and_alert_rules_ask_only_for_metrics_the_app_exports(
    client: httpx.AsyncClient
) -> None:
    assert (await client.get("/auth/config")).status_code == 200  # some traffic to show
    exported = {name for name, _labels in samples(await scrape(client))} | PROMETHEUS_OWN
    queries = _dashboard_queries() + [(r["alert"], r["expr"]) for r in _rules()]
    unknown = {(where, name) for where, expr in queries for name in metric_names(expr)
               if name not in exported}
    assert unknown == set()
    asked = {name for _where, expr in queries for name in metric_names(expr)}
    # What the dashboard is for: every kind of metric the console exports is on it.
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "incidents_open",
            "incidents_breached", "sla_breaches_total", "alerts_received_total",
            "notifications_total", "notification_queue_depth",
            "notification_queue_oldest_age_seconds", "stream_clients"} <= asked
    slos = {r["alert"]: r["expr"] for r in _rules()}
    assert any('status=~"5.."' in e for e in slos.values())  # error rate
    assert any("histogram_quantile(0.99" in e for e in slos.values())  # p99
    assert any("notification_queue_oldest_age_seconds" in e for e in slos.values())  # queue age
