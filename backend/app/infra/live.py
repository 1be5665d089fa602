"""Live updates: changes announced inside a write transaction, delivered once it commits.

Services call `announce()` (record_event does it for every timeline event); the updates wait
on the session. PostgreSQL: the transaction sends them with NOTIFY, which the database
delivers only on commit and to every replica LISTENing, this one included. SQLite (one
process): they are handed to this process's subscribers after the commit.

Each subscriber is a stream opened by one user. A change to that user (the users trigger's
NOTIFY, or a change this process made itself) puts RECHECK in its queue, in the order the
database committed: the stream re-reads the user before it sends anything that came after.

A LISTEN connection can hang without dropping (a stalled proxy, a half-open TCP path): it is
pinged every KEEPALIVE_SECONDS, and one that does not answer within KEEPALIVE_TIMEOUT is
treated as lost (streams end, the caller cache stops caching) and replaced.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import asyncpg
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from app.db import Database
from app.infra.callers import CallerCache
from app.infra.prometheus import STREAM_CLIENTS
from app.infra.rows import in_transaction

CHANNEL = "incident_console_live"
USERS_CHANNEL = "incident_console_users"  # sent by the trigger on users (migration 0006)
# A transaction's live updates, sent with it (PostgreSQL delivers them when it commits).
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', p) FROM unnest(:payloads) AS p").bindparams(
    bindparam("payloads", type_=ARRAY(Text)))
PENDING = "live_updates"
EVENT_CREATED = "event.created"
NOTIFY_LIMIT = 7900
SUBSCRIBER_BACKLOG = 1000
KEEPALIVE_SECONDS = 5.0
KEEPALIVE_TIMEOUT = 5.0
INCIDENT_UPDATES = frozenset({
    "status_change", "severity_change", "field_change", "assignment", "rca_updated",
    "sla_breach", "sla_at_risk",
})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveUpdate:
    kind: str
    data: dict[str, Any]

    def encoded(self) -> str:
        raw = json.dumps({"kind": self.kind, "data": self.data}, default=str)
        if len(raw.encode()) <= NOTIFY_LIMIT:
            return raw
        slim = {k: self.data[k] for k in ("incident_id", "id", "type") if k in self.data}
        return json.dumps({"kind": self.kind, "data": slim, "truncated": True})

    @cached_property
    def sse(self) -> bytes:
        """This update as a server-sent event (`event:` and `data:`; a stream adds its own
        `id:`), serialized once however many streams send it."""
        return f"event: {self.kind}\ndata: {json.dumps(self.data, default=str)}\n\n".encode()

    @classmethod
    def decoded(cls, raw: str) -> "LiveUpdate":
        parsed = json.loads(raw)
        return cls(kind=parsed["kind"], data=parsed["data"])


# Put in a stream's queue when its user changed: re-read the user before sending anything else.
RECHECK = LiveUpdate("recheck", {})


def announce(session: AsyncSession, kind: str, data: dict[str, Any]) -> None:
    """Queue an update on the session; it goes out only if the transaction commits."""
    session.info.setdefault(PENDING, []).append(LiveUpdate(kind, data))


def event_updates(event: dict[str, Any]) -> list[LiveUpdate]:
    """A timeline event's updates: the incident-level change it stands for, then
    `event.created` (whose SSE id is the event's: a client resumes after it)."""
    incident_id = event["incident_id"]
    updates: list[LiveUpdate] = []
    if event["type"] == "created":
        updates.append(LiveUpdate("incident.created", {"incident_id": incident_id}))
    elif event["type"] in INCIDENT_UPDATES:
        updates.append(LiveUpdate("incident.updated", {"incident_id": incident_id}))
    return [*updates, LiveUpdate(EVENT_CREATED, event)]


def announce_event(session: AsyncSession, event: dict[str, Any]) -> None:
    """A timeline event, announced as `event_updates` says."""
    session.info.setdefault(PENDING, []).extend(event_updates(event))


def _told(watcher: "Watcher") -> Any:
    def on_notify(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        watcher.changed(payload)
    return on_notify


def _pending(session: AsyncSession) -> list[LiveUpdate]:
    updates: list[LiveUpdate] = session.info.pop(PENDING, [])
    return updates


class Watcher(Protocol):
    """Something kept per replica that a trigger's NOTIFY on `channel` makes stale (as
    services/metrics/answers.py's answers): told of each notification, and of whether they
    can arrive (nothing may be kept while they cannot)."""

    channel: str

    def changed(self, payload: str) -> None: ...

    def listening(self, up: bool) -> None: ...


class LiveFeed:
    """This process's subscribers, fed from NOTIFY (PostgreSQL) or from commits (SQLite).

    `listens=False` is a process that serves no streams (WORKER_MODE=worker): its commits
    still send their updates to the replicas that do, but on PostgreSQL it holds no LISTEN
    connection, so it is not told of every commit of every replica only to decode it for
    nobody."""

    def __init__(self, db: Database, database_url: str, callers: CallerCache | None = None,
                 watchers: Sequence[Watcher] = (), listens: bool = True) -> None:
        self.db = db
        self.listens = listens
        self.database_url = database_url
        self.callers = callers  # evicted on every change to a user, cached only while listening
        self.watchers = tuple(watchers)  # PostgreSQL only: SQLite's have their own means
        # Each stream's queue and the id of the user who opened it (None: not tied to one).
        self._subscribers: dict[asyncio.Queue[LiveUpdate | None], int | None] = {}
        self._listener: asyncpg.Connection | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._keepalive: asyncio.Task[None] | None = None
        self._stopped = False

    async def start(self) -> None:
        if self.callers is not None:
            self.callers.on_change.append(self._recheck)
        if self.db.dialect == "postgresql":
            if self.listens:
                await self._listen()
                self._keepalive = asyncio.get_running_loop().create_task(self._keep_alive())
            self.db.before_commit.append(self._notify)
        else:
            self.db.after_commit.append(self._deliver)

    @property
    def listening(self) -> bool:
        """Updates reach this process: on PostgreSQL, the LISTEN connection is up."""
        if not self.listens:
            return False
        if self.db.dialect != "postgresql":
            return not self._stopped
        conn = self._listener
        return conn is not None and not conn.is_closed() and not self._stopped

    async def _listen(self) -> None:
        url = make_url(self.database_url).set(drivername="postgresql")
        conn = await asyncpg.connect(url.render_as_string(hide_password=False),
                                     timeout=KEEPALIVE_TIMEOUT)
        try:
            async with asyncio.timeout(KEEPALIVE_TIMEOUT):
                await conn.add_listener(CHANNEL, self._on_notify)
                if self.callers is not None:
                    await conn.add_listener(USERS_CHANNEL, self._on_user_change)
                for watcher in self.watchers:
                    await conn.add_listener(watcher.channel, _told(watcher))
        except BaseException:
            conn.terminate()
            raise
        conn.add_termination_listener(self._on_lost)
        self._listener = conn
        if self.callers is not None:
            self.callers.listening(True)
        for watcher in self.watchers:
            watcher.listening(True)

    async def _keep_alive(self) -> None:
        """Ping the LISTEN connection; one that stops answering is as good as lost."""
        while not self._stopped:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            conn = self._listener
            if conn is None or conn.is_closed():
                continue
            try:
                async with asyncio.timeout(KEEPALIVE_TIMEOUT):
                    await conn.fetchval("SELECT 1")
            except TimeoutError:
                if conn is self._listener and not self._stopped:
                    log.warning("live updates: the LISTEN connection did not answer within "
                                "%.1fs; replacing it", KEEPALIVE_TIMEOUT)
                    self._lost(conn)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                pass  # a dropped connection: its termination listener handles it

    def _on_lost(self, conn: object) -> None:
        if conn is self._listener:
            self._lost(conn)

    def _lost(self, conn: object) -> None:
        """The LISTEN connection dropped or hung: updates may have been missed, so end every
        stream (clients reconnect and reload), stop trusting cached users, and listen again."""
        if self.callers is not None:
            self.callers.listening(False)
        for watcher in self.watchers:
            watcher.listening(False)
        self._end_streams()
        if self._stopped or conn is not self._listener:
            return
        assert isinstance(conn, asyncpg.Connection)
        conn.remove_termination_listener(self._on_lost)  # handled here, once
        conn.terminate()
        self._reconnect = asyncio.get_running_loop().create_task(self._listen_again(conn))

    async def _listen_again(self, lost: asyncpg.Connection) -> None:
        delay = 0.5
        while not self._stopped and self._listener is lost:
            try:
                await self._listen()
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                log.warning("live updates: PostgreSQL unreachable; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)

    def _end_streams(self) -> None:
        for queue in list(self._subscribers):
            self._end(queue)

    def _end(self, queue: "asyncio.Queue[LiveUpdate | None]") -> None:
        self._subscribers.pop(queue, None)
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                queue.get_nowait()
        queue.put_nowait(None)

    async def stop(self) -> None:
        self._stopped = True
        if self.callers is not None:
            self.callers.listening(False)
            with contextlib.suppress(ValueError):
                self.callers.on_change.remove(self._recheck)
        for watcher in self.watchers:
            watcher.listening(False)
        self._end_streams()
        listener, self._listener = self._listener, None
        for task in (self._reconnect, self._keepalive):
            if task is not None:
                task.cancel()
        if listener is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(KEEPALIVE_TIMEOUT):
                    await listener.close()
            listener.terminate()

    @contextlib.asynccontextmanager
    async def subscription(
        self, user_id: int | None = None
    ) -> AsyncIterator["asyncio.Queue[LiveUpdate | None]"]:
        """Updates from now on; `None` means the server is stopping (or this reader fell too
        far behind): the client should reconnect. RECHECK: `user_id` changed."""
        queue: asyncio.Queue[LiveUpdate | None] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self._subscribers[queue] = user_id
        STREAM_CLIENTS.inc()
        try:
            yield queue
        finally:
            STREAM_CLIENTS.dec()
            self._subscribers.pop(queue, None)

    def _put(self, queue: "asyncio.Queue[LiveUpdate | None]", update: LiveUpdate) -> None:
        try:
            queue.put_nowait(update)
        except asyncio.QueueFull:
            self._end(queue)

    def _fan_out(self, update: LiveUpdate) -> None:
        for queue in list(self._subscribers):
            self._put(queue, update)

    def _recheck(self, payload: str) -> None:
        """A user changed (the users trigger's payload: an id, or `*` for every user): their
        streams re-read them before sending anything that committed after the change."""
        for queue, user_id in list(self._subscribers.items()):
            if payload == "*" or (user_id is not None and payload == str(user_id)):
                self._put(queue, RECHECK)

    async def _notify(self, session: AsyncSession) -> None:
        updates = _pending(session)
        if not updates:
            return
        await in_transaction(session, _NOTIFY, {"payloads": [u.encoded() for u in updates]})

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self._fan_out(LiveUpdate.decoded(payload))
        except (ValueError, KeyError):
            log.warning("ignored a malformed live update: %.200s", payload)

    def _on_user_change(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        assert self.callers is not None
        self.callers.forget(payload)

    def _deliver(self, session: AsyncSession) -> None:
        for update in _pending(session):
            self._fan_out(update)
