"""Follow-ups (action items): adding, editing and completing them, and how they read."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints

from app.domain.action_items import ItemStatus, Kind
from app.domain.severity import Severity
from app.schemas.common import HTTP_URL, NOT_IN_URL, Id, Input, Output, Title, described

# A link to the team's ticket: http or https only (no javascript:, no file:), a host, no spaces
# or control characters.
TicketUrl = Annotated[str, StringConstraints(
    strip_whitespace=True, min_length=1, max_length=2000,
    pattern=described(rf"^https?://[^{NOT_IN_URL}/?#]+[^{NOT_IN_URL}]*$", HTTP_URL)),
    Field(description="Link to the team's ticket: an http(s) URL")]
# A calendar date as `YYYY-MM-DD` text only; a date in the past is accepted (simply overdue).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(value: Any) -> Any:
    """`YYYY-MM-DD` text only (pydantic alone also takes numbers as Unix times)."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date such as 2026-01-31")


DueDate = Annotated[date, BeforeValidator(_date_text), Field(description=(
    "YYYY-MM-DD; overdue once the UTC date is past it (a past date is accepted)"))]
OWNER_DESCRIPTION = "An active responder or admin (a viewer cannot own follow-ups)"


class ActionItemCreate(Input):
    title: Title
    kind: Kind
    owner_id: Id | None = Field(default=None, description=OWNER_DESCRIPTION)
    due_date: DueDate | None = None
    url: TicketUrl | None = None


class ActionItemUpdate(Input):
    """Only the fields sent change. `owner_id`, `due_date` and `url` sent as null clear them;
    `title`, `kind` and `status` sent as null leave them as they are. `status: done` completes
    the item (`completed_at` set), `status: open` reopens it. Items of a Closed incident can
    still be edited and completed: follow-ups outlive the incident."""

    title: Title | None = None
    kind: Kind | None = None
    owner_id: Id | None = Field(default=None, description=OWNER_DESCRIPTION)
    due_date: DueDate | None = None
    url: TicketUrl | None = None
    status: ItemStatus | None = None


class ActionItemRead(Output):
    id: int
    incident_id: int
    incident_title: str
    incident_severity: Severity
    title: str
    kind: Kind
    owner_id: int | None
    owner_name: str | None
    due_date: date | None
    url: str | None
    status: ItemStatus
    overdue: bool = Field(description="Open and past its due date (UTC date)")
    created_at: AwareDatetime
    completed_at: AwareDatetime | None
    created_by: int | None
    created_by_name: str | None


class ActionItemPage(Output):
    items: list[ActionItemRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")
