"""The live stream's single-use ticket."""

from pydantic import Field

from app.schemas.common import Output


class StreamTicketRead(Output):
    ticket: str = Field(description="Open `GET /stream?ticket=...` with it once, within `expires_in` seconds")
    expires_in: int
