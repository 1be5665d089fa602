"""Slowing down password guessing without letting guessers lock the real user out.

Three counters of failed sign-ins, each forgotten after a quiet window:

- per (username, client address): after `per_pair` failures, a growing back-off (`backoff`,
  then twice that, ... up to the window) before that client may try that username again;
- per client address, whatever the usernames (spraying): the same back-off after `per_client`;
- per account, from anywhere: past `per_account` failures the account is "hot" and slows
  down rather than locks: each client must wait `account_delay` seconds (1 s, growing with the
  failures, at most 10 s) before each attempt, counted from its own refused request, so
  failures from elsewhere never make the real user wait more than 10 s.

Refusals are 429 with `Retry-After`; the password is not even checked. An attempt is counted
as a failure when it is let through, before the password is checked and in one atomic step
with the decision (no await in between in memory, one locked transaction in PostgreSQL), so
N guesses sent at once get at most the limit's worth of verifications; a success gives the
count back. Verifications running at once are capped per process (`concurrent`); beyond the
cap the answer is 429 with `Retry-After: 1`, never a 503.

The counters live in PostgreSQL (table `login_counters`, shared by every replica); on SQLite
(one process) in this process's memory.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.config import Settings
from app.db import Database
from app.errors import TooManyAttempts
from app.models.users import LoginCounter

MAX_TRACKED_KEYS = 100_000
MAX_ACCOUNT_DELAY = 10.0
PURGE_EVERY = 500  # reservations between two purges of forgotten rows (PostgreSQL)
T = TypeVar("T")


@dataclass
class Counter:
    failures: int = 0
    last: float = 0.0  # when the latest counted attempt was let through
    ticket: float = 0.0  # hot account: when this client may try this username (0: none yet)

    def empty(self) -> bool:
        return self.failures == 0 and self.ticket == 0


@dataclass(frozen=True)
class Policy:
    per_pair: int = 5
    per_client: int = 20
    per_account: int = 20
    window: float = 900.0
    backoff: float = 60.0
    account_delay: float = MAX_ACCOUNT_DELAY

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls(
            per_pair=settings.login_failures_per_user,
            per_client=settings.login_failures_per_client,
            per_account=settings.login_failures_per_account,
            window=settings.login_throttle_window_seconds,
            backoff=settings.login_backoff_seconds,
            account_delay=min(settings.login_account_delay_seconds, MAX_ACCOUNT_DELAY),
        )

    def wait_after(self, failures: int, limit: int) -> float:
        """The back-off once `failures` reached `limit`: backoff, 2x, 4x, ... up to the window."""
        if failures < limit:
            return 0.0
        return min(self.window, self.backoff * 2.0 ** min(failures - limit, 40))

    def account_wait(self, failures: int) -> float:
        """Hot account: 1 s, 2 s, 4 s, ... per attempt, never above account_delay (<= 10 s)."""
        return min(self.account_delay, 2.0 ** min(failures - self.per_account, 10))

    def forget_old(self, counter: Counter, limit: int, now: float) -> None:
        """Failures are forgotten one window after the back-off they earned has ended."""
        if counter.failures and now - counter.last >= self.window + self.wait_after(
                counter.failures, limit):
            counter.failures = 0
        if counter.ticket and counter.ticket < now - self.window:
            counter.ticket = 0.0

    def admit(self, pair: Counter, client: Counter, account: Counter, now: float) -> float:
        """0 if the attempt may go ahead (and then it is counted), else the seconds to wait.
        Changes the counters in place; the caller stores them in the same atomic step."""
        self.forget_old(pair, self.per_pair, now)
        self.forget_old(client, self.per_client, now)
        self.forget_old(account, self.per_account, now)
        wait = max(
            pair.last + self.wait_after(pair.failures, self.per_pair) - now if pair.failures else 0,
            client.last + self.wait_after(client.failures, self.per_client) - now
            if client.failures else 0,
        )
        if wait > 0:
            return wait
        if account.failures >= self.per_account:
            if not pair.ticket:  # this client's first try at a hot account: wait its turn
                delay = self.account_wait(account.failures)
                pair.ticket = now + delay
                return delay
            if now < pair.ticket:
                return pair.ticket - now
        pair.ticket = 0.0  # a turn is used once
        for counter in (pair, client, account):
            counter.failures += 1
            counter.last = now
        return 0.0

    @staticmethod
    def give_back(pair: Counter, client: Counter, account: Counter) -> None:
        """The password was right: forget this client's failures for this username, and take
        the attempt back out of the address's and the account's counts."""
        pair.failures, pair.ticket = 0, 0.0
        for counter in (client, account):
            counter.failures = max(0, counter.failures - 1)


class CounterStore(Protocol):
    async def apply(self, keys: tuple[str, str, str], change: Callable[[list[Counter]], T],
                    now: float) -> T:
        """Load the counters for `keys`, run `change` on them and store them, atomically."""
        ...


class MemoryCounters:
    """One process's counters (SQLite). `apply` never awaits, so each call is atomic."""

    def __init__(self) -> None:
        self.counters: OrderedDict[str, Counter] = OrderedDict()

    async def apply(self, keys: tuple[str, str, str], change: Callable[[list[Counter]], T],
                    now: float) -> T:
        counters = [self.counters.get(k) or Counter() for k in keys]
        result = change(counters)
        for key, counter in zip(keys, counters, strict=True):
            if counter.empty():
                self.counters.pop(key, None)
            else:
                self.counters[key] = counter
                self.counters.move_to_end(key)
        while len(self.counters) > MAX_TRACKED_KEYS:
            self.counters.popitem(last=False)
        return result


