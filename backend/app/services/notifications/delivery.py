"""The delivery worker: sends the outbox's notifications, from any replica, none twice at once.

- Claim: due rows (pending, next_attempt_at passed, not claimed or the claim expired, channel
  not resting) are taken with FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite's write lock
  serialises the laptop case), their body rendered if this is the first claim, and
  `claimed_until` set past the request timeout; that commits BEFORE anything is sent.
- Send (sending.py): outside any transaction, aiohttp with a per-request timeout, at most
  NOTIFICATION_CONCURRENCY requests at once and NOTIFICATION_CHANNEL_CONCURRENCY per channel.
- Record (recording.py): outcomes in short batched transactions, retried until
  NOTIFICATION_MAX_ATTEMPTS, then failed; a channel that keeps failing rests. A process
  killed after sending but before recording sends the same delivery (same id, same bytes)
  again once the claim expires.
- Wake-up: PostgreSQL NOTIFY on the commit of any transaction that queued work (a trigger on
  `notifications`; every replica LISTENs), this process's own commits directly, and a poll
  every NOTIFICATION_POLL_SECONDS (which also finds retries as they fall due). New work is
  gathered for GATHER_SECONDS first, so a burst of commits (a busy hour's transitions, an
  alert storm's webhooks) costs one claim, not one each. A channel with more due than its
  share is refilled as soon as half its share is free, not after every answer.
  The same LISTEN connection tells this replica's channel cache (outbox.py) to forget.
- Retention: delivered rows older than NOTIFICATION_RETENTION_DAYS are deleted.
"""

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import ARRAY, Integer, Text, bindparam, or_, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.infra.rows import in_transaction, member_of
from app.models import NotificationChannel
from app.services.notifications.channels import Vault
from app.services.notifications.outbox import DIRECTORY, NOTIFICATIONS, OUTBOX_CHANNEL, WAKE, WAKE_ALL
from app.services.notifications.recording import purge_delivered, record
from app.services.notifications.render import incidents_and_summaries, render
from app.services.notifications.sending import Job, Outcome, new_client, send

__all__ = ["NotificationWorker", "purge_delivered"]

log = logging.getLogger(__name__)
CLAIM_MARGIN_SECONDS = 5.0
RETENTION_EVERY_SECONDS = 600.0
STOP_SECONDS = 5.0
GATHER_SECONDS = 0.1  # a steady stream of commits: ~10 claims a second, each a delivery later by <= this


# Claims written as Core executemany on SQLite (one prepared statement, a row's values each);
# on PostgreSQL each kind is one statement whatever the number of rows (arrays).
CLAIM = (update(NOTIFICATIONS).where(NOTIFICATIONS.c.id == bindparam("claimed_id"))
         .values(claimed_until=bindparam("until")))
CLAIM_WITH_BODY = CLAIM.values(body=bindparam("rendered"))
_UNTIL = bindparam("until", type_=NOTIFICATIONS.c.claimed_until.type)
PG_CLAIM = text("UPDATE notifications SET claimed_until = :until WHERE id = ANY(:ids)"
                ).bindparams(_UNTIL, bindparam("ids", type_=ARRAY(Text())))
PG_CLAIM_WITH_BODY = text(
    "UPDATE notifications AS n SET claimed_until = :until, body = r.body"
    " FROM unnest(CAST(:ids AS text[]), CAST(:bodies AS text[])) AS r(id, body) WHERE n.id = r.id"
).bindparams(_UNTIL, bindparam("ids", type_=ARRAY(Text())), bindparam("bodies", type_=ARRAY(Text())))


async def _claim(session: AsyncSession, pg: bool, until: datetime, rendered: dict[str, str],
                 reclaimed: list[str]) -> None:
    """Mark the rows claimed until `until`, storing the bodies first claims rendered."""
    if pg:
        if rendered:
            await in_transaction(session, PG_CLAIM_WITH_BODY, {
                "until": until, "ids": list(rendered), "bodies": list(rendered.values())})
        if reclaimed:
            await in_transaction(session, PG_CLAIM, {"until": until, "ids": reclaimed})
        return
    if rendered:
        await session.execute(CLAIM_WITH_BODY, [{"claimed_id": i, "until": until, "rendered": b}
                                                for i, b in rendered.items()])
    if reclaimed:
        await session.execute(CLAIM, [{"claimed_id": i, "until": until} for i in reclaimed])


