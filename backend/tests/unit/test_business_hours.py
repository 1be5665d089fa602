"""Business-hours clocks: named cases across weekends, holidays, split days, starts outside
hours and daylight-saving changes, and properties against a brute-force minute-by-minute walk."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import sla
from app.domain.business_hours import (
    Calendar,
    InvalidCalendar,
    add_business_time,
    business_seconds_between,
    hours_to_json,
    parse_calendar,
)

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
HOUR = 3600


def cal(zone: str = "Europe/Berlin", hours: dict[str, list[list[str]]] | None = None,
        holidays: tuple[str, ...] = ()) -> Calendar:
    return parse_calendar(zone, OFFICE if hours is None else hours, list(holidays))


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[misc]


# --- named cases -----------------------------------------------------------------------------

def test_within_one_working_day() -> None:
    start = local(BERLIN, 2026, 11, 23, 10, 0)  # a Monday
    assert add_business_time(cal(), start, 2 * HOUR) == local(BERLIN, 2026, 11, 23, 12, 0)


def test_the_last_second_of_the_day_is_due_at_closing_not_next_morning() -> None:
    start = local(BERLIN, 2026, 11, 23, 9, 0)
    assert add_business_time(cal(), start, 8 * HOUR) == local(BERLIN, 2026, 11, 23, 17, 0)


def test_carries_over_the_night() -> None:
    start = local(BERLIN, 2026, 11, 23, 16, 0)
    assert add_business_time(cal(), start, 2 * HOUR) == local(BERLIN, 2026, 11, 24, 10, 0)


def test_friday_afternoon_runs_into_monday() -> None:
    start = local(BERLIN, 2026, 11, 27, 16, 30)  # Friday
    assert add_business_time(cal(), start, HOUR) == local(BERLIN, 2026, 11, 30, 9, 30)


def test_opened_on_a_saturday_starts_counting_on_monday_morning() -> None:
    start = local(BERLIN, 2026, 11, 28, 3, 17)
    assert add_business_time(cal(), start, 15 * 60) == local(BERLIN, 2026, 11, 30, 9, 15)


def test_opened_before_hours_starts_at_opening() -> None:
    start = local(BERLIN, 2026, 11, 24, 6, 0)
    assert add_business_time(cal(), start, 60) == local(BERLIN, 2026, 11, 24, 9, 1)


def test_opened_after_hours_starts_next_working_morning() -> None:
    start = local(BERLIN, 2026, 11, 24, 19, 0)
    assert add_business_time(cal(), start, HOUR) == local(BERLIN, 2026, 11, 25, 10, 0)


def test_holidays_are_skipped() -> None:
    christmas = cal(holidays=("2026-12-24", "2026-12-25"))
    start = local(BERLIN, 2026, 12, 23, 16, 0)  # Wednesday; Thu and Fri are holidays
    assert add_business_time(christmas, start, 2 * HOUR) == local(BERLIN, 2026, 12, 28, 10, 0)


def test_split_days_skip_the_lunch_break() -> None:
    split = cal(hours={"mon": [["13:00", "17:00"], ["09:00", "12:00"]]})
    start = local(BERLIN, 2026, 11, 23, 11, 0)
    assert add_business_time(split, start, 2 * HOUR) == local(BERLIN, 2026, 11, 23, 14, 0)
    assert business_seconds_between(split, start, local(BERLIN, 2026, 11, 23, 18, 0)) == 5 * HOUR


def test_midnight_spanning_hours_and_24_00() -> None:
    nights = cal("UTC", hours={"mon": [["22:00", "24:00"]], "tue": [["00:00", "02:00"]]})
    start = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    assert add_business_time(nights, start, 3 * HOUR) == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def test_berlin_spring_forward_gap_counts_only_the_hours_that_happen() -> None:
    # 29 March 2026: 02:00 -> 03:00 in Berlin; a Sunday shift 01:00-05:00 lasts three hours.
    night = cal(hours={"sun": [["01:00", "05:00"]]})
    start = local(BERLIN, 2026, 3, 29, 0, 0)
    assert business_seconds_between(night, start, start + timedelta(hours=12)) == 3 * HOUR
    assert add_business_time(night, start, 2 * HOUR) == local(BERLIN, 2026, 3, 29, 4, 0)


def test_berlin_fall_back_fold_counts_the_repeated_hour_twice() -> None:
    # 25 October 2026: 03:00 -> 02:00; 01:00-05:00 on the wall lasts five hours.
    night = cal(hours={"sun": [["01:00", "05:00"]]})
    start = local(BERLIN, 2026, 10, 25, 0, 0)
    assert business_seconds_between(night, start, start + timedelta(hours=12)) == 5 * HOUR
    # Three hours in: the second 02:00 (after the fold), not the first.
    assert add_business_time(night, start, 2 * HOUR) == local(BERLIN, 2026, 10, 25, 2, 0, fold=1)


def test_new_york_spring_forward_keeps_office_hours_on_the_wall() -> None:
    ny = cal("America/New_York", hours={"fri": [["09:00", "17:00"]], "mon": [["09:00", "17:00"]]})
    start = local(NEW_YORK, 2026, 3, 6, 16, 0)  # Friday before 8 March 2026 (clocks go forward)
    due = add_business_time(ny, start, 2 * HOUR)
    assert due == local(NEW_YORK, 2026, 3, 9, 10, 0)
    assert due - start == timedelta(days=2, hours=18) - timedelta(hours=1)  # one wall hour lost


def test_new_york_fall_back_keeps_office_hours_on_the_wall() -> None:
    ny = cal("America/New_York")
    start = local(NEW_YORK, 2026, 10, 30, 16, 0)  # Friday before 1 November 2026
    assert add_business_time(ny, start, 2 * HOUR) == local(NEW_YORK, 2026, 11, 2, 10, 0)


def test_no_calendar_is_24x7() -> None:
    start = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert add_business_time(None, start, 90) == start + timedelta(seconds=90)
    assert business_seconds_between(None, start, start + timedelta(hours=5)) == 5 * HOUR


def test_nothing_between_a_moment_and_an_earlier_one() -> None:
    start = local(BERLIN, 2026, 11, 23, 10, 0)
    assert business_seconds_between(cal(), start, start - timedelta(hours=1)) == 0


def test_deadlines_in_a_calendar_put_at_risk_at_75_percent_of_business_time() -> None:
    start = local(BERLIN, 2026, 11, 27, 16, 0)  # Friday 16:00
    d = sla.deadlines(start, sla.Target(ack_minutes=120, resolve_minutes=480), cal())
    assert d.ack_due_at == local(BERLIN, 2026, 11, 30, 10, 0)
    assert d.ack_at_risk_at == local(BERLIN, 2026, 11, 30, 9, 30)
    assert d.resolve_due_at == local(BERLIN, 2026, 11, 30, 16, 0)
    assert d.resolve_at_risk_at == local(BERLIN, 2026, 11, 30, 14, 0)


def test_a_resume_moves_pending_due_times_by_the_paused_business_time() -> None:
    start = local(BERLIN, 2026, 11, 23, 9, 0)
    d = sla.deadlines(start, sla.Target(60, 600), cal())  # resolve due Tue 11:00
    paused, resumed = local(BERLIN, 2026, 11, 23, 16, 0), local(BERLIN, 2026, 11, 24, 10, 0)
    after = sla.resumed(d, paused, resumed, cal(), ack_met=True, resolve_met=False)
    assert after.ack_due_at == d.ack_due_at  # met: stays
    # 3 business hours were left at the pause (16-17 Mon, 9-11 Tue): from Tue 10:00, due 13:00.
    assert after.resolve_due_at == local(BERLIN, 2026, 11, 24, 13, 0)


def test_a_resume_keeps_a_breach_that_happened_before_the_pause() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    d = sla.deadlines(start, sla.Target(10, 60))
    later = sla.resumed(d, start + timedelta(minutes=20), start + timedelta(minutes=50), None,
                        ack_met=False, resolve_met=False)
    assert later.ack_due_at == d.ack_due_at
    assert later.resolve_due_at == d.resolve_due_at + timedelta(minutes=30)


def test_paused_clock_judges_nothing_new_as_breached() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    d = sla.deadlines(start, sla.Target(10, 60))
    paused = start + timedelta(minutes=5)
    ack_b, res_b, breached, state, next_due = sla.judge(
        d.ack_due_at, d.resolve_due_at, d.ack_at_risk_at, d.resolve_at_risk_at, None, None,
        start + timedelta(days=3), paused)
    assert (ack_b, res_b, breached, state, next_due) == (False, False, False, sla.SlaState.PAUSED, None)


@pytest.mark.parametrize(("zone", "hours", "holidays", "field"), [
    ("Mars/Olympus", OFFICE, [], "timezone"),
    ("../etc/passwd", OFFICE, [], "timezone"),
    ("UTC", {"mon": [["9:00", "17:00"]]}, [], "hours.mon[0]"),
    ("UTC", {"mon": [["09:00", "25:00"]]}, [], "hours.mon[0]"),
    ("UTC", {"mon": [["17:00", "09:00"]]}, [], "hours.mon[0]"),
    ("UTC", {"mon": [["09:00", "09:00"]]}, [], "hours.mon[0]"),
    ("UTC", {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, [], "hours.mon"),
    ("UTC", {"funday": [["09:00", "17:00"]]}, [], "hours.funday"),
    ("UTC", {}, [], "hours"),
    ("UTC", {"mon": []}, [], "hours"),
    ("UTC", OFFICE, ["2026-02-30"], "holidays[0]"),
    ("UTC", OFFICE, ["2026-12-25", "25/12/2026"], "holidays[1]"),
])
def test_invalid_calendars_name_the_field(zone: str, hours: object, holidays: object, field: str) -> None:
    with pytest.raises(InvalidCalendar) as refused:
        parse_calendar(zone, hours, holidays)
    assert refused.value.field == field


def test_hours_round_trip_sorted_and_touching_intervals_allowed() -> None:
    c = parse_calendar("UTC", {"tue": [["13:00", "17:00"], ["09:00", "13:00"]], "sat": []})
    assert hours_to_json(c.hours) == {"tue": [["09:00", "13:00"], ["13:00", "17:00"]]}


# --- properties against a minute-by-minute walk ----------------------------------------------

def _is_business(c: Calendar, minute: datetime) -> bool:
    wall = minute.astimezone(c.zone)
    if wall.date() in c.holidays:
        return False
    m = wall.hour * 60 + wall.minute
    return any(s <= m < e for s, e in c.hours[wall.weekday()])


def walk_add(c: Calendar, start: datetime, minutes: int) -> datetime:
    t, left = start, minutes
    while True:
        if _is_business(c, t):
            left -= 1
            if left == 0:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)


def walk_between(c: Calendar, a: datetime, b: datetime) -> int:
    n, t = 0, a
    while t < b:
        n += _is_business(c, t)
        t += timedelta(minutes=1)
    return n


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    zone = draw(st.sampled_from(["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]))
    hours: dict[str, list[list[str]]] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        pairs = [(cuts[i] * 30, cuts[i + 1] * 30) for i in range(0, len(cuts) - 1, 2)]
        hours[day] = [[_hhmm(s), _hhmm(e)] for s, e in pairs if e > s]
    if not any(hours.values()):
        hours["wed"] = [["01:30", "03:30"]]  # a DST-sensitive stretch
    days = draw(st.lists(st.integers(0, 20), max_size=3))
    holidays = [(date(2026, 3, 20) + timedelta(days=d)).isoformat() for d in days]
    return parse_calendar(zone, hours, holidays)


# Around the March changes (Europe 29 March, US 8 March, Lord Howe's half hour on 5 April) and
# October/November ones, at whole minutes.
starts = st.builds(
    lambda base, minutes: base + timedelta(minutes=minutes),
    st.sampled_from([datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 3, 27, tzinfo=UTC),
                     datetime(2026, 10, 23, tzinfo=UTC), datetime(2026, 10, 30, tzinfo=UTC)]),
    st.integers(0, 4 * 24 * 60))


@settings(max_examples=60, deadline=None)
@given(calendars(), starts, st.integers(1, 600))
def test_add_business_time_matches_the_minute_walk(c: Calendar, start: datetime, minutes: int) -> None:
    assert add_business_time(c, start, minutes * 60) == walk_add(c, start, minutes)


@settings(max_examples=60, deadline=None)
@given(calendars(), starts, st.integers(0, 5 * 24 * 60))
def test_business_seconds_between_matches_the_minute_walk(c: Calendar, start: datetime, span: int) -> None:
    end = start + timedelta(minutes=span)
    assert business_seconds_between(c, start, end) == walk_between(c, start, end) * 60


@settings(max_examples=60, deadline=None)
@given(calendars(), starts, st.integers(1, 3000))
def test_adding_then_measuring_gives_the_business_time_back(c: Calendar, start: datetime,
                                                            minutes: int) -> None:
    due = add_business_time(c, start, minutes * 60)
    assert business_seconds_between(c, start, due) == minutes * 60
    assert _is_business(c, due - timedelta(minutes=1))
