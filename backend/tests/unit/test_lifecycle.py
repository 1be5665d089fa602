"""The transition table walked exhaustively: every status against every target."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.lifecycle import (
    TRANSITIONS,
    ClosureBlocked,
    IllegalTransition,
    Status,
    Timestamps,
    transition,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(hours=1)
LEGAL = {
    (Status.NEW, Status.INVESTIGATING),
    (Status.INVESTIGATING, Status.MITIGATED),
    (Status.MITIGATED, Status.RESOLVED),
    (Status.MITIGATED, Status.INVESTIGATING),
    (Status.RESOLVED, Status.CLOSED),
    (Status.RESOLVED, Status.INVESTIGATING),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_every_pair(current: Status, target: Status) -> None:
    if (current, target) in LEGAL:
        transition(current, target, Timestamps(), NOW, close_blockers=[])
        assert target in TRANSITIONS[current]
    else:
        with pytest.raises(IllegalTransition) as err:
            transition(current, target, Timestamps(), NOW, close_blockers=[])
        assert current.value in str(err.value)
        assert err.value.allowed == TRANSITIONS[current]


def test_closed_is_terminal() -> None:
    assert TRANSITIONS[Status.CLOSED] == ()
    with pytest.raises(IllegalTransition, match="Closed is final"):
        transition(Status.CLOSED, Status.INVESTIGATING, Timestamps(), NOW, [])


def test_first_move_out_of_new_acknowledges() -> None:
    after = transition(Status.NEW, Status.INVESTIGATING, Timestamps(), NOW, [])
    assert after.acknowledged_at == NOW
    assert after.mitigated_at is None and after.resolved_at is None


def test_acknowledgement_is_never_moved_by_later_steps() -> None:
    times = Timestamps(acknowledged_at=EARLIER)
    after = transition(Status.INVESTIGATING, Status.MITIGATED, times, NOW, [])
    assert after.acknowledged_at == EARLIER
    assert after.mitigated_at == NOW


def test_resolve_then_reopen_clears_resolved_at() -> None:
    resolved = transition(
        Status.MITIGATED, Status.RESOLVED, Timestamps(acknowledged_at=EARLIER), NOW, []
    )
    assert resolved.resolved_at == NOW
    reopened = transition(Status.RESOLVED, Status.INVESTIGATING, resolved, NOW, [])
    assert reopened.resolved_at is None
    assert reopened.acknowledged_at == EARLIER


def test_close_sets_closed_at_only_with_complete_rca() -> None:
    times = Timestamps(acknowledged_at=EARLIER, resolved_at=EARLIER)
    with pytest.raises(ClosureBlocked) as err:
        transition(Status.RESOLVED, Status.CLOSED, times, NOW, ["root_cause", "prevention_actions"])
    assert err.value.missing == ["root_cause", "prevention_actions"]
    assert "root_cause" in str(err.value) and "prevention_actions" in str(err.value)
    closed = transition(Status.RESOLVED, Status.CLOSED, times, NOW, [])
    assert closed.closed_at == NOW and closed.resolved_at == EARLIER


def test_illegal_transition_is_checked_before_the_rca_gate() -> None:
    with pytest.raises(IllegalTransition):
        transition(Status.NEW, Status.CLOSED, Timestamps(), NOW, ["root_cause"])
