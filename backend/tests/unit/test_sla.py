"""SLA deadlines and state, to the second at every boundary."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.sla import (
    DEFAULT_POLICY,
    InvalidPolicy,
    SlaState,
    Target,
    deadlines,
    evaluate,
    parse_policy,
    policy_to_json,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TARGET = Target(ack_minutes=10, resolve_minutes=100)
D = deadlines(T0, TARGET)
S = timedelta(seconds=1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_deadlines_count_from_creation() -> None:
    assert D.ack_due_at == at(10)
    assert D.resolve_due_at == at(100)
    assert D.ack_at_risk_at == at(7.5)
    assert D.resolve_at_risk_at == at(75)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (T0, SlaState.ON_TRACK),
        (at(7.5) - S, SlaState.ON_TRACK),
        (at(7.5), SlaState.AT_RISK),
        (at(10), SlaState.AT_RISK),
        (at(10) + S, SlaState.BREACHED),
    ],
)
def test_unacknowledged_incident(now: datetime, state: SlaState) -> None:
    result = evaluate(D, acknowledged_at=None, resolved_at=None, now=now)
    assert result.state is state
    assert result.ack_breached is (state is SlaState.BREACHED)
    assert result.resolve_breached is False


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (at(75) - S, SlaState.ON_TRACK),
        (at(75), SlaState.AT_RISK),
        (at(100), SlaState.AT_RISK),
        (at(100) + S, SlaState.BREACHED),
    ],
)
def test_acknowledged_in_time_then_resolve_window(now: datetime, state: SlaState) -> None:
    result = evaluate(D, acknowledged_at=at(5), resolved_at=None, now=now)
    assert result.state is state
    assert result.ack_breached is False


def test_acknowledged_exactly_at_due_counts_as_met() -> None:
    result = evaluate(D, acknowledged_at=at(10), resolved_at=at(50), now=at(500))
    assert result.state is SlaState.MET
    assert not result.breached


def test_late_acknowledgement_stays_breached_after_resolution() -> None:
    result = evaluate(D, acknowledged_at=at(10) + S, resolved_at=at(20), now=at(30))
    assert result.ack_breached and not result.resolve_breached
    assert result.state is SlaState.BREACHED


def test_resolved_late() -> None:
    result = evaluate(D, acknowledged_at=at(1), resolved_at=at(100) + S, now=at(200))
    assert result.resolve_breached and result.breached
    assert result.state is SlaState.BREACHED


def test_next_due_is_the_earliest_pending_target() -> None:
    assert evaluate(D, None, None, at(1)).next_due_at == at(10)
    assert evaluate(D, at(2), None, at(3)).next_due_at == at(100)
    assert evaluate(D, None, None, at(11)).next_due_at == at(100)
    assert evaluate(D, at(2), at(3), at(4)).next_due_at is None


def test_policy_round_trip_and_validation() -> None:
    raw = policy_to_json(DEFAULT_POLICY)
    assert parse_policy(raw) == DEFAULT_POLICY
    missing = {k: v for k, v in raw.items() if k != "SEV4"}
    with pytest.raises(InvalidPolicy, match="SEV4"):
        parse_policy(missing)
    with pytest.raises(InvalidPolicy, match="positive"):
        parse_policy({**raw, "SEV1": {"ack_minutes": 0, "resolve_minutes": 10}})
    with pytest.raises(InvalidPolicy, match="exceed"):
        parse_policy({**raw, "SEV1": {"ack_minutes": 20, "resolve_minutes": 10}})
    with pytest.raises(InvalidPolicy, match="unknown"):
        parse_policy({**raw, "SEV9": {"ack_minutes": 1, "resolve_minutes": 2}})
