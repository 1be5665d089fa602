"""The post-incident report in Markdown, as a team would paste it into its wiki."""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.clock import utcnow
from app.db import Database
from app.domain import sla
from app.domain.business_hours import Calendar, business_seconds_between
from app.domain.events import EventType
from app.domain.rca import RCA_FIELDS
from app.infra.rows import SessionReader
from app.models import BusinessCalendar, Service
from app.schemas.action_items import ActionItemRead
from app.schemas.incidents import EventRead, IncidentRead, RcaRead
from app.services.action_items.views import items_of
from app.services.incidents.reads import incident_detail
from app.services.sla.calendars import as_calendar

SECTION_TITLES = {
    "root_cause": "Root cause",
    "contributing_factors": "Contributing factors",
    "corrective_actions": "Corrective actions",
    "prevention_actions": "Prevention actions",
}


@dataclass(frozen=True)
class ReportCalendar:
    """The business-hours calendar an incident's clocks ran in, as the report names it."""

    name: str
    timezone: str
    calendar: Calendar


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes else "", f"{secs}s" if secs and not days else ""]
    return " ".join(p for p in parts if p) or "0s"


def stamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def iso(value: datetime) -> str:
    """A time as data: ISO 8601 in UTC, to the second (`2026-11-28T19:30:05Z`)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _line(text: str) -> str:
    return " ".join(text.split())


def key_events(events: list[EventRead]) -> list[str]:
    """The starred events in time order, each with its time (ISO, UTC), text and author."""
    starred = sorted((e for e in events if e.starred), key=lambda e: (e.created_at, e.id))
    if not starred:
        return ["_No key events starred._"]
    return [f"- {iso(e.created_at)} — {_line(e.body)} — {e.created_by_name or 'system'}"
            for e in starred]


def _between(later: datetime | None, earlier: datetime) -> str:
    return duration((later - earlier).total_seconds()) if later else "n/a"


def _outcome(breached: bool, done_at: datetime | None) -> str:
    return "Breached" if breached else "Met" if done_at else "Pending"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def follow_ups(items: list[ActionItemRead]) -> list[str]:
    """The Follow-ups section's lines: a table of the action items, overdue ones marked."""
    if not items:
        return ["_No follow-ups recorded._"]
    lines = ["| Follow-up | Kind | Owner | Due | Status | Link |", "|---|---|---|---|---|---|"]
    for item in items:
        due = item.due_date.isoformat() if item.due_date else "—"
        if item.overdue:
            due += " **(overdue)**"
        link = f"[ticket](<{_cell(item.url)}>)" if item.url else "—"
        lines.append(f"| {_cell(item.title)} | {item.kind.value} | {_cell(item.owner_name or 'Unowned')} | "
                     f"{due} | {item.status.value} | {link} |")
    return lines



def _pauses(events: list[EventRead]) -> list[tuple[datetime, datetime | None, str, float | None]]:
    """(paused at, resumed at or None, reason, business seconds or None) per pause, in order."""
    found: list[tuple[datetime, datetime | None, str, float | None]] = []
    for e in events:
        if e.type == EventType.SLA_PAUSED:
            found.append((e.created_at, None, str(e.data.get("reason", "")), None))
        elif e.type == EventType.SLA_RESUMED and found and found[-1][1] is None:
            start, _, reason, _ = found[-1]
            found[-1] = (start, e.created_at, reason, e.data.get("business_seconds"))
    return found


def paused_time(events: list[EventRead], calendar: ReportCalendar | None) -> list[str]:
    """The report's Paused time: each pause with its reason and length (wall-clock, and in
    business time under a calendar), and the total."""
    pauses = _pauses(events)
    if not pauses:
        return ["_The SLA clock was never paused._"]
    lines, total = [], 0.0
    for start, end, reason, business in pauses:
        if end is None:
            lines.append(f"- {iso(start)} → still paused — {_line(reason)}")
            continue
        wall = (end - start).total_seconds()
        total += wall
        extra = f" ({duration(business)} business time)" if calendar and business is not None else ""
        lines.append(f"- {iso(start)} → {iso(end)} — {_line(reason)} — {duration(wall)}{extra}")
    lines += ["", f"Total paused: {duration(total)}. Breach outcomes leave paused time out (the due "
              "times moved on each resume); the times to acknowledge and resolve above are "
              "wall-clock, pauses included."]
    return lines


def _business_taken(calendar: ReportCalendar | None, incident: IncidentRead, done: datetime | None,
                    events: list[EventRead]) -> str:
    if calendar is None or done is None:
        return "n/a"
    paused = sum(b or 0 for start, end, _, b in _pauses(events) if end is not None and end <= done)
    return duration(max(0.0, business_seconds_between(calendar.calendar, incident.created_at, done) - paused))


