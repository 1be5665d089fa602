"""The in-memory caller cache never keeps a row that a change may already have outdated."""

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
