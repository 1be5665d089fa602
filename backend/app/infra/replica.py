"""Reads from a PostgreSQL streaming replica (DATABASE_READ_URL), never a stale one for the caller.

One routing point: `ReadRouting.for_reads(position)` hands a read route its Database (deps.py
`ReadDB`), the replica's or the primary's; writes, sign-in and idempotency never ask it.

- Read-your-writes, statelessly: after a request committed, the client is given the primary's
  WAL position (infra/read_after.py: `X-Read-After` and a cookie). A read carrying a position
  goes to the replica only once `pg_last_wal_replay_lsn()` has reached it, else to the primary.
  Replay only moves forward, so a position at or below the last replay seen needs no round
  trip; above it, the replay position is asked again at most every REPLAY_CACHE_SECONDS (the
  callers waiting meanwhile share that one question).
- Circuit breaker: a replica that fails (refused, timed out, shut down) is left alone; reads go
  to the primary (the read that met the failure is re-run there) until the monitor, every
  CHECK_SECONDS, finds it answering again. Requests never retry it themselves.
- Lag: the monitor also measures it, in seconds and bytes; `replica_lag_seconds()` and
  `replica_lag_bytes()` are the hooks for /-/metrics (None: no replica, or not measured).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.config import InvalidConfiguration, Settings
from app.db import Database, Unit, _unit, make_engine
from app.infra.hot_reads import Rows
from app.infra.replica_rows import CONNECT_TIMEOUT, DOWN, ReplicaRows

log = logging.getLogger(__name__)
REPLAY_CACHE_SECONDS = 0.005
CHECK_SECONDS = 1.0
PROBE_TIMEOUT = 2.0
# The replay position in bytes; lag: nothing received is waiting for replay -> 0 s, else the
# age of the last transaction replayed.
REPLAY = "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"
MEASURE = """SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn AS replayed,
  CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
       THEN 0 ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END AS seconds"""
WRITTEN = "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"
IDENTITY = "SELECT pg_is_in_recovery(), (SELECT system_identifier FROM pg_control_system())"


class ReplicaDatabase(Database):
    """The replica as the read services see it: `read()` sessions and `rows`, each falling
    back to the primary's when the replica cannot serve. Nothing is ever written here."""

    def __init__(self, engine: AsyncEngine, primary: Database, pool_size: int,
                 lost: Callable[[BaseException], None], pooled: bool) -> None:
        super().__init__(engine, pooled=pooled)
        self.primary, self.lost = primary, lost
        self.rows = ReplicaRows(engine, pool_size, primary.rows, lost, not pooled)
        self.before_commit, self.after_commit = primary.before_commit, primary.after_commit

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        session: AsyncSession | None = None
        if _unit.get() is None:
            session = self._read()
            try:
                # Pre-pinged (ReadRouting's engine): a dead replica fails here, before the
                # caller's first statement, and the primary answers instead.
                await session.connection()
            except DOWN as exc:
                await session.close()
                self.lost(exc)
                session = None
        if session is None:
            async with self.primary.read() as primary_session:
                yield primary_session
            return
        async with session:  # autocommit: nothing to commit or roll back
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.primary.transaction() as session:  # a replica takes no writes
            yield session

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        async with self.primary.unit() as unit:
            yield unit

    async def start(self) -> None:
        """The pool opens when the replica answers (the monitor retries)."""
        await self.rows.start()


