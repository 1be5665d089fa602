"""Business-hours calendars: when an SLA clock runs, and how far it runs between two moments.

A calendar is a time zone, weekly working hours (per weekday, [start, end) intervals of local
wall-clock time, several a day for split days) and holidays (local dates with no hours). An
instant is business time when its local wall-clock time, in the calendar's zone, falls in one
of its weekday's intervals and its local date is not a holiday. That is the whole definition:
across a daylight-saving change a working hour that never happens on the wall (spring forward)
counts nothing, and one the wall shows twice (fall back) counts twice. `None` as the calendar
means 24x7: every instant counts.

Computed exactly, not by walking minutes: the instants are cut into stretches of one UTC
offset, within which wall-clock time is the instant plus that offset, so each interval maps to
one range of instants per stretch.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from app.domain.errors import DomainError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_A_DAY = 24 * 60
MAX_INTERVALS_A_DAY = 12
MAX_HOLIDAYS = 1000
HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


class InvalidCalendar(DomainError, ValueError):
    """A calendar whose zone, hours or holidays cannot be used; `field` names the part."""

    code = "invalid_calendar"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field)
        self.field = field


@dataclass(frozen=True)
class Calendar:
    """`hours[weekday]` (Monday = 0) holds sorted, disjoint (start, end) minutes of the local
    day, end up to 1440 (midnight at its end)."""

    timezone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_timezone(name: object) -> str:
    if not isinstance(name, str) or name not in known_timezones():
        raise InvalidCalendar(f"timezone {name!r} is not an IANA time zone such as Europe/Berlin",
                              field="timezone")
    return name


def _minutes(text: object, field: str) -> int:
    if not isinstance(text, str) or not HHMM.fullmatch(text):
        raise InvalidCalendar(f"{field}: {text!r} is not a time of day as HH:MM (00:00 to 24:00)",
                              field=field)
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_hours(raw: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Weekly hours from `{"mon": [["09:00", "12:00"], ["13:00", "17:00"]], ...}`: weekdays
    left out have no hours; at least one interval in the week."""
    if not isinstance(raw, Mapping):
        raise InvalidCalendar("hours must map weekdays (mon..sun) to lists of [start, end]",
                              field="hours")
    for name in raw:
        if name not in WEEKDAYS:
            raise InvalidCalendar(f"hours: {name!r} is not a weekday (mon, tue, wed, thu, fri, "
                                  "sat, sun)", field=f"hours.{name}")
    week: list[tuple[tuple[int, int], ...]] = []
    for name in WEEKDAYS:
        intervals = raw.get(name) or []
        if not isinstance(intervals, Sequence) or isinstance(intervals, str) \
                or len(intervals) > MAX_INTERVALS_A_DAY:
            raise InvalidCalendar(f"hours.{name} must be a list of at most "
                                  f"{MAX_INTERVALS_A_DAY} [start, end] pairs", field=f"hours.{name}")
        day: list[tuple[int, int]] = []
        for i, pair in enumerate(intervals):
            field = f"hours.{name}[{i}]"
            if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
                raise InvalidCalendar(f"{field} must be a [start, end] pair", field=field)
            start, end = _minutes(pair[0], field), _minutes(pair[1], field)
            if start == MINUTES_A_DAY or end <= start:
                raise InvalidCalendar(f"{field}: the end must be later than the start", field=field)
            day.append((start, end))
        day.sort()
        for i in range(1, len(day)):
            if day[i][0] < day[i - 1][1]:
                raise InvalidCalendar(f"hours.{name}: intervals overlap", field=f"hours.{name}")
        week.append(tuple(day))
    if not any(week):
        raise InvalidCalendar("hours: a calendar needs working hours on at least one day",
                              field="hours")
    return tuple(week)


def parse_holidays(raw: object) -> frozenset[date]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) > MAX_HOLIDAYS:
        raise InvalidCalendar(f"holidays must be a list of at most {MAX_HOLIDAYS} dates",
                              field="holidays")
    days = set()
    for i, text in enumerate(raw):
        try:
            if not isinstance(text, str) or not ISO_DATE.fullmatch(text):
                raise ValueError
            days.add(date.fromisoformat(text))
        except ValueError:
            raise InvalidCalendar(f"holidays[{i}]: {text!r} is not a date as YYYY-MM-DD",
                                  field=f"holidays[{i}]") from None
    return frozenset(days)


def parse_calendar(timezone: object, hours: object, holidays: object = ()) -> Calendar:
    return Calendar(parse_timezone(timezone), parse_hours(hours), parse_holidays(holidays))


def hours_to_json(hours: tuple[tuple[tuple[int, int], ...], ...]) -> dict[str, list[list[str]]]:
    def hhmm(m: int) -> str:
        return f"{m // 60:02d}:{m % 60:02d}"

    return {name: [[hhmm(s), hhmm(e)] for s, e in day] for name, day in zip(WEEKDAYS, hours, strict=True)
            if day}


def calendar_from_json(timezone: str, hours: Mapping[str, Any], holidays: Sequence[str]) -> Calendar:
    """A stored calendar (validated when it was saved)."""
    return parse_calendar(timezone, hours, holidays)


# --- the clock -----------------------------------------------------------------------------


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _stretches(zone: ZoneInfo, start: datetime) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """From `start` on, consecutive [from, to) ranges of instants (UTC) with one UTC offset each,
    a day or less long. A change of offset inside a day is found to the second."""
    t = start
    while True:
        end = t + DAY
        offset = _offset(zone, t)
        if _offset(zone, end - SECOND) != offset:
            low, high = 0, int((end - t) / SECOND) - 1  # offset(t+low) == offset, (t+high) differs
            while high - low > 1:
                mid = (low + high) // 2
                if _offset(zone, t + mid * SECOND) == offset:
                    low = mid
                else:
                    high = mid
            end = t + high * SECOND
        yield t, end, offset
        t = end


def _pieces(cal: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The business time from `start` on, as ordered, disjoint [from, to) ranges of instants."""
    start = start.astimezone(UTC)
    zone = cal.zone
    for lo, hi, offset in _stretches(zone, start):
        wall_lo, wall_hi = (lo + offset).replace(tzinfo=None), (hi + offset).replace(tzinfo=None)
        day = wall_lo.date()
        while datetime.combine(day, time()) < wall_hi:
            if day not in cal.holidays:
                midnight = datetime.combine(day, time())
                for s, e in cal.hours[day.weekday()]:
                    a = max(midnight + timedelta(minutes=s), wall_lo)
                    b = min(midnight + timedelta(minutes=e), wall_hi)
                    if a < b:
                        yield (a - offset).replace(tzinfo=UTC), (b - offset).replace(tzinfo=UTC)
            day += DAY


def add_business_time(cal: Calendar | None, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of business time after `start` have passed (the end of the last
    one). 24x7 without a calendar. Raises OverflowError past the year 9999."""
    if cal is None or seconds <= 0:
        return start + timedelta(seconds=max(seconds, 0))
    left = timedelta(seconds=seconds)
    for a, b in _pieces(cal, start):
        if b - a >= left:
            return (a + left).astimezone(start.tzinfo)
        left -= b - a
    raise AssertionError("unreachable: business time never ends")


def business_seconds_between(cal: Calendar | None, a: datetime, b: datetime) -> float:
    """Business seconds in [a, b); 0 when b is not after a."""
    if b <= a:
        return 0.0
    if cal is None:
        return (b - a).total_seconds()
    total = timedelta()
    for lo, hi in _pieces(cal, a):
        if lo >= b:
            break
        total += min(hi, b) - lo
    return total.total_seconds()
