"""The pure pieces, without a database: the throttle's sliding window and the hash chain."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.audit import GENESIS, ChainedEvent, event_hash, verify
from app.errors import TooManyAttempts
from app.services.users import login_throttle
from app.services.users.login_throttle import LoginThrottle, SlidingWindow


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_window_blocks_at_the_limit_and_reopens_as_failures_age() -> None:
    clock = Clock()
    window = SlidingWindow(3, 60, clock)
    for t in (0, 10, 20):
        clock.now = t
        assert window.retry_after("k") is None
        window.record("k")
    assert window.retry_after("k") == 40  # the oldest failure leaves at t=60
    clock.now = 60
    assert window.retry_after("k") is None
    window.record("k")
    assert window.retry_after("k") == 10  # now the failure at t=10 is the oldest of three


def test_throttle_names_the_wait_and_forgets_on_success() -> None:
    clock = Clock()
    throttle = LoginThrottle(2, 100, 300, clock)
    throttle.failed("Avery", "1.2.3.4")
    throttle.failed("avery ", "5.6.7.8")
    with pytest.raises(TooManyAttempts) as caught:
        throttle.check("AVERY", "9.9.9.9")
    assert caught.value.retry_after == 300
    throttle.succeeded("avery")
    throttle.check("avery", "9.9.9.9")


def test_tracked_keys_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_throttle, "MAX_TRACKED_KEYS", 100)
    window = SlidingWindow(5, 60, Clock())
    for i in range(1000):
        window.record(f"user{i}")
    assert len(window._failures) == 100


def _chain(n: int) -> list[ChainedEvent]:
    events, prev = [], GENESIS
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    for i in range(n):
        content = {"incident_id": 7, "type": "comment", "body": f"note {i} \u2714",
                   "data": {"b": [1, 2], "a": None}, "created_by": 2,
                   "created_at": start + timedelta(seconds=i, microseconds=i)}
        digest = event_hash(prev, **content)
        events.append(ChainedEvent(id=i + 1, prev_hash=prev, hash=digest, **content))
        prev = digest
    return events


def test_chain_verifies_and_names_the_first_broken_link() -> None:
    events = _chain(5)
    assert verify(events).verified and verify(events).head_hash == events[-1].hash
    assert verify([]).verified and verify([]).head_hash == GENESIS

    altered = [*events[:2], replace(events[2], body="rewritten"), *events[3:]]
    assert verify(altered).first_broken_event_id == 3

    removed = events[:2] + events[3:]
    assert verify(removed).first_broken_event_id == 4

    swapped = [events[0], events[2], events[1], *events[3:]]
    assert verify(swapped).first_broken_event_id == 3

    unsealed = [*events[:4], replace(events[4], hash=None)]
    assert verify(unsealed).first_broken_event_id == 5


def test_hash_ignores_key_order_and_time_zone() -> None:
    when = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    a = event_hash(GENESIS, incident_id=1, type="t", body="b", data={"x": 1, "y": 2},
                   created_by=None, created_at=when)
    b = event_hash(GENESIS, incident_id=1, type="t", body="b", data={"y": 2, "x": 1},
                   created_by=None, created_at=when.astimezone(
                       datetime.now().astimezone().tzinfo))
    assert a == b
