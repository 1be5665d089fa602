"""Integration keys: what an admin asks for, the key shown once, and the list without keys."""

from pydantic import AwareDatetime, Field

from app.schemas.common import Input, Name, Output


class IntegrationKeyCreate(Input):
    name: Name = "default"


class IntegrationKeyCreated(Output):
    id: int
    name: str
    key: str = Field(description="Shown this once; send as `Authorization: Bearer` or routing_key")
    created_at: AwareDatetime


class IntegrationKeyRead(Output):
    id: int
    service_id: int
    name: str
    key_last4: str
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None
