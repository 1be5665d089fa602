"""Business-hours calendars, the SLA preview, and pausing an incident's SLA clock."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints, field_validator

from app.domain import business_hours
from app.schemas.common import Input, Name, Output

HHMM_PATTERN = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
HhMm = Annotated[str, StringConstraints(pattern=HHMM_PATTERN)]
Interval = Annotated[list[HhMm], Field(min_length=2, max_length=2, description="[start, end) as HH:MM")]
DayHours = Annotated[list[Interval], Field(max_length=business_hours.MAX_INTERVALS_A_DAY)]
Weekday = Annotated[str, Field(pattern="^(mon|tue|wed|thu|fri|sat|sun)$")]
HOURS_DESCRIPTION = (
    "Working hours per weekday (mon..sun; left out: none) as [start, end) pairs of local "
    "HH:MM, several a day for split days, end up to 24:00; at least one in the week")
Hours = Annotated[dict[Weekday, DayHours], Field(
    description=HOURS_DESCRIPTION, examples=[{"mon": [["09:00", "12:30"], ["13:30", "17:00"]]}],
    json_schema_extra={"propertyNames": {"enum": list(business_hours.WEEKDAYS)}, "minProperties": 1})]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Holidays = Annotated[list[IsoDate], Field(
    max_length=business_hours.MAX_HOLIDAYS, description="Local dates (YYYY-MM-DD) with no hours")]
TimeZone = Annotated[str, Field(min_length=1, max_length=64, examples=["Europe/Berlin"],
                                description="An IANA time zone")]


def _zone(value: str | None) -> str | None:
    return None if value is None else business_hours.parse_timezone(value)


def _hours(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return business_hours.hours_to_json(business_hours.parse_hours(value))


def _holidays(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    return sorted(d.isoformat() for d in business_hours.parse_holidays(value))


class CalendarCreate(Input):
    name: Name
    timezone: TimeZone
    hours: Hours
    holidays: Holidays = []

    _check_zone = field_validator("timezone")(_zone)
    _check_hours = field_validator("hours")(_hours)
    _check_holidays = field_validator("holidays")(_holidays)


class CalendarUpdate(Input):
    name: Name | None = None
    timezone: TimeZone | None = None
    hours: Hours | None = None
    holidays: Holidays | None = None

    _check_zone = field_validator("timezone")(_zone)
    _check_hours = field_validator("hours")(_hours)
    _check_holidays = field_validator("holidays")(_holidays)


class CalendarRead(Output):
    id: int
    name: str
    timezone: str
    hours: dict[str, list[list[str]]]
    holidays: list[str]
    created_at: AwareDatetime
    updated_at: AwareDatetime
    used_by: list[str] = Field(description="Where SLA policies use it: `<service> <severity>`")


class SlaPreview(Output):
    ack_due_at: datetime
    resolve_due_at: datetime
    ack_at_risk_at: datetime
    resolve_at_risk_at: datetime
    calendar_id: int | None = Field(description="The calendar the times were counted in; null: 24x7")
    ack_minutes: int
    resolve_minutes: int


PauseReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class SlaPause(Input):
    reason: PauseReason = Field(description="Why the clock stops, e.g. waiting on a vendor")
