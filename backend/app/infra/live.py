"""Live updates: changes announced inside a write transaction, delivered once it commits.

Services call `announce()` (record_event does it for every timeline event); the updates wait
on the session. PostgreSQL: the transaction sends them with NOTIFY, which the database
delivers only on commit and to every replica LISTENing, this one included. SQLite (one
process): they are handed to this process's subscribers after the commit.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from app.db import Database
from app.infra.callers import CallerCache

CHANNEL = "incident_console_live"
USERS_CHANNEL = "incident_console_users"  # sent by the trigger on users (migration 0006)
PENDING = "live_updates"
NOTIFY_LIMIT = 7900
SUBSCRIBER_BACKLOG = 1000
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

    @classmethod
    def decoded(cls, raw: str) -> "LiveUpdate":
        parsed = json.loads(raw)
        return cls(kind=parsed["kind"], data=parsed["data"])


def announce(session: AsyncSession, kind: str, data: dict[str, Any]) -> None:
    """Queue an update on the session; it goes out only if the transaction commits."""
    session.info.setdefault(PENDING, []).append(LiveUpdate(kind, data))


def announce_event(session: AsyncSession, event: dict[str, Any]) -> None:
    """A timeline event: `event.created`, and the incident-level change it stands for."""
    incident_id = event["incident_id"]
    if event["type"] == "created":
        announce(session, "incident.created", {"incident_id": incident_id})
    elif event["type"] in INCIDENT_UPDATES:
        announce(session, "incident.updated", {"incident_id": incident_id})
    announce(session, "event.created", event)


def _pending(session: AsyncSession) -> list[LiveUpdate]:
    updates: list[LiveUpdate] = session.info.pop(PENDING, [])
    return updates


class LiveFeed:
    """This process's subscribers, fed from NOTIFY (PostgreSQL) or from commits (SQLite)."""

    def __init__(self, db: Database, database_url: str, callers: CallerCache | None = None) -> None:
        self.db = db
        self.database_url = database_url
        self.callers = callers  # evicted on every change to a user, cached only while listening
        self._subscribers: set[asyncio.Queue[LiveUpdate | None]] = set()
        self._listener: asyncpg.Connection | None = None
        self._reconnect: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.db.dialect == "postgresql":
            await self._listen()
            self.db.before_commit.append(self._notify)
        else:
            self.db.after_commit.append(self._deliver)

    async def _listen(self) -> None:
        url = make_url(self.database_url).set(drivername="postgresql")
        self._listener = await asyncpg.connect(url.render_as_string(hide_password=False))
        await self._listener.add_listener(CHANNEL, self._on_notify)
        if self.callers is not None:
            await self._listener.add_listener(USERS_CHANNEL, self._on_user_change)
            self.callers.listening(True)
        self._listener.add_termination_listener(self._on_lost)

    def _on_lost(self, _conn: object) -> None:
        """The LISTEN connection dropped: updates may have been missed, so end every stream
        (clients reconnect and reload), stop trusting cached users, and listen again."""
        if self.callers is not None:
            self.callers.listening(False)
        self._end_streams()
        if self._listener is not None:
            self._reconnect = asyncio.get_running_loop().create_task(self._listen_again())

    async def _listen_again(self) -> None:
        delay = 0.5
        while self._listener is not None:
            try:
                await self._listen()
                return
            except (OSError, asyncpg.PostgresError):
                log.warning("live updates: PostgreSQL unreachable; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)

    def _end_streams(self) -> None:
        for queue in list(self._subscribers):
            self._subscribers.discard(queue)
            with contextlib.suppress(asyncio.QueueEmpty):
                while True:
                    queue.get_nowait()
            queue.put_nowait(None)

    async def stop(self) -> None:
        if self.callers is not None:
            self.callers.listening(False)
        self._end_streams()
        listener, self._listener = self._listener, None
        if self._reconnect is not None:
            self._reconnect.cancel()
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.close()

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator["asyncio.Queue[LiveUpdate | None]"]:
        """Updates from now on; `None` means the server is stopping (or this reader fell too
        far behind): the client should reconnect."""
        queue: asyncio.Queue[LiveUpdate | None] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    def _fan_out(self, update: LiveUpdate) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(update)
            except asyncio.QueueFull:
                self._subscribers.discard(queue)
                queue.get_nowait()
                queue.put_nowait(None)

    async def _notify(self, session: AsyncSession) -> None:
        updates = _pending(session)
        if not updates:
            return
        stmt = text(f"SELECT pg_notify('{CHANNEL}', p) FROM unnest(:payloads) AS p").bindparams(
            bindparam("payloads", type_=ARRAY(Text))
        )
        await session.execute(stmt, {"payloads": [u.encoded() for u in updates]})

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
