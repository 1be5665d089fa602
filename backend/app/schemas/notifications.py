"""Notification channels (webhook, Slack, Teams) and their deliveries."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.domain.severity import Severity
from app.schemas.common import HTTP_URL, NOT_IN_URL, Id, Input, Name, Output, described

ChannelKind = Literal["webhook", "slack", "teams"]
NotificationEvent = Literal[
    "incident.created", "incident.status_changed", "incident.severity_changed",
    "sla.at_risk", "sla.breached", "incident.escalated",
]
DeliveryStatus = Literal["pending", "delivered", "failed"]
ChannelUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                               pattern=described(rf"^[Hh][Tt][Tt][Pp][Ss]?://[^{NOT_IN_URL}]+$",
                                                                 HTTP_URL))]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=500)]
EVENTS_DOC = ("What the channel hears. `incident.escalated` reaches a channel through a service's "
              "escalation policy whatever is listed here.")


class NotificationChannelCreate(Input):
    name: Name
    kind: ChannelKind
    url: ChannelUrl = Field(description="http(s) URL the deliveries are POSTed to; for Slack an "
                            "incoming webhook, for Teams a Workflows webhook URL")
    secret: Secret | None = Field(default=None, description="Signs each body: "
                                  "X-Incident-Console-Signature: sha256=<hex HMAC-SHA256>. Never shown again.")
    events: list[NotificationEvent] = Field(default_factory=list, max_length=6, description=EVENTS_DOC)
    min_severity: Severity | None = Field(default=None, description="Only incidents at least this "
                                          "severe (SEV1 is the most severe); unset: all")
    service_ids: list[Id] = Field(default_factory=list, max_length=500,
                                  description="Only incidents of these services; empty: all")


class NotificationChannelUpdate(Input):
    """Only the fields given change; `secret: null` removes the secret."""

    name: Name | None = None
    url: ChannelUrl | None = None
    secret: Secret | None = None
    events: list[NotificationEvent] | None = Field(default=None, max_length=6)
    min_severity: Severity | None = None
    service_ids: list[Id] | None = Field(default=None, max_length=500)


class NotificationChannelRead(Output):
    id: int
    name: str
    kind: ChannelKind
    url: str = Field(description="A webhook's whole URL; for Slack and Teams (whose URLs are "
                     "credentials) only the scheme and host, e.g. https://hooks.slack.com/…")
    events: list[NotificationEvent]
    min_severity: Severity | None
    service_ids: list[int]
    has_secret: bool
    failing_since: datetime | None = Field(description="Deliveries have failed in a row since then")
    paused_until: datetime | None = Field(description="A channel that keeps failing rests until then")
    created_at: datetime


class DeliveryRead(Output):
    id: str = Field(description="The delivery id: X-Incident-Console-Delivery on every attempt")
    event: str = Field(description="The notification event, or `test`")
    incident_id: int | None
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending only)")
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(Output):
    items: list[DeliveryRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for older deliveries")
