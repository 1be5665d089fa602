"""Services with their SLA policies, and runbooks with their ordered steps."""

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, StrictBool, field_validator

from app.domain.severity import Severity
from app.domain.sla import parse_policy, policy_to_json
from app.schemas.common import WHOLE, Id, Input, LongText, Name, Output, Title


class SlaTarget(Input):
    ack_minutes: int = Field(gt=0, le=525_600)
    resolve_minutes: int = Field(gt=0, le=525_600)
    calendar_id: Id | None = Field(default=None, description=(
        "A business-hours calendar (GET /calendars): the clocks run only in its hours; "
        "null or absent: 24x7"))


SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]
# One target per severity, all four: what `parse_policy` requires, said in the schema too.
SlaPolicy = Annotated[dict[str, SlaTarget], Field(json_schema_extra={
    "required": SEVERITIES, "propertyNames": {"enum": SEVERITIES}})]


def _validated_policy(value: SlaPolicy | None) -> SlaPolicy | None:
    if value is None:
        return None
    raw = {sev: target.model_dump(exclude_none=True) for sev, target in value.items()}
    normalised = policy_to_json(parse_policy(raw))
    return {sev: SlaTarget(**t) for sev, t in normalised.items()}


MAX_ESCALATION_STEPS = 10
MAX_ESCALATION_MINUTES = 10_080  # a week


class EscalationStep(Input):
    after_minutes: Annotated[int, *WHOLE] = Field(ge=1, le=MAX_ESCALATION_MINUTES, description=(
        "Minutes after the incident opened; it escalates if still New by then"))
    channel_ids: list[Id] = Field(min_length=1, max_length=50, json_schema_extra={"uniqueItems": True},
                                  description=(
        "Notification channels told (`incident.escalated`), whatever events they subscribe to"))


def _validated_escalation(value: list[EscalationStep] | None) -> list[EscalationStep] | None:
    if value is None:
        return None
    minutes = [step.after_minutes for step in value]
    if any(later <= earlier for earlier, later in pairwise(minutes)):
        raise ValueError("each step's after_minutes must be greater than the step before it")
    for step in value:
        if len(set(step.channel_ids)) != len(step.channel_ids):
            raise ValueError("a step names each channel once")
    return value


ESCALATION_DESCRIPTION = (
    "Steps for an incident not acknowledged: once it has been New for a step's after_minutes, "
    "that step's channels hear `incident.escalated` (once per step). At most "
    f"{MAX_ESCALATION_STEPS} steps, after_minutes strictly increasing; [] for none.")
EscalationPolicy = Annotated[list[EscalationStep], Field(
    max_length=MAX_ESCALATION_STEPS, description=ESCALATION_DESCRIPTION)]


CLOSE_REQUIRES_DESCRIPTION = (
    "Severities whose incidents close only with at least one follow-up (action item) that has "
    "an owner and a due date; otherwise closing is refused (409 closure_blocked, "
    "close_blockers naming `action_items`). [] for none.")


def _distinct_severities(value: list[Severity] | None) -> list[Severity] | None:
    if value is not None and len(set(value)) != len(value):
        raise ValueError("each severity is named once")
    return None if value is None else sorted(value)


CloseRequires = Annotated[list[Severity], Field(
    max_length=len(SEVERITIES), json_schema_extra={"uniqueItems": True},
    description=CLOSE_REQUIRES_DESCRIPTION)]


class ServiceCreate(Input):
    name: Name
    owner_team: Name
    sla_policy: SlaPolicy = Field(
        examples=[
            {
                "SEV1": {"ack_minutes": 5, "resolve_minutes": 60},
                "SEV2": {"ack_minutes": 15, "resolve_minutes": 240},
                "SEV3": {"ack_minutes": 60, "resolve_minutes": 1440},
                "SEV4": {"ack_minutes": 240, "resolve_minutes": 4320},
            }
        ]
    )
    close_requires_action_items: CloseRequires = Field(default_factory=list)

    _check_policy = field_validator("sla_policy")(_validated_policy)
    _check_close = field_validator("close_requires_action_items")(_distinct_severities)


class ServiceUpdate(Input):
    name: Name | None = None
    owner_team: Name | None = None
    sla_policy: SlaPolicy | None = None
    escalation_policy: EscalationPolicy | None = None
    close_requires_action_items: CloseRequires | None = None

    _check_policy = field_validator("sla_policy")(_validated_policy)
    _check_close = field_validator("close_requires_action_items")(_distinct_severities)
    _check_escalation = field_validator("escalation_policy")(_validated_escalation)


class EscalationStepRead(Output):
    after_minutes: int
    channel_ids: list[int]


class ServiceRead(Output):
    id: int
    name: str
    owner_team: str
    sla_policy: dict[str, SlaTarget]
    escalation_policy: list[EscalationStepRead] = Field(description=ESCALATION_DESCRIPTION)
    close_requires_action_items: list[Severity] = Field(description=CLOSE_REQUIRES_DESCRIPTION)


# "action": something done to the system, logged each time it is applied; "manual": a check a
# person ticks (and may untick). Steps stored before kinds existed read as actions.
StepKind = Literal["action", "manual"]
KIND_DESCRIPTION = "action: applied (and logged) each time; manual: a check a person ticks or unticks"
DESTRUCTIVE_DESCRIPTION = "Applying it needs `confirmed: true`: the console asks first"


class RunbookStepIn(Input):
    title: Title
    detail: LongText = ""
    kind: StepKind = Field(default="action", description=KIND_DESCRIPTION)
    destructive: StrictBool = Field(default=False, description=DESTRUCTIVE_DESCRIPTION)


class RunbookStep(Output):
    index: int
    title: str
    detail: str
    kind: StepKind = Field(description=KIND_DESCRIPTION)
    destructive: bool = Field(description=DESTRUCTIVE_DESCRIPTION)


Steps = Annotated[list[RunbookStepIn], Field(min_length=1, max_length=100)]


class RunbookCreate(Input):
    service_id: Id
    title: Title
    steps: Steps


class RunbookUpdate(Input):
    title: Title | None = None
    steps: Steps | None = None


class RunbookRead(Output):
    id: int
    service_id: int
    title: str
    steps: list[RunbookStep]
