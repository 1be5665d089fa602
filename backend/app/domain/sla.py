"""SLA policy per severity, due times, and the SLA state of an incident at a moment."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from app.domain.business_hours import Calendar, add_business_time, business_seconds_between
from app.domain.errors import DomainError
from app.domain.severity import Severity

AT_RISK_FRACTION = 0.75


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


@dataclass(frozen=True)
class Target:
    ack_minutes: int
    resolve_minutes: int
    # The business-hours calendar its clocks run in (domain/business_hours.py); None: 24x7.
    calendar_id: int | None = None


DEFAULT_POLICY: dict[Severity, Target] = {
    Severity.SEV1: Target(ack_minutes=5, resolve_minutes=60),
    Severity.SEV2: Target(ack_minutes=15, resolve_minutes=240),
    Severity.SEV3: Target(ack_minutes=60, resolve_minutes=1440),
    Severity.SEV4: Target(ack_minutes=240, resolve_minutes=4320),
}


class InvalidPolicy(DomainError, ValueError):
    """An SLA policy that names no targets for a severity, or impossible ones."""

    code = "invalid_sla_policy"


def parse_policy(raw: Mapping[str, Any]) -> dict[Severity, Target]:
    """Validate a stored or submitted policy: every severity, positive whole minutes,
    and an acknowledgement target no later than the resolution target; a `calendar_id`
    (optional) is a positive whole number (whether it names a calendar is the caller's check)."""
    policy: dict[Severity, Target] = {}
    for severity in Severity:
        entry = raw.get(severity.value)
        if not isinstance(entry, Mapping):
            raise InvalidPolicy(f"sla_policy needs targets for {severity.value}")
        ack, resolve = entry.get("ack_minutes"), entry.get("resolve_minutes")
        for name, value in (("ack_minutes", ack), ("resolve_minutes", resolve)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InvalidPolicy(f"{severity.value}.{name} must be a positive whole number")
        assert isinstance(ack, int) and isinstance(resolve, int)
        if ack > resolve:
            raise InvalidPolicy(f"{severity.value}.ack_minutes cannot exceed resolve_minutes")
        calendar_id = entry.get("calendar_id")
        if calendar_id is not None and (
                isinstance(calendar_id, bool) or not isinstance(calendar_id, int) or calendar_id <= 0):
            raise InvalidPolicy(f"{severity.value}.calendar_id must be a calendar's id or null")
        policy[severity] = Target(ack_minutes=ack, resolve_minutes=resolve, calendar_id=calendar_id)
    unknown = set(raw) - {s.value for s in Severity}
    if unknown:
        raise InvalidPolicy(f"sla_policy has unknown severities: {', '.join(sorted(unknown))}")
    return policy


def policy_to_json(policy: Mapping[Severity, Target]) -> dict[str, dict[str, int | None]]:
    """As stored: `calendar_id` only where a severity has one."""
    return {
        sev.value: {"ack_minutes": t.ack_minutes, "resolve_minutes": t.resolve_minutes,
                    **({"calendar_id": t.calendar_id} if t.calendar_id is not None else {})}
        for sev, t in policy.items()
    }


@dataclass(frozen=True)
class Deadlines:
    """When each target falls due, and when it turns at risk (75% of its window)."""

    ack_due_at: datetime
    resolve_due_at: datetime
    ack_at_risk_at: datetime
    resolve_at_risk_at: datetime


def deadlines(created_at: datetime, target: Target, calendar: Calendar | None = None) -> Deadlines:
    """All counted from the incident's creation, so a severity change recomputes them; with a
    calendar, in its business time (at risk: 75% of the business time used)."""

    def after(minutes: float) -> datetime:
        if calendar is None:
            return created_at + timedelta(minutes=minutes)
        return add_business_time(calendar, created_at, minutes * 60)

    return Deadlines(
        ack_due_at=after(target.ack_minutes),
        resolve_due_at=after(target.resolve_minutes),
        ack_at_risk_at=after(target.ack_minutes * AT_RISK_FRACTION),
        resolve_at_risk_at=after(target.resolve_minutes * AT_RISK_FRACTION),
    )


def resumed(d: Deadlines, paused_at: datetime, resumed_at: datetime, calendar: Calendar | None,
            ack_met: bool, resolve_met: bool) -> Deadlines:
    """The deadlines after a pause from `paused_at` to `resumed_at`: each time still ahead at
    the pause, of a target not met, moves so that the business time left at the pause is left
    at the resume (24x7 without a calendar: later by the paused time). Times already passed at
    the pause stay (a breach before the pause is one)."""

    def moved(at: datetime, met: bool) -> datetime:
        if met or at <= paused_at:
            return at
        return add_business_time(calendar, resumed_at, business_seconds_between(calendar, paused_at, at))

    return Deadlines(ack_due_at=moved(d.ack_due_at, ack_met),
                     resolve_due_at=moved(d.resolve_due_at, resolve_met),
                     ack_at_risk_at=moved(d.ack_at_risk_at, ack_met),
                     resolve_at_risk_at=moved(d.resolve_at_risk_at, resolve_met))


@dataclass(frozen=True)
class SlaStatus:
    ack_due_at: datetime
    resolve_due_at: datetime
    ack_breached: bool
    resolve_breached: bool
    breached: bool
    state: SlaState
    next_due_at: datetime | None


def _missed(done_at: datetime | None, due_at: datetime, now: datetime) -> bool:
    """A target is missed when it was met late, or is still pending past its due time.
    Meeting it exactly at the due second counts as met."""
    return done_at > due_at if done_at is not None else now > due_at


Judgement = tuple[bool, bool, bool, SlaState, datetime | None]


def judge(
    ack_due_at: datetime, resolve_due_at: datetime, ack_at_risk_at: datetime,
    resolve_at_risk_at: datetime, acknowledged_at: datetime | None,
    resolved_at: datetime | None, now: datetime, paused_at: datetime | None = None,
) -> Judgement:
    """(ack_breached, resolve_breached, breached, state, next_due_at) at `now`: the rule itself,
    on plain values, for the incident list's fifty rows a page (`evaluate` wraps it).

    A paused clock (`paused_at`) stands still: pending targets are judged as at the pause, so
    nothing breaches while paused (a breach before it stays one), the state is `paused` and no
    due time is next (they move when the clock resumes)."""
    if paused_at is not None:
        clock = min(now, paused_at)
        ack_breached = _missed(acknowledged_at, ack_due_at, clock)
        resolve_breached = _missed(resolved_at, resolve_due_at, clock)
        return (ack_breached, resolve_breached, ack_breached or resolve_breached,
                SlaState.PAUSED, None)
    ack_breached = _missed(acknowledged_at, ack_due_at, now)
    resolve_breached = _missed(resolved_at, resolve_due_at, now)
    breached = ack_breached or resolve_breached
    # A target is pending while it is not met and not yet due.
    ack_pending = acknowledged_at is None and ack_due_at >= now
    resolve_pending = resolved_at is None and resolve_due_at >= now
    if ack_pending and resolve_pending:
        next_due_at: datetime | None = min(ack_due_at, resolve_due_at)
    elif ack_pending:
        next_due_at = ack_due_at
    elif resolve_pending:
        next_due_at = resolve_due_at
    else:
        next_due_at = None
    if breached:
        state = SlaState.BREACHED
    elif resolved_at is not None:
        state = SlaState.MET
    elif (ack_pending and now >= ack_at_risk_at) or (
            resolve_pending and now >= resolve_at_risk_at):
        state = SlaState.AT_RISK
    else:
        state = SlaState.ON_TRACK
    return ack_breached, resolve_breached, breached, state, next_due_at


def evaluate(
    d: Deadlines,
    acknowledged_at: datetime | None,
    resolved_at: datetime | None,
    now: datetime,
) -> SlaStatus:
    ack_breached, resolve_breached, breached, state, next_due_at = judge(
        d.ack_due_at, d.resolve_due_at, d.ack_at_risk_at, d.resolve_at_risk_at,
        acknowledged_at, resolved_at, now)
    return SlaStatus(
        ack_due_at=d.ack_due_at,
        resolve_due_at=d.resolve_due_at,
        ack_breached=ack_breached,
        resolve_breached=resolve_breached,
        breached=breached,
        state=state,
        next_due_at=next_due_at,
    )
