"""What verifying an incident's timeline hash chain found."""

from pydantic import Field

from app.schemas.common import Output


class AuditReport(Output):
    incident_id: int
    verified: bool = Field(description="Every event's hash recomputes and links to the one before")
    event_count: int
    head_hash: str = Field(description="Hash of the last event that verified (all zeros if none)")
    first_broken_event_id: int | None = Field(description="The first event whose link fails")
    reason: str | None
