"""Alerts as the API shows them, and drills: what to generate and what came of it."""

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from app.domain.severity import Severity
from app.schemas.common import Input, Output


class GenerateRequest(Input):
    count: int = Field(default=5, ge=1, le=100)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="Same seed, same alerts")


class GeneratedAlert(Output):
    fingerprint: str
    summary: str
    severity: str
    service: str
    incident_id: int
    outcome: str = Field(description="'created' a new incident or 'attached' to an open one")


class GenerateResult(Output):
    seed: int
    created_incident_ids: list[int]
    attached_incident_ids: list[int]
    alerts: list[GeneratedAlert]


class AlertRead(Output):
    id: int
    source: str
    fingerprint: str
    status: Literal["firing", "acknowledged", "resolved"]
    severity: Severity
    summary: str
    description: str
    labels: dict[str, Any]
    source_url: str | None
    group_key: str | None
    service_id: int
    incident_id: int | None
    first_seen_at: AwareDatetime
    last_seen_at: AwareDatetime
    resolved_at: AwareDatetime | None
    count: int


class AlertPage(Output):
    items: list[AlertRead]
    next_cursor: str | None