@lru_cache(maxsize=8)
def _due(pg: bool, with_busy: bool) -> Any:
    """Due rows with their channel's kind, address and secret, oldest first, up to `limit`
    (bound at execution, with `now` and the `busy` channels left out), built once per shape.
    PostgreSQL locks the rows it takes and skips the ones another replica holds."""
    n, c = NOTIFICATIONS, NotificationChannel.__table__
    now = bindparam("now", type_=n.c.next_attempt_at.type)
    stmt = (select(n.c.id, n.c.channel_id, n.c.event, n.c.incident_id, n.c.source_event_id,
                   n.c.occurred_at, n.c.body, n.c.attempts,
                   c.c.kind.label("channel_kind"), c.c.url.label("channel_url"),
                   c.c.secret.label("channel_secret"))
            .join(c, c.c.id == n.c.channel_id)
            .where(n.c.status == "pending", n.c.next_attempt_at <= now,
                   or_(n.c.claimed_until.is_(None), n.c.claimed_until < now),
                   or_(c.c.paused_until.is_(None), c.c.paused_until <= now))
            .order_by(n.c.next_attempt_at).limit(bindparam("limit", type_=Integer())))
    if with_busy:
        stmt = stmt.where(~member_of(n.c.channel_id, "busy", Integer(),
                                     "postgresql" if pg else "sqlite"))
    if pg:
        stmt = stmt.with_for_update(skip_locked=True, of=n)
    return stmt


