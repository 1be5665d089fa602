"""The in-memory caller cache never keeps a row that a change may already have outdated."""

import asyncio

import pytest

from app.infra import callers
from app.infra.callers import CallerCache
from app.models import User


def user(ident: int) -> User:
    return User(id=ident, name="Avery", username="avery", password_hash="x", role="responder",
                is_active=True, token_version=0)


def listening_cache() -> CallerCache:
    cache = CallerCache()
    cache.listening(True)
    return cache


def test_keeps_a_row_read_while_nothing_changed() -> None:
    cache = listening_cache()
    cache.keep(user(7), cache.generation())
    assert cache.get(7) is not None and cache.get(7).id == 7  # type: ignore[union-attr]


def test_a_change_during_the_read_means_the_row_is_not_kept() -> None:
    cache = listening_cache()
    before = cache.generation()
    cache.forget("7")  # the NOTIFY arrived while the row was on its way
    cache.keep(user(7), before)
    assert cache.get(7) is None


def test_forget_one_and_forget_all() -> None:
    cache = listening_cache()
    for ident in (1, 2, 3):
        cache.keep(user(ident), cache.generation())
    cache.forget("2")
    assert [cache.get(i) is not None for i in (1, 2, 3)] == [True, False, True]
    cache.forget("*")
    assert [cache.get(i) for i in (1, 2, 3)] == [None, None, None]


def test_nothing_is_cached_unless_listening() -> None:
    cache = CallerCache()
    cache.keep(user(1), cache.generation())
    assert cache.get(1) is None
    cache.listening(True)
    cache.keep(user(1), cache.generation())
    cache.listening(False)
    assert cache.get(1) is None
    cache.keep(user(1), cache.generation())
    assert cache.get(1) is None


def test_entries_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(callers.time, "monotonic", lambda: now[0])
    cache = listening_cache()
    cache.keep(user(1), cache.generation())
    now[0] += callers.MAX_AGE - 1
    assert cache.get(1) is not None
    now[0] += 2
    assert cache.get(1) is None


class SlowReads:
    """A row loader that counts its reads and answers only when told to."""

    def __init__(self) -> None:
        self.reads = 0
        self.answer = asyncio.Event()

    async def __call__(self, ident: int) -> User | None:
        self.reads += 1
        await self.answer.wait()
        return user(ident)


async def test_callers_that_miss_together_share_one_read() -> None:
    cache, rows = listening_cache(), SlowReads()
    waiting = [asyncio.create_task(cache.fetch(7, rows)) for _ in range(100)]
    await asyncio.sleep(0)
    rows.answer.set()
    found = await asyncio.gather(*waiting)
    assert rows.reads == 1
    assert {u.id for u in found if u is not None} == {7} and None not in found


async def test_a_read_begun_before_a_change_is_not_shared_after_it() -> None:
    cache, rows = listening_cache(), SlowReads()
    before = asyncio.create_task(cache.fetch(7, rows))
    await asyncio.sleep(0)
    cache.forget("7")  # the user changed while that row was on its way
    after = asyncio.create_task(cache.fetch(7, rows))
    await asyncio.sleep(0)
    rows.answer.set()
    await asyncio.gather(before, after)
    assert rows.reads == 2, "the caller after the change read the row itself"


async def test_a_cancelled_shared_read_leaves_the_others_to_read_again() -> None:
    cache, rows = listening_cache(), SlowReads()
    first = asyncio.create_task(cache.fetch(7, rows))
    await asyncio.sleep(0)
    others = [asyncio.create_task(cache.fetch(7, rows)) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()  # its client went away
    await asyncio.sleep(0)
    rows.answer.set()
    found = await asyncio.gather(*others)
    assert all(u is not None and u.id == 7 for u in found)
    assert rows.reads == 2, "one of them read again, for all three"


async def test_without_listening_every_caller_reads() -> None:
    cache, rows = CallerCache(), SlowReads()
    waiting = [asyncio.create_task(cache.fetch(7, rows)) for _ in range(3)]
    await asyncio.sleep(0)
    rows.answer.set()
    await asyncio.gather(*waiting)
    assert rows.reads == 3
