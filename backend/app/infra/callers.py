"""The users behind verified tokens, kept in memory while PostgreSQL says they are unchanged.

Reading the caller's row on every request cost a database round trip and a session (about
1.1 ms of a 2-3 ms read). On PostgreSQL a trigger on `users` (migration 0006) sends NOTIFY
for every update or delete, through the API or from a SQL console, and every replica's
LISTEN connection (services/live.py) evicts that user here: a disabled user or an old token
stops working on every replica as soon as the notification arrives (milliseconds). While
the LISTEN connection is down nothing is cached, so a missed notification can never leave
a stale entry; entries also expire after MAX_AGE seconds. SQLite (one process, no NOTIFY)
reads the row every time.

Callers that miss together share one read: a thousand live streams of one user re-checking at
once (their user changed, or the entry expired) cost one query, not a thousand queued for the
pool. Only while listening, and only a read begun since the last change was announced: what a
cache hit would have given them.

API tokens (services/users/tokens.py) are kept the same way, by their keyed hash: a trigger on
`api_tokens` announces a revoked or re-roled token with its user's id on the same channel, so
forgetting a user forgets their tokens too.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from app.models import User


class OfUser(Protocol):
    @property
    def user_id(self) -> int: ...


T = TypeVar("T", bound=OfUser)

MAX_AGE = 60.0
MAX_ENTRIES = 10_000
_FAILED = object()  # a shared read that failed or was cancelled: whoever waited reads again


class CallerCache:
    def __init__(self) -> None:
        self._users: dict[int, tuple[float, User]] = {}
        self._tokens: dict[str, tuple[float, OfUser]] = {}  # by keyed hash
        self._generation = 0
        # The read of each user under way, with the generation it began in.
        self._loading: dict[int, tuple[int, asyncio.Future[object]]] = {}
        self.enabled = False
        # Told of every change to a user (the id, or `*`): the live streams re-check theirs.
        self.on_change: list[Callable[[str], None]] = []

    def get(self, user_id: int) -> User | None:
        entry = self._users.get(user_id)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > MAX_AGE:
            self._users.pop(user_id, None)
            return None
        return entry[1]

    async def fetch(self, user_id: int, load: Callable[[int], Awaitable[User | None]]) -> User | None:
        """The cached user, else `load(user_id)` (a database read), kept unless a change came
        in while it loaded; a read of the same user already under way since the last change is
        waited for instead of repeated."""
        while (user := self.get(user_id)) is None:
            shared = self._loading.get(user_id)
            if not (self.enabled and shared is not None and shared[0] == self._generation):
                return await self._load(user_id, load)
            found = await asyncio.shield(shared[1])
            if found is not _FAILED:
                return found  # type: ignore[return-value]  # only `load`'s results are shared
        return user

    async def _load(self, user_id: int, load: Callable[[int], Awaitable[User | None]]) -> User | None:
        generation = self.generation()
        done: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        if self.enabled:
            self._loading[user_id] = (generation, done)
        found: object = _FAILED
        try:
            user = await load(user_id)
            found = user
        finally:
            if self._loading.get(user_id, (0, None))[1] is done:
                del self._loading[user_id]
            done.set_result(found)
        if user is not None:
            self.keep(user, generation)
        return user

    async def fetch_token(self, digest: str, load: Callable[[str], Awaitable[T | None]]) -> T | None:
        """The cached API token with this keyed hash, else `load(digest)`, as `fetch`."""
        entry = self._tokens.get(digest)
        if entry is not None and time.monotonic() - entry[0] <= MAX_AGE:
            return entry[1]  # type: ignore[return-value]  # only `load`'s results are kept
        generation = self.generation()
        token = await load(digest)
        if token is not None and self.enabled and generation == self._generation:
            if len(self._tokens) >= MAX_ENTRIES:
                self._tokens.clear()
            self._tokens[digest] = (time.monotonic(), token)
        return token

    def generation(self) -> int:
        """Taken before reading a row from the database, handed back to `keep`."""
        return self._generation

    def keep(self, user: User, generation: int) -> None:
        """Cache a row read while `generation` was current, unless a change (or a lost
        LISTEN connection) came in meanwhile: that row may already be out of date."""
        if not self.enabled or generation != self._generation:
            return
        if len(self._users) >= MAX_ENTRIES:
            self._users.clear()
        self._users[user.id] = (time.monotonic(), user)

    def forget(self, payload: str) -> None:
        """A NOTIFY from the users trigger: the user's id, or `*` for every user."""
        self._generation += 1
        if payload.isdigit():
            user_id = int(payload)
            self._users.pop(user_id, None)
            if self._tokens:
                self._tokens = {d: e for d, e in self._tokens.items() if e[1].user_id != user_id}
        else:
            self._users.clear()
            self._tokens.clear()
        for listener in list(self.on_change):
            listener(payload)

    def listening(self, yes: bool) -> None:
        """The LISTEN connection came up (cache from now on) or dropped (cache nothing)."""
        self._generation += 1
        self._users.clear()
        self._tokens.clear()
        self.enabled = yes
