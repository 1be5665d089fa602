"""The bodies channels receive, rendered once per delivery (at its first claim).

- webhook: `{"id", "type", "occurred_at", "incident"}`, the incident as GET /incidents/{id}
  shows it (IncidentRead, through the one read model, services/incidents/reads.py), plus the
  timeline event's text as `summary`.
- slack: an incoming-webhook message, `text` (the notification's fallback) plus `blocks`.
- teams: a Workflows message carrying one Adaptive Card.
"""

from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Integer, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.infra.responses import OPTIONS
from app.infra.rows import SessionReader, dialect_of, in_transaction, member_of
from app.models import Incident, IncidentEvent
from app.services.incidents.reads import incident_payload, incident_rows

TITLES = {
    "incident.created": "New incident",
    "incident.status_changed": "Status changed",
    "incident.severity_changed": "Severity changed",
    "sla.at_risk": "SLA at risk",
    "sla.breached": "SLA breached",
    "incident.escalated": "Escalated: not acknowledged yet",
    "test": "Test notification",
}
TEST_TEXT = "This is a test from the Incident Console: this channel is set up right."


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def headline(event: str, incident: dict[str, Any] | None) -> str:
    title = TITLES.get(event, event)
    if incident is None:
        return title
    return f"{title}: [{incident['severity']}] #{incident['id']} {incident['title']}"


def facts(incident: dict[str, Any] | None) -> list[tuple[str, str]]:
    if incident is None:
        return []
    return [("Severity", str(incident["severity"])), ("Status", str(incident["status"])),
            ("Service", str(incident["service_name"])),
            ("Owner", str(incident["assignee_name"] or "nobody yet"))]


def webhook_body(delivery_id: str, event: str, occurred_at: datetime,
                 incident: dict[str, Any] | None, summary: str) -> dict[str, Any]:
    return {"id": delivery_id, "type": event, "occurred_at": occurred_at,
            "summary": summary, "incident": incident}


def slack_body(event: str, incident: dict[str, Any] | None, summary: str) -> dict[str, Any]:
    head = headline(event, incident)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": head[:150], "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(summary)[:3000]}},
    ]
    pairs = facts(incident)
    if pairs:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*{name}*\n{_slack_escape(value)}"} for name, value in pairs]})
    return {"text": _slack_escape(f"{head}: {summary}"), "blocks": blocks}


def teams_body(event: str, incident: dict[str, Any] | None, summary: str) -> dict[str, Any]:
    card_body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": headline(event, incident), "weight": "Bolder",
         "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": summary, "wrap": True},
    ]
    pairs = facts(incident)
    if pairs:
        card_body.append({"type": "FactSet",
                          "facts": [{"title": name, "value": value} for name, value in pairs]})
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard", "version": "1.4", "body": card_body}}]}


def render(kind: str, delivery_id: str, event: str, occurred_at: datetime,
           incident: dict[str, Any] | None, summary: str) -> str:
    if kind == "slack":
        body = slack_body(event, incident, summary)
    elif kind == "teams":
        body = teams_body(event, incident, summary)
    else:
        body = webhook_body(delivery_id, event, occurred_at, incident, summary)
    return orjson.dumps(body, option=OPTIONS).decode()


async def incidents_and_summaries(
    session: AsyncSession, incident_ids: set[int], event_ids: set[int], now: datetime,
) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
    """The incidents as IncidentRead dicts (JSON-ready) and the timeline events' texts."""
    incidents: dict[int, dict[str, Any]] = {}
    of_incidents, of_events = _reads(dialect_of(session))
    if incident_ids:
        rows = await SessionReader(session).all(of_incidents, ids=list(incident_ids))
        incidents = {r["id"]: orjson.loads(orjson.dumps(incident_payload(r, now), option=OPTIONS))
                     for r in rows}
    texts: dict[int, str] = {}
    if event_ids:
        texts = {r.id: r.body for r in await in_transaction(session, of_events, {"ids": list(event_ids)})}
    return incidents, texts


@lru_cache(maxsize=4)
def _reads(dialect: str) -> tuple[Any, Any]:
    """The incidents (as the API shows them) and the events' texts for lists of ids, built once
    per database."""
    return (incident_rows(rca_meta=False).where(member_of(Incident.id, "ids", Integer(), dialect)),
            select(IncidentEvent.id, IncidentEvent.body)
            .where(member_of(IncidentEvent.id, "ids", Integer(), dialect)))
