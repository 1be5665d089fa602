"""Incidents: intake, triage edits, transitions, and how an incident reads."""

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field, StrictBool

from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.domain.sla import SlaState
from app.schemas.common import Count, Id, Input, LongText, Output, RequiredText, Title


class IncidentCreate(Input):
    title: Title
    description: LongText = ""
    impact: LongText = Field(default="", description="Who is affected and how, in plain words")
    severity: Severity
    service_id: Id
    assignee_id: Id | None = None


class IncidentUpdate(Input):
    """Triage edits. Only the fields sent are changed; `assignee_id: null` unassigns."""

    title: Title | None = None
    description: LongText | None = None
    impact: LongText | None = None
    severity: Severity | None = None
    assignee_id: Id | None = None
    version: Count | None = Field(default=None, json_schema_extra={"deprecated": True}, description=(
        "Refuse with 409 unless current. Deprecated: send the version as If-Match"))


class TransitionRequest(Input):
    status: Status
    note: LongText | None = None
    version: Count | None = Field(default=None, json_schema_extra={"deprecated": True}, description=(
        "Refuse with 409 unless current. Deprecated: send the version as If-Match"))


class SlaRead(Output):
    ack_due_at: AwareDatetime
    resolve_due_at: AwareDatetime
    ack_breached: bool
    resolve_breached: bool
    breached: bool
    state: SlaState
    next_due_at: AwareDatetime | None = Field(
        description="The earliest target still pending and not yet due; null when none is"
    )
    calendar_id: int | None = Field(
        description="The business-hours calendar the due times are counted in; null: 24x7")
    paused_at: AwareDatetime | None = Field(description="Since when the clock is paused; null: running")
    paused_reason: str | None = Field(description="Why it is paused; null: running")
    paused_seconds: int = Field(description="Wall-clock seconds of the pauses that have ended")


class IncidentRead(Output):
    id: int
    title: str
    description: str
    impact: str
    severity: Severity
    status: Status
    service_id: int
    service_name: str
    assignee_id: int | None
    assignee_name: str | None
    created_at: AwareDatetime
    acknowledged_at: AwareDatetime | None
    mitigated_at: AwareDatetime | None
    resolved_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    version: int
    allowed_transitions: list[Status]
    close_blockers: list[str]
    sla: SlaRead


class EventRead(Output):
    id: int
    incident_id: int
    type: EventType
    body: str
    data: dict[str, Any]
    created_by: int | None
    created_by_name: str | None
    created_by_token_id: int | None = Field(
        description="The API token its author wrote it with, if not in person")
    created_by_token_name: str | None = Field(description="That token's name")
    created_at: AwareDatetime
    starred: bool = Field(description="Marked as a key event (the report's Key events)")
    starred_by: int | None
    starred_by_name: str | None
    starred_at: AwareDatetime | None


class RcaWrite(Input):
    root_cause: LongText = ""
    contributing_factors: LongText = ""
    corrective_actions: LongText = ""
    prevention_actions: LongText = ""


class RcaRead(Output):
    incident_id: int
    root_cause: str
    contributing_factors: str
    corrective_actions: str
    prevention_actions: str
    updated_at: AwareDatetime
    updated_by: int | None
    missing_fields: list[str]


class RunbookStepState(Output):
    """Where one runbook step stands on this incident, read off its `runbook_step` events."""

    runbook_id: int
    step_index: int
    done: bool = Field(description=(
        "Applied at least once (an action), or ticked and not unticked since (a manual check)"))
    times: int = Field(description="How many times it was applied or ticked")
    by: int | None = Field(description="Who last applied, ticked or unticked it")
    by_name: str | None
    at: AwareDatetime = Field(description="When it was last applied, ticked or unticked")


class IncidentDetail(IncidentRead):
    events: list[EventRead]
    rca: RcaRead | None
    runbook_steps: list[RunbookStepState] = Field(description=(
        "The runbook steps applied or ticked on this incident, by runbook and step"))


class IncidentSort(StrEnum):
    """Orders of `GET /incidents`; the server orders the whole result set, page after page."""

    NEWEST = "newest"  # created_at, newest first
    URGENCY = "urgency"  # open and breached, other open, the rest; then due, severity, oldest
    SEVERITY = "severity"  # SEV1 first, then newest
    DUE = "due"  # earliest sla.next_due_at first (none last), then newest


class IncidentPage(Output):
    items: list[IncidentRead]
    next_cursor: str | None
    total: int = Field(description=(
        "How many incidents match the filters. Exact whenever at most 10,000 match (the count "
        "stops there, so it stays cheap at any history size); above that, PostgreSQL's planner "
        "estimate, never below 10,001 (SQLite counts exactly). Counted once, for the first "
        "page: pages fetched with `cursor` repeat the first page's figure."))
    total_exact: bool = Field(description=(
        "False when `total` is the planner's estimate: show it as approximate (\"about 11,300\")"))


class CommentCreate(Input):
    body: RequiredText


class RunbookStepApply(Input):
    runbook_id: Id
    step_index: Count
    note: LongText | None = None
    done: StrictBool = Field(default=True, description=(
        "false unticks a manual step that is ticked; an action step is only ever applied"))
    confirmed: StrictBool = Field(default=False, description=(
        "Must be true to apply a destructive step: the person confirmed it"))
