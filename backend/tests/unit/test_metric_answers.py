"""The rules of kept /metrics answers (services/metrics/answers.py), with a computation that
counts its calls: shared misses, nothing kept across a change, the SLA moment, the bound."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from app.services.metrics import answers as module
from app.services.metrics.answers import MetricsAnswers, key_of

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
async def kept() -> AsyncIterator[MetricsAnswers]:
    engine = create_async_engine("sqlite+aiosqlite://")  # in memory: no other process to see
    db = SimpleNamespace(dialect="sqlite", engine=engine, before_commit=[], after_commit=[])
    answers = MetricsAnswers(db)  # type: ignore[arg-type]
    yield answers
    answers.close()
    await engine.dispose()


class Counting:
    def __init__(self, valid_until: datetime | None = None, pause: float = 0.0) -> None:
        self.calls, self.valid_until, self.pause = 0, valid_until, pause
        self.during: list[object] = []

    async def __call__(self) -> tuple[bytes, datetime | None]:
        self.calls += 1
        await asyncio.sleep(self.pause)
        for act in self.during:
            act()  # type: ignore[operator]
        return f"answer {self.calls}".encode(), self.valid_until


async def test_an_answer_is_kept_and_given_again(kept: MetricsAnswers) -> None:
    compute = Counting()
    assert await kept.answer("k", NOW, True, compute) == b"answer 1"
    assert await kept.answer("k", NOW, True, compute) == b"answer 1"
    assert compute.calls == 1


async def test_not_kept_when_asked_not_to(kept: MetricsAnswers) -> None:
    compute = Counting()
    await kept.answer("k", NOW, False, compute)
    assert await kept.answer("k", NOW, False, compute) == b"answer 2"


async def test_misses_at_once_share_one_computation(kept: MetricsAnswers) -> None:
    compute = Counting(pause=0.05)
    bodies = await asyncio.gather(*(kept.answer("k", NOW, True, compute) for _ in range(20)))
    assert set(bodies) == {b"answer 1"} and compute.calls == 1


async def test_a_change_while_computing_keeps_nothing(kept: MetricsAnswers) -> None:
    compute = Counting()
    compute.during.append(kept.changed)
    assert await kept.answer("k", NOW, True, compute) == b"answer 1"  # its caller still gets it
    compute.during.clear()
    assert await kept.answer("k", NOW, True, compute) == b"answer 2"
    assert await kept.answer("k", NOW, True, compute) == b"answer 2"


async def test_a_change_forgets_every_answer(kept: MetricsAnswers) -> None:
    compute = Counting()
    await kept.answer("a", NOW, True, compute)
    kept.changed()
    assert await kept.answer("a", NOW, True, compute) == b"answer 2"


async def test_given_again_only_before_the_next_sla_target_falls_due(kept: MetricsAnswers) -> None:
    compute = Counting(valid_until=NOW + timedelta(minutes=5))
    await kept.answer("k", NOW, True, compute)
    assert await kept.answer("k", NOW + timedelta(minutes=4), True, compute) == b"answer 1"
    assert await kept.answer("k", NOW + timedelta(minutes=5), True, compute) == b"answer 2"


async def test_nothing_kept_while_changes_cannot_be_heard(kept: MetricsAnswers) -> None:
    compute = Counting()
    kept.listening(False)
    await kept.answer("k", NOW, True, compute)
    assert await kept.answer("k", NOW, True, compute) == b"answer 2"
    kept.listening(True)
    await kept.answer("k", NOW, True, compute)
    assert await kept.answer("k", NOW, True, compute) == b"answer 3"


async def test_the_least_recently_asked_window_goes_first(
    kept: MetricsAnswers, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(module, "MAX_ENTRIES", 3)
    compute = Counting()
    for key in ("a", "b", "c"):
        await kept.answer(key, NOW, True, compute)
    await kept.answer("a", NOW, True, compute)  # asked again: now the most recent
    await kept.answer("d", NOW, True, compute)  # "b" goes
    calls = compute.calls
    for key in ("a", "c", "d"):
        await kept.answer(key, NOW, True, compute)
    assert compute.calls == calls
    await kept.answer("b", NOW, True, compute)
    assert compute.calls == calls + 1


def test_a_window_key_ignores_the_order_and_repeats_of_its_lists() -> None:
    assert key_of(None, [3, 1, 1], ["SEV2", "SEV1"]) == key_of(None, [1, 3], ["SEV1", "SEV2"])
    assert key_of(None, [1]) != key_of(None, [2])