class NotificationWorker:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings, self.vault = db, settings, Vault(settings)
        self.pg = db.dialect == "postgresql"
        self._wake = asyncio.Event()
        self._refill = False  # woken by answers (claim at once), not by new work (gather first)
        # What the last claim left due: for which channels (at their share), and maybe more
        # beyond its limit.
        self._waiting: set[int] = set()
        self._beyond_limit = False
        self._slots = settings.notification_concurrency
        self._per_channel: dict[int, int] = defaultdict(int)
        self._outcomes: list[Outcome] = []
        self._recorded = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._recorder: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self._client: aiohttp.ClientSession | None = None
        self._last_retention = 0.0
        self._installed = False

    # -- wiring ---------------------------------------------------------------------------
    def install(self) -> "NotificationWorker":
        """Commit hooks: wake the senders (here, and on PostgreSQL everywhere) when a
        transaction queued work, forget cached channels when one changed them."""
        if not self._installed:
            self.db.before_commit.append(self._before_commit)
            self.db.after_commit.append(self._after_commit)
            self._installed = True
        return self

    async def _before_commit(self, session: AsyncSession) -> None:
        if self.pg and session.info.get(WAKE_ALL):
            await session.execute(text(f"SELECT pg_notify('{OUTBOX_CHANNEL}', 'due')"))

    def _after_commit(self, session: AsyncSession) -> None:
        if session.info.pop("notification_channels_changed", False):
            DIRECTORY.forget()
        session.info.pop(WAKE_ALL, None)
        if session.info.pop(WAKE, False):
            self._wake.set()

    async def start(self) -> "NotificationWorker":
        self.install()
        if self.settings.notification_poll_seconds <= 0:
            return self
        self._client = new_client(self.settings)
        self._loop_task = asyncio.create_task(self._run(), name="notification-worker")
        self._recorder = asyncio.create_task(self._record_loop(), name="notification-recorder")
        return self

    async def stop(self) -> None:
        """Stop sending; what was sent is recorded if the database answers within a few
        seconds (else it is sent again, same id, after its claim expires)."""
        tasks = [t for t in (self._loop_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_SECONDS):
                await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None
        if self._recorder is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STOP_SECONDS):
                    await self._flush()
            self._recorder.cancel()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STOP_SECONDS):
                    await asyncio.gather(self._recorder, return_exceptions=True)
            self._recorder = None
        await self._unlisten()
        if self._client is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STOP_SECONDS):
                    await self._client.close()
            self._client = None
        for hooks, hook in ((self.db.before_commit, self._before_commit),
                            (self.db.after_commit, self._after_commit)):
            with contextlib.suppress(ValueError):
                hooks.remove(hook)  # type: ignore[arg-type]
        self._installed = False

    def wake(self) -> None:
        self._wake.set()

    # -- LISTEN (PostgreSQL) --------------------------------------------------------------
    async def _listen(self) -> None:
        if not self.pg or self._listener is not None:
            return
        url = make_url(self.db.direct.url.render_as_string(hide_password=False))
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = await asyncpg.connect(dsn, timeout=5)
            await conn.add_listener(OUTBOX_CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("notifications: cannot LISTEN (%s); polling only", exc)
            return
        conn.add_termination_listener(self._on_lost)
        self._listener = conn
        DIRECTORY.forget()  # changes may have been missed while not listening

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload == "channels":
            DIRECTORY.forget()
        else:
            self._wake.set()

    def _on_lost(self, _conn: object) -> None:
        self._listener = None
        DIRECTORY.forget()

    async def _unlisten(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await conn.close()
            conn.terminate()

    # -- the loop -------------------------------------------------------------------------
    async def _run(self) -> None:
        poll = self.settings.notification_poll_seconds
        while True:
            self._wake.clear()
            claimed = 0
            try:
                await self._listen()
                if self._slots > 0:
                    claimed = await self.run_once()
                await self._retention()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notifications: a delivery round failed; trying again shortly")
            if claimed and self._beyond_limit and self._slots > 0:
                continue  # more may be due right now, for other channels
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), poll)
            if not self._refill:
                await asyncio.sleep(GATHER_SECONDS)  # the rest of a burst joins this claim
            self._refill = False

    async def run_once(self) -> int:
        """Claim what is due (as many as there are free slots) and start sending it."""
        jobs = await self.claim(self._slots)
        for job in jobs:
            self._slots -= 1
            self._per_channel[job.channel_id] += 1
            task = asyncio.create_task(self._deliver(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(jobs)

    async def claim(self, limit: int) -> list[Job]:
        now = utcnow()
        per_channel = self.settings.notification_channel_concurrency
        busy = [c for c, n in self._per_channel.items() if n >= per_channel]
        params: dict[str, Any] = {"now": now, "limit": limit}
        if busy:
            params["busy"] = busy
        async with self.db.transaction() as session:
            rows = await in_transaction(session, _due(self.pg, bool(busy)), params)
            self._waiting, self._beyond_limit = set(busy), len(rows) >= limit
            if not rows:
                return []
            taken: dict[int, int] = defaultdict(int)
            kept = []
            for r in rows:  # no channel over its share, counting what it is already sending
                if self._per_channel[r.channel_id] + taken[r.channel_id] < per_channel:
                    taken[r.channel_id] += 1
                    kept.append(r)
                else:
                    self._waiting.add(r.channel_id)
            # Each channel's address and secret decrypted once per claim, not once per delivery.
            opened = {r.channel_id: (self.vault.open(r.channel_url),
                                     self.vault.open(r.channel_secret) if r.channel_secret else None)
                      for r in {r.channel_id: r for r in kept}.values()}
            fresh = [r for r in kept if r.body is None]
            incidents, texts = await incidents_and_summaries(
                session, {r.incident_id for r in fresh if r.incident_id is not None},
                {r.source_event_id for r in fresh if r.source_event_id is not None}, now)
            claimed_until = now + timedelta(seconds=self.settings.notification_timeout_seconds
                                            + CLAIM_MARGIN_SECONDS)
            jobs = []
            rendered: dict[str, str] = {}  # first claims: their body, stored now
            reclaimed: list[str] = []  # later ones: the body they already have
            for r in kept:
                body = r.body
                if body is None:
                    body = rendered[r.id] = render(
                        r.channel_kind, r.id, r.event, r.occurred_at,
                        incidents.get(r.incident_id) if r.incident_id else None,
                        texts.get(r.source_event_id or 0, ""))
                else:
                    reclaimed.append(r.id)
                jobs.append(Job(r.id, r.channel_id, r.event, r.channel_kind,
                                *opened[r.channel_id], body, r.attempts))
            await _claim(session, self.pg, claimed_until, rendered, reclaimed)
            return jobs

    # -- sending --------------------------------------------------------------------------
    async def _deliver(self, job: Job) -> None:
        try:
            outcome = await self.send(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never lose the slot
            log.exception("notifications: sending %s failed unexpectedly", job.id)
            outcome = Outcome(job, False, True, None, f"internal error: {type(exc).__name__}")
        finally:
            self._slots += 1
            self._per_channel[job.channel_id] -= 1
            in_flight = self._per_channel[job.channel_id]
            if in_flight <= 0:
                self._per_channel.pop(job.channel_id, None)
        self._outcomes.append(outcome)
        self._recorded.set()
        # Claim again once there is room worth a claim: half the share of a channel with more
        # due, or half of all when the last claim stopped at its limit.
        s = self.settings
        if ((job.channel_id in self._waiting and in_flight * 2 <= s.notification_channel_concurrency)
                or (self._beyond_limit and self._slots * 2 >= s.notification_concurrency)):
            self._refill = True
            self._wake.set()

    async def send(self, job: Job) -> Outcome:
        assert self._client is not None
        return await send(self._client, self.settings, job)

    # -- recording ------------------------------------------------------------------------
    async def _record_loop(self) -> None:
        while True:
            await self._recorded.wait()
            self._recorded.clear()
            await asyncio.sleep(0.02)  # gather the outcomes finishing together
            try:
                await self._flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notifications: recording outcomes failed; they will be resent")

    async def _flush(self) -> None:
        outcomes, self._outcomes = self._outcomes, []
        if outcomes:
            await self.record(outcomes)

    async def record(self, outcomes: list[Outcome]) -> None:
        await record(self.db, self.settings, outcomes)

    async def _retention(self) -> None:
        if time.monotonic() - self._last_retention < RETENTION_EVERY_SECONDS:
            return
        self._last_retention = time.monotonic()
        await purge_delivered(self.db, utcnow() - timedelta(days=self.settings.notification_retention_days))