class SharedCounters:
    """Counters in PostgreSQL, shared by every replica: the rows are locked (in key order, so
    two sign-ins never deadlock) for the decision and written in the same transaction."""

    def __init__(self, db: Database, window: float) -> None:
        self.db = db
        self.window = window
        self._since_purge = 0

    async def apply(self, keys: tuple[str, str, str], change: Callable[[list[Counter]], T],
                    now: float) -> T:
        table = LoginCounter
        ordered = sorted(set(keys))
        async with self.db.engine.begin() as conn:
            await conn.execute(pg_insert(table).values(
                [{"key": k, "failures": 0, "last_at": 0.0, "ticket": 0.0} for k in ordered]
            ).on_conflict_do_nothing())
            rows = await conn.execute(
                select(table.key, table.failures, table.last_at, table.ticket)
                .where(table.key.in_(ordered)).order_by(table.key).with_for_update())
            found = {r.key: Counter(r.failures, r.last_at, r.ticket) for r in rows}
            counters = [found[k] for k in keys]
            before = {k: (c.failures, c.last, c.ticket) for k, c in found.items()}
            result = change(counters)
            for key, counter in zip(keys, counters, strict=True):
                if (counter.failures, counter.last, counter.ticket) != before.pop(key, None):
                    await conn.execute(update(table).where(table.key == key).values(
                        failures=counter.failures, last_at=counter.last, ticket=counter.ticket))
            self._since_purge += 1
            if self._since_purge >= PURGE_EVERY:
                self._since_purge = 0
                await conn.execute(delete(table).where(
                    table.last_at < now - 2 * self.window, table.ticket < now - self.window))
        return result


@dataclass
class Attempt:
    keys: tuple[str, str, str]
    throttle: "LoginThrottle" = field(repr=False)

    async def succeeded(self) -> None:
        await self.throttle.store.apply(self.keys, lambda c: Policy.give_back(c[0], c[1], c[2]),
                                        self.throttle.clock())


class LoginThrottle:
    def __init__(self, policy: Policy, store: CounterStore, concurrent: int = 8,
                 clock: Callable[[], float] = time.time) -> None:
        self.policy = policy
        self.store = store
        self.concurrent = concurrent
        self.clock = clock
        self.verifying = 0

    @classmethod
    def from_settings(cls, settings: Settings, db: Database) -> "LoginThrottle":
        policy = Policy.from_settings(settings)
        store: CounterStore = (SharedCounters(db, policy.window) if db.dialect == "postgresql"
                               else MemoryCounters())
        return cls(policy, store, settings.login_concurrent_verifications)

    @staticmethod
    def keys(username: str, client: str) -> tuple[str, str, str]:
        user = username.strip().casefold()[:100]
        client = client[:100]  # an address never holds a newline: the pair key is unambiguous
        return f"pair:{client}\n{user}", f"client:{client}", f"account:{user}"

    @contextmanager
    def verification_slot(self) -> Iterator[None]:
        """One of the `concurrent` password checks this process runs at once, or a 429."""
        if self.verifying >= self.concurrent:
            raise TooManyAttempts("Too many sign-ins in progress; try again shortly", retry_after=1)
        self.verifying += 1
        try:
            yield
        finally:
            self.verifying -= 1

    async def reserve(self, username: str, client: str) -> Attempt:
        """Let one attempt through (counted as a failure until `Attempt.succeeded`), or raise
        TooManyAttempts naming the wait."""
        keys = self.keys(username, client)
        now = self.clock()
        wait = await self.store.apply(keys, lambda c: self.policy.admit(c[0], c[1], c[2], now), now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            # The wait is data (`retry_after`, and the Retry-After header), never prose: each
            # client says it in its reader's words and units.
            raise TooManyAttempts("Too many failed sign-ins; wait before trying again",
                                  retry_after=seconds)
        return Attempt(keys, self)
