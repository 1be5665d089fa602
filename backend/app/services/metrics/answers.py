"""Whole answers of GET /metrics, kept per process while nothing they were computed from has
changed, so a dashboard polling a quiet history is answered without computing it again.

An answer is reused only while all of these hold, else it is computed again:
- No change has committed since it was computed. PostgreSQL: triggers on `incidents` and
  `services` (migration 0021_metrics_notify) send NOTIFY on every write, through the API or
  from a SQL console; every replica's LISTEN connection (infra/live.py) forgets its answers
  when it arrives (milliseconds after the commit), and this process forgets them at once
  when it commits a transaction that wrote anything (a claim of the notification worker that
  found nothing, which commits every few seconds, wrote nothing). While the LISTEN
  connection is down nothing is kept, so a missed notification cannot leave a stale answer.
  SQLite: any commit that changed the database file, by this process or another, changes its
  `PRAGMA data_version`, read on every request.
- The clock has not reached the moment the answer would change by itself: the earliest SLA
  target still pending among the unsettled incidents (`next_due_at`), when one becomes
  breached. Settled incidents have none: both their times are on record.
- It was computed on the primary: an answer read from a read replica is never kept (the
  replica may not yet hold a change whose notification has arrived).

So a reused answer is the one a computation would give, not an older one: the figures have
no lag to state. At most MAX_ENTRIES windows are kept (the least recently asked go first),
each for at most MAX_AGE seconds. Requests that miss together share one computation.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.infra.rows import WROTE
from app.infra.sqlite_rows import DataVersion

CHANNEL = "incident_console_metrics"  # sent by the triggers of migration 0021_metrics_notify
MAX_ENTRIES = 64
MAX_AGE = 600.0

Token = tuple[int, int]  # (this process's generation, SQLite's data version or 0)
Compute = Callable[[], Awaitable[tuple[bytes, datetime | None]]]


@dataclass(frozen=True)
class _Entry:
    token: Token
    valid_until: datetime | None  # the next SLA target due, None when no clock is running
    born: float
    body: bytes


_DML = ("INSERT", "UPDATE", "DELETE")


def _note_write(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any,
                _many: bool) -> None:
    """Marks the connection's transaction as one that wrote (checked before it commits)."""
    if (context is not None and (context.isinsert or context.isupdate or context.isdelete)) or (
            statement.lstrip()[:6].upper().startswith(_DML)):
        conn.info[WROTE] = True


def _begun(conn: Any) -> None:
    conn.info.pop(WROTE, None)  # a write outside any transaction, or rolled back, is forgotten


class MetricsAnswers:
    """This process's kept answers (one per window), keyed by the caller of `answer`."""

    channel = CHANNEL

    def __init__(self, db: Database) -> None:
        self._db = db
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._loading: dict[Hashable, tuple[Token, asyncio.Future[bytes]]] = {}
        self._generation = 0
        self._version: DataVersion | None = None
        self._listening = False
        if db.dialect == "sqlite":
            path = db.engine.url.database
            if path and path != ":memory:" and not path.startswith("file:"):
                self._version = DataVersion(path)
            self._listening = True  # one process: its own commits and the file's version
        event.listen(db.engine.sync_engine, "begin", _begun)
        event.listen(db.engine.sync_engine, "after_cursor_execute", _note_write)
        db.before_commit.append(self._before_commit)
        db.after_commit.append(self._committed)

    # The LISTEN connection's side (infra/live.py): what arrives on CHANNEL, and its state.
    def changed(self, _payload: str = "") -> None:
        self._generation += 1
        self._entries.clear()

    def listening(self, up: bool) -> None:
        self._listening = up
        self.changed()

    async def _before_commit(self, session: AsyncSession) -> None:
        if (await session.connection()).info.pop(WROTE, False):
            session.info[WROTE] = True

    def _committed(self, session: AsyncSession) -> None:
        if session.info.pop(WROTE, False):
            self.changed()  # this process's own write: forgotten before its answer is sent

    def close(self) -> None:
        event.remove(self._db.engine.sync_engine, "begin", _begun)
        event.remove(self._db.engine.sync_engine, "after_cursor_execute", _note_write)
        with_version, self._version = self._version, None
        if with_version is not None:
            with_version.close()
        self._listening = False
        self._entries.clear()

    @property
    def keeping(self) -> bool:
        """Answers can be kept now: changes can be heard."""
        return self._token() is not None

    def _token(self) -> Token | None:
        if not self._listening:
            return None
        if self._version is None:
            return (self._generation, 0)
        version = self._version.read()
        return None if version is None else (self._generation, version)

    async def answer(self, key: Hashable, now: datetime, keep: bool, compute: Compute) -> bytes:
        """The kept answer for `key` if it still holds at `now`, else `compute()`'s (its body
        and the moment it stops holding), kept when `keep` and nothing changed meanwhile."""
        token = self._token() if keep else None
        if token is None:
            return (await compute())[0]
        entry = self._entries.get(key)
        if (entry is not None and entry.token == token
                and (entry.valid_until is None or now < entry.valid_until)
                and time.monotonic() - entry.born < MAX_AGE):
            self._entries.move_to_end(key)
            return entry.body
        shared = self._loading.get(key)
        if shared is not None and shared[0] == token:
            try:
                return await asyncio.shield(shared[1])
            except Exception:
                return (await compute())[0]
        done: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._loading[key] = (token, done)
        try:
            body, valid_until = await compute()
        except BaseException as exc:
            done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
            done.exception()  # retrieved: nobody may be waiting
            raise
        finally:
            if self._loading.get(key, (None, None))[1] is done:
                del self._loading[key]
        done.set_result(body)
        if self._token() == token:  # nothing committed while it was computed
            self._entries[key] = _Entry(token, valid_until, time.monotonic(), body)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return body


def key_of(*parts: Any) -> Hashable:
    """A window's key: lists as sorted tuples of their distinct values (the answer does not
    depend on their order)."""
    return tuple(tuple(sorted(set(p))) if isinstance(p, list) else p for p in parts)
