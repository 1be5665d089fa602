"""The webhook bodies monitoring tools send, as their own documentation defines them.

Webhook models accept fields they do not know (senders add fields over time); the generic
shape, which we define, refuses them like every other request body of this API.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.schemas.common import WHOLE, Input, IsoDateTime, LongText, Name, Output, Title

MAX_BATCH = 1000
Fingerprint = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Url = Annotated[str, StringConstraints(max_length=2000)]


class Webhook(BaseModel):
    model_config = ConfigDict(extra="allow")


class AlertmanagerAlert(Webhook):
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: IsoDateTime | None = None
    endsAt: IsoDateTime | None = Field(default=None, description="0001-01-01T00:00:00Z: no end")
    generatorURL: Url | None = None
    fingerprint: Fingerprint | None = None


class PrometheusStyleWebhook(Webhook):
    """What Alertmanager and Grafana webhooks share."""

    groupKey: Annotated[str, StringConstraints(max_length=1000)] | None = None
    truncatedAlerts: Annotated[int, Field(ge=0, le=MAX_BATCH * 1000), *WHOLE] = 0
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str | None = None


class AlertmanagerWebhook(PrometheusStyleWebhook):
    """Prometheus Alertmanager's webhook (`version` "4")."""

    version: str = "4"
    alerts: Annotated[list[AlertmanagerAlert], Field(max_length=MAX_BATCH)]


class GrafanaAlert(AlertmanagerAlert):
    silenceURL: Url | None = None
    dashboardURL: Url | None = None
    panelURL: Url | None = None
    values: dict[str, Any] | None = None
    valueString: str | None = None


class GrafanaWebhook(PrometheusStyleWebhook):
    """Grafana alerting's webhook contact point (`version` "1")."""

    version: str = "1"
    orgId: Annotated[int, Field(ge=0, le=2**63 - 1), *WHOLE] | None = None
    title: str | None = None
    state: str | None = None
    message: str | None = None
    alerts: Annotated[list[GrafanaAlert], Field(max_length=MAX_BATCH)]


class PagerDutyPayload(Webhook):
    summary: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: IsoDateTime | None = None
    component: str | None = None
    group: str | None = Field(default=None, description="Names our service when no key does")
    class_: str | None = Field(default=None, alias="class")
    custom_details: dict[str, Any] | str | None = None


class PagerDutyLink(Webhook):
    href: Url
    text: str | None = None


class PagerDutyEvent(Webhook):
    """PagerDuty Events API v2 (`/v2/enqueue`)."""

    routing_key: str | None = Field(default=None, description="An integration key")
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: Fingerprint | None = None
    payload: PagerDutyPayload | None = None
    links: list[PagerDutyLink] = Field(default_factory=list)
    images: list[dict[str, Any]] = Field(default_factory=list)
    client: str | None = None
    client_url: Url | None = None

    @model_validator(mode="after")
    def _trigger_has_payload(self) -> "PagerDutyEvent":
        if self.event_action == "trigger" and self.payload is None:
            raise ValueError("a trigger event needs a payload")
        return self


class PagerDutyAccepted(Output):
    status: Literal["success"] = "success"
    message: str = "Event processed"
    dedup_key: str


class GenericAlert(Input):
    """One alert from a script or curl; `status: resolved` resolves it."""

    title: Title
    severity: Annotated[str, StringConstraints(max_length=16)] = Field(
        default="SEV3", description="SEV1..SEV4 or critical / error / warning / info (else SEV3)"
    )
    service: Name = Field(description="A service name; an integration key implies its own")
    dedup_key: Fingerprint | None = Field(
        default=None, description="Repeats attach; defaults to a hash of service and title"
    )
    description: LongText = ""
    source_url: Url | None = None
    status: Literal["firing", "resolved"] = "firing"


GenericAlerts = GenericAlert | Annotated[list[GenericAlert], Field(min_length=1, max_length=MAX_BATCH)]


class IntakeOutcome(Output):
    fingerprint: str
    alert_id: int | None
    incident_id: int | None
    status: str | None
    outcome: Literal["created", "attached", "repeated", "refired", "acknowledged", "resolved",
                     "ignored"] = Field(
        description="created: opened an incident; attached: new alert on an open incident; "
        "repeated: already firing; refired: firing again after resolving; ignored: unknown key"
    )


class IntakeResult(Output):
    created_incident_ids: list[int]
    attached_incident_ids: list[int]
    alerts: list[IntakeOutcome]


AnswerMode = Literal["detailed", "summary"]


class IntakeCounts(Output):
    """How many of the delivery's alerts had each outcome (the `outcome` values of the
    detailed answer; copies of one alert in a delivery count each)."""

    created: int
    attached: int
    repeated: int
    refired: int
    acknowledged: int
    resolved: int
    ignored: int


class IntakeSummary(Output):
    """The answer to `?answer=summary`: counts only, no per-alert list. The delivery is
    applied exactly as with the detailed answer (the same rows, deduplication, timeline
    events, audit chain, live updates and notifications). A delivery is applied whole or
    refused whole (4xx, nothing written), so a 200 holds no per-alert errors: an acknowledge
    or resolve naming no known alert is counted as `ignored`."""

    received: int = Field(description="Alerts in the delivery, every action")
    new_alerts: int = Field(description="Triggers stored as a new alert")
    deduplicated: int = Field(
        description="Triggers that matched a stored alert, or an earlier copy in this delivery "
        "(counted on that alert: no new row)")
    incidents_opened: int
    incidents_attached: int = Field(description="Incidents the delivery's alerts belong to that it did not open")
    outcomes: IntakeCounts