def render(incident: IncidentRead, events: list[EventRead], rca: RcaRead | None,
           target: sla.Target | None, items: list[ActionItemRead] | None = None,
           calendar: "ReportCalendar | None" = None) -> str:
    s = incident.sla
    outcome = {"met": "Met", "breached": "Breached", "on_track": "On track (still open)",
               "at_risk": "At risk (still open)", "paused": "Paused (still open)"}[s.state.value]
    lines = [
        f"# INC-{incident.id}: {incident.title}",
        "",
        "## Summary",
        "",
        incident.description.strip() or "_No description given._",
        "",
        "| | |",
        "|---|---|",
        f"| Severity | {incident.severity.value} |",
        f"| Status | {incident.status.value} |",
        f"| Service | {_cell(incident.service_name)} |",
        f"| Owner | {_cell(incident.assignee_name or 'Unassigned')} |",
        "",
        "## Impact",
        "",
        *([incident.impact.strip(), ""] if incident.impact.strip() else []),
        f"A {incident.severity.value} incident on **{incident.service_name}**, open for "
        f"{_between(incident.resolved_at, incident.created_at)} until resolved"
        f" (SLA outcome: {outcome}).",
        "",
        "## Key events",
        "",
        *key_events(events),
        "",
        "## Key times",
        "",
        "| Milestone | Time |",
        "|---|---|",
        f"| Created | {stamp(incident.created_at)} |",
        f"| Acknowledged | {stamp(incident.acknowledged_at)} |",
        f"| Mitigated | {stamp(incident.mitigated_at)} |",
        f"| Resolved | {stamp(incident.resolved_at)} |",
        f"| Closed | {stamp(incident.closed_at)} |",
        "",
        f"- Time to acknowledge: {_between(incident.acknowledged_at, incident.created_at)}",
        f"- Time to mitigate: {_between(incident.mitigated_at, incident.created_at)}",
        f"- Time to resolve: {_between(incident.resolved_at, incident.created_at)}",
        "",
        "## SLA",
        "",
        (f"Clocks ran in business hours: **{_cell(calendar.name)} ({calendar.timezone})**; "
         "allowed and taken times are business time." if calendar else "Clocks ran 24x7."),
        "",
        "| Target | Allowed | Due | Taken (business time) | Outcome |",
        "|---|---|---|---|---|",
        f"| Acknowledge | {duration(target.ack_minutes * 60) if target else 'n/a'} | "
        f"{stamp(s.ack_due_at)} | {_business_taken(calendar, incident, incident.acknowledged_at, events)} | "
        f"{_outcome(s.ack_breached, incident.acknowledged_at)} |",
        f"| Resolve | {duration(target.resolve_minutes * 60) if target else 'n/a'} | "
        f"{stamp(s.resolve_due_at)} | {_business_taken(calendar, incident, incident.resolved_at, events)} | "
        f"{_outcome(s.resolve_breached, incident.resolved_at)} |",
        "",
        f"Overall SLA outcome: **{outcome}**.",
        "",
        "## Paused time",
        "",
        *paused_time(events, calendar),
        "",
        "## Runbook steps applied",
        "",
    ]
    steps = [e for e in events if e.type == "runbook_step"]
    lines += [f"- {stamp(e.created_at)}: {e.body} — {e.created_by_name or 'system'}" for e in steps]
    lines += ["_None._"] if not steps else []
    lines += ["", "## Timeline", "", "| Time | Who | Type | Event |", "|---|---|---|---|"]
    lines += [
        f"| {stamp(e.created_at)} | {_cell(e.created_by_name or 'system')} | {e.type} | {_cell(e.body)} |"
        for e in events
    ]
    lines += ["", "## Root cause analysis", ""]
    for name in RCA_FIELDS:
        text = (getattr(rca, name) or "").strip() if rca else ""
        lines += [f"### {SECTION_TITLES[name]}", "", text or "_Not yet written._", ""]
    lines += ["## Follow-ups", "", *follow_ups(items or []), ""]
    lines += [f"_Report generated {stamp(utcnow())} by the Incident Console._", ""]
    return "\n".join(lines)


async def post_incident_report(db: Database, incident_id: int) -> tuple[str, str]:
    """(file name, Markdown) for the incident's post-incident report."""
    async with db.read() as session:
        now = utcnow()
        detail = await incident_detail(SessionReader(session), incident_id, now)
        service = await session.get(Service, detail["service_id"])
        items = await items_of(session, incident_id, now.date())
        calendar_id = detail["sla"]["calendar_id"]
        stored = await session.get(BusinessCalendar, calendar_id) if calendar_id else None
    incident = IncidentRead.model_validate(detail)
    events = [EventRead.model_validate(e) for e in detail["events"]]
    rca = RcaRead.model_validate(detail["rca"]) if detail["rca"] else None
    target = None
    if service is not None:
        target = sla.parse_policy(service.sla_policy).get(incident.severity)
    calendar = (ReportCalendar(stored.name, stored.timezone, as_calendar(stored))
                if stored is not None else None)
    return f"INC-{incident.id}-post-incident-report.md", render(incident, events, rca, target, items, calendar)
