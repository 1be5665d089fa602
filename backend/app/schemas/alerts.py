"""Alert drills: what to generate and what came of it."""

from pydantic import Field

from app.schemas.common import Input, Output


class GenerateRequest(Input):
    count: int = Field(default=5, ge=1, le=100)
    seed: int | None = Field(default=None, description="Same seed, same alerts")


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
