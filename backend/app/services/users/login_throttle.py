"""Slowing down password guessing: failed sign-ins per username and per client address.

A sliding window of failure times per key. Once a key holds `limit` failures inside the window,
further attempts are refused with 429 and `Retry-After` until the oldest failure ages out; the
password is not even checked, so a throttled guesser learns nothing. A successful sign-in
clears that username's failures (not the address's).

The counters live in this process's memory: right for one server process, but each replica
counts on its own, so N replicas allow N times the attempts; move them to a shared store
before running several replicas behind a load balancer.
"""

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from app.config import Settings
from app.errors import TooManyAttempts

MAX_TRACKED_KEYS = 100_000


class SlidingWindow:
    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window_seconds
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str) -> int | None:
        now = self.clock()
        times = self._recent(key, now)
        if times is None or len(times) < self.limit:
            return None
        return max(1, math.ceil(times[-self.limit] + self.window - now))

    def record(self, key: str) -> None:
        now = self.clock()
        times = self._recent(key, now)
        if times is None:
            times = self._failures[key] = deque(maxlen=self.limit)
        times.append(now)
        self._failures.move_to_end(key)
        while len(self._failures) > MAX_TRACKED_KEYS:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


class LoginThrottle:
    def __init__(
        self,
        per_user: int,
        per_client: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = SlidingWindow(per_user, window_seconds, clock)
        self.clients = SlidingWindow(per_client, window_seconds, clock)

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoginThrottle":
        return cls(
            settings.login_failures_per_user,
            settings.login_failures_per_client,
            settings.login_throttle_window_seconds,
        )

    @staticmethod
    def _user_key(username: str) -> str:
        return username.strip().casefold()

    def check(self, username: str, client: str) -> None:
        """Raise TooManyAttempts if this username or this address must wait."""
        waits = [
            w for w in (self.users.retry_after(self._user_key(username)),
                        self.clients.retry_after(client))
            if w is not None
        ]
        if waits:
            wait = max(waits)
            raise TooManyAttempts(
                f"Too many failed sign-ins; try again in {wait} seconds", retry_after=wait
            )

    def failed(self, username: str, client: str) -> None:
        self.users.record(self._user_key(username))
        self.clients.record(client)

    def succeeded(self, username: str) -> None:
        self.users.clear(self._user_key(username))
