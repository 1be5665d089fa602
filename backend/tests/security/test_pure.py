"""The pure pieces, without a database: the sign-in throttle's rules and the hash chain."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.audit import GENESIS, ChainedEvent, event_hash, verify
from app.errors import TooManyAttempts
from app.services.users import login_throttle
from app.services.users.login_throttle import (
    Counter,
    LoginThrottle,
    MemoryCounters,
    Policy,
)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


POLICY = Policy(per_pair=3, per_client=10, per_account=6, window=600, backoff=30,
                account_delay=10)


def test_back_off_doubles_after_the_limit_and_stops_at_the_window() -> None:
    waits = [POLICY.wait_after(n, 3) for n in range(1, 10)]
    assert waits == [0, 0, 30, 60, 120, 240, 480, 600, 600]
    assert POLICY.wait_after(10**9, 3) == 600  # no overflow however many failures


def test_an_admitted_attempt_is_counted_before_the_password_is_checked() -> None:
    pair, client, account = Counter(), Counter(), Counter()
    for t in (0, 1, 2):
        assert POLICY.admit(pair, client, account, now=t) == 0
    assert (pair.failures, client.failures, account.failures) == (3, 3, 3)
    assert POLICY.admit(pair, client, account, now=2) == 30  # 30 s after the third
    assert pair.failures == 3, "a refused attempt is not counted"
    assert POLICY.admit(pair, client, account, now=32) == 0
    assert POLICY.admit(pair, client, account, now=32) == 60


def test_failures_are_forgotten_a_window_after_their_back_off() -> None:
    pair = Counter()
    for t in range(3):
        POLICY.admit(pair, Counter(), Counter(), now=t)
    POLICY.forget_old(pair, 3, now=2 + 600 + 29)
    assert pair.failures == 3, "still inside window + back-off"
    POLICY.forget_old(pair, 3, now=2 + 600 + 30)
    assert pair.failures == 0


def test_a_hot_account_makes_each_client_wait_its_turn_never_over_ten_seconds() -> None:
    account = Counter(failures=6, last=100)
    first, other = Counter(), Counter()
    assert POLICY.admit(first, Counter(), account, now=100) == 1  # 2**0 s at the ceiling
    assert POLICY.admit(other, Counter(), account, now=100) == 1
    assert POLICY.admit(first, Counter(), account, now=100.5) == 0.5, "no new turn"
    assert POLICY.admit(first, Counter(), account, now=101) == 0
    assert POLICY.admit(first, Counter(), account, now=101) == 2  # 7 failures: 2 s
    account.failures = 1000
    assert POLICY.admit(Counter(), Counter(), account, now=102) == 10
    POLICY.give_back(first, Counter(failures=1), account)
    assert first.failures == 0 and first.ticket == 0 and account.failures == 999


async def test_throttle_names_the_wait_and_a_success_gives_the_attempt_back() -> None:
    clock = Clock()
    throttle = LoginThrottle(Policy(per_pair=2, per_client=100, per_account=100, window=300,
                                    backoff=30), MemoryCounters(), clock=clock)
    await throttle.reserve("Avery", "1.2.3.4")
    attempt = await throttle.reserve("avery ", "1.2.3.4")
    with pytest.raises(TooManyAttempts) as caught:
        await throttle.reserve("AVERY", "1.2.3.4")
    assert caught.value.retry_after == 30
    await throttle.reserve("avery", "9.9.9.9")  # another client is not held back
    await attempt.succeeded()
    await throttle.reserve("avery", "1.2.3.4")


def test_verifications_at_once_are_capped() -> None:
    throttle = LoginThrottle(POLICY, MemoryCounters(), concurrent=1)
    with throttle.verification_slot():
        with pytest.raises(TooManyAttempts) as caught, throttle.verification_slot():
            pass
        assert caught.value.retry_after == 1
    with throttle.verification_slot():
        pass


async def test_tracked_keys_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_throttle, "MAX_TRACKED_KEYS", 100)
    throttle = LoginThrottle(POLICY, MemoryCounters(), clock=Clock())
    for i in range(1000):
        await throttle.reserve(f"user{i}", "10.0.0.1" if i < 5 else f"10.0.{i // 250}.{i % 250}")
    assert isinstance(throttle.store, MemoryCounters) and len(throttle.store.counters) == 100


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