class ReadRouting:
    """Which database answers a read; one per app (`app.state.reads`)."""

    def __init__(self, primary: Database, settings: Settings) -> None:
        self.primary = primary
        self.replica: ReplicaDatabase | None = None
        self.healthy = False
        self.replayed = -1  # bytes; only ever grows while the replica is the same one
        self.replayed_at = 0.0
        self.lag_seconds: float | None = None
        self.lag_bytes: int | None = None
        self.served = {"replica": 0, "primary": 0}
        self._refreshing: asyncio.Task[None] | None = None
        self._monitor: asyncio.Task[None] | None = None
        self._identity: tuple[bool, int | None] | None = None
        # The monitor's and the replay questions' own connection: never queued behind reads
        # (a pool busy with metrics is not a replica down).
        self._probe: asyncpg.Connection | None = None
        self._probe_lock = asyncio.Lock()
        self._pooled = settings.database_pgbouncer
        if settings.database_read_url is not None:
            engine = make_engine(settings, settings.database_read_url, pool_pre_ping=True,
                                 connect_args={"timeout": CONNECT_TIMEOUT})
            pool_size = settings.db_pool_size
            self.replica = ReplicaDatabase(engine, primary, pool_size, self.lost,
                                           settings.database_pgbouncer)

    @property
    def enabled(self) -> bool:
        return self.replica is not None

    async def start(self) -> None:
        global CURRENT
        if self.replica is None:
            return
        if not self.primary.rows.started:
            await self.primary.rows.start()
        self._identity = await self._primary_identity()
        await self._check(at_start=True)
        if not self.healthy:
            log.warning("read replica: not reachable at start; reads go to the primary until it is")
        self._monitor = asyncio.get_running_loop().create_task(self._watch(), name="replica-monitor")
        CURRENT = self

    async def stop(self) -> None:
        global CURRENT
        if CURRENT is self:
            CURRENT = None
        for task in (self._monitor, self._refreshing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._probe is not None:
            self._probe.terminate()
        if self.replica is not None:
            await self.replica.dispose()

    async def for_reads(self, position: int | None) -> Database:
        """The replica if it may answer a caller who has seen `position` (None: no write of
        theirs to wait for), else the primary."""
        replica = self.replica
        if replica is None or not self.healthy:
            return self._serve(self.primary)
        if position is None or position <= self.replayed:
            return self._serve(replica)
        if time.monotonic() - self.replayed_at >= REPLAY_CACHE_SECONDS:
            await self._refresh()
        ok = self.healthy and position <= self.replayed
        return self._serve(replica if ok else self.primary)

    def _serve(self, db: Database) -> Database:
        self.served["primary" if db is self.primary else "replica"] += 1
        return db

    async def written_position(self) -> int:
        """The primary's WAL position now: asked after a commit, it is at or past the end of
        that commit's record (a commit returns once its record is flushed, and the write
        position is never behind the flush). `pg_current_wal_insert_lsn()` inside the
        transaction would be before the commit record: a replica could have replayed up to it
        without the commit, and the caller would read without their write."""
        return int(await self.primary.rows.value(WRITTEN))

    def lost(self, exc: BaseException) -> None:
        """The replica failed a read or a probe: reads go to the primary until it answers."""
        if self.healthy:
            log.warning("read replica: %s; reading from the primary until it answers (%s)",
                        type(exc).__name__, exc)
        self.healthy = False

    async def _refresh(self) -> None:
        task = self._refreshing
        if task is None or task.done():
            task = self._refreshing = asyncio.get_running_loop().create_task(self._ask_replay())
        await asyncio.shield(task)

    async def _ask_replay(self) -> None:
        assert self.replica is not None
        if not self.replica.rows.started:
            self.healthy = False
            return
        try:
            row = await self._ask(REPLAY)
        except DOWN as exc:
            self.lost(exc)
            return
        self._saw(int(row[0]) if row is not None and row[0] is not None else -1)

    async def _ask(self, sql: str) -> asyncpg.Record | None:
        """One question to the replica on the probe connection, within PROBE_TIMEOUT."""
        assert self.replica is not None
        async with self._probe_lock, asyncio.timeout(PROBE_TIMEOUT + CONNECT_TIMEOUT):
            conn = self._probe
            if conn is None or conn.is_closed():
                dsn = self.replica.engine.url.set(drivername="postgresql")
                conn = self._probe = await asyncpg.connect(
                    dsn.render_as_string(hide_password=False), timeout=CONNECT_TIMEOUT,
                    statement_cache_size=0 if self._pooled else 100)
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    return await conn.fetchrow(sql)
            except BaseException:
                conn.terminate()
                self._probe = None
                raise

    def _saw(self, replayed: int) -> None:
        self.replayed = max(self.replayed, replayed)
        self.replayed_at = time.monotonic()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await self._check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("read replica: the check failed")

    async def _check(self, at_start: bool = False) -> None:
        """Open the pool if needed, measure replay and lag; healthy again if all answered.
        A URL that is not a standby of this cluster stops start-up; found later, it is
        logged and never read from."""
        assert self.replica is not None
        rows = self.replica.rows
        try:
            if not rows.started:
                async with asyncio.timeout(2 * CONNECT_TIMEOUT):
                    await rows.start()
                    await self._same_cluster()
            measured = await self._measure()
        except (*DOWN, InvalidConfiguration) as exc:
            if at_start and isinstance(exc, InvalidConfiguration):
                raise
            if isinstance(exc, InvalidConfiguration):
                log.error("read replica: %s; not reading from it", exc)
            self.lost(exc)
            self.lag_seconds = self.lag_bytes = None
            return
        replayed, seconds = measured
        if replayed < self.replayed:  # a different (rebuilt) replica: start over
            self.replayed = -1
        self._saw(replayed)
        try:  # the primary's side of the lag; a slow primary says nothing about the replica
            written = int(await self.primary.rows.value(WRITTEN))
            self.lag_bytes = max(written - replayed, 0)
        except DOWN:
            self.lag_bytes = None
        self.lag_seconds = float(seconds)
        if not self.healthy:
            log.info("read replica: answering again; reads go back to it")
        self.healthy = True

    async def _measure(self) -> tuple[int, float]:
        row = await self._ask(MEASURE)
        if row is None or row["replayed"] is None:
            raise InvalidConfiguration("DATABASE_READ_URL is not a standby (no WAL replay)")
        return int(row["replayed"]), float(row["seconds"] or 0)

    async def _primary_identity(self) -> tuple[bool, int | None]:
        try:
            return await self._identity_of(self.primary.rows)
        except asyncpg.InsufficientPrivilegeError:
            return (False, None)

    @staticmethod
    async def _identity_of(rows: Rows) -> tuple[bool, int | None]:
        assert rows._pool is not None
        async with rows._pool.acquire() as conn:
            try:
                row = await conn.fetchrow(IDENTITY)
            except asyncpg.InsufficientPrivilegeError:
                row = await conn.fetchrow("SELECT pg_is_in_recovery(), NULL::bigint")
        assert row is not None
        return bool(row[0]), row[1]

    async def _same_cluster(self) -> None:
        """DATABASE_READ_URL must be a standby of DATABASE_URL's cluster."""
        assert self.replica is not None and self._identity is not None
        in_recovery, system = await self._identity_of(self.replica.rows)
        primary_system = self._identity[1]
        if not in_recovery:
            problem = "is not a standby (pg_is_in_recovery() is false)"
        elif system is not None and primary_system is not None and system != primary_system:
            problem = (f"is a standby of another cluster (system identifier {system}, "
                       f"DATABASE_URL's is {primary_system})")
        else:
            return
        await self.replica.rows.close()
        raise InvalidConfiguration(f"DATABASE_READ_URL {problem}")


CURRENT: ReadRouting | None = None


def replica_lag_seconds() -> float | None:
    """Seconds the read replica is behind (0 when it has replayed all it received), as the
    monitor last measured it; None without a replica or while it is unreachable."""
    return CURRENT.lag_seconds if CURRENT is not None else None


def replica_lag_bytes() -> int | None:
    """Bytes of WAL written on the primary and not yet replayed on the read replica."""
    return CURRENT.lag_bytes if CURRENT is not None else None
