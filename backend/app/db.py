"""Engine, session factories and the one-transaction-per-use-case helpers.

SQLite needs care under concurrent writers: WAL, a busy timeout, and write transactions that
take the write lock up front (BEGIN IMMEDIATE) so a read-then-write never fails half way.

A request can also run as one unit of work (`Database.unit()`, used by Idempotency-Key
requests): every read and transaction inside it, the hot reads included, shares one session
and one database transaction (each `transaction()` a savepoint), committed only when the
unit's owner says so. What the request changed and the answer stored for it then commit
together, before anything is sent.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.config import Settings
from app.infra.hot_reads import Rows
from app.infra.rows import PINNED

SQLITE_BUSY_TIMEOUT_MS = 30_000
# asyncpg's statement cache and SQLAlchemy's prepared-statement cache, both off (PgBouncer).
UNCACHED = {"statement_cache_size": 0, "prepared_statement_cache_size": 0}


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _orjson_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(settings: Settings, url: str | None = None, *, pooled: bool | None = None,
                pool_size: int | None = None, **options: Any) -> AsyncEngine:
    """An engine for `url` (DATABASE_URL by default). `pooled`: the URL goes through PgBouncer
    in transaction pooling (DATABASE_PGBOUNCER), where a statement prepared in one transaction
    may meet another server connection in the next: asyncpg's and SQLAlchemy's statement
    caches are off, so each statement is the unnamed one, parsed and bound in one exchange."""
    url = url or settings.database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url)
        _configure_sqlite(engine)
        return engine
    if settings.database_pgbouncer if pooled is None else pooled:
        options["connect_args"] = {**options.get("connect_args", {}), **UNCACHED}
    return create_async_engine(
        url,
        # jsonb in and out with orjson, as the direct pool reads it (infra/rows.py): a
        # timeline's event data decoded by the standard library cost a twentieth of a
        # transition's CPU. Non-string keys are written as strings, as json.dumps does.
        json_serializer=_orjson_text, json_deserializer=orjson.loads,
        pool_size=settings.db_pool_size if pool_size is None else pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping: it cost a round trip per session (list 6.5 -> 5.3 ms, detail 4.1 ->
        # 3.1 ms in-process). A connection found dead fails its one request with a 503
        # (errors.py) and SQLAlchemy then refreshes the pool; recycling bounds their age.
        pool_recycle=1800,
        **options,
    )


def open_database(settings: Settings) -> "Database":
    """The app's Database: DATABASE_URL, and DATABASE_DIRECT_URL beside it when that is set."""
    direct = None
    if settings.database_direct_url is not None:
        direct = make_engine(settings, settings.database_direct_url, pooled=False, pool_size=2)
    return Database(make_engine(settings), direct=direct, pooled=settings.database_pgbouncer)


class Database:
    """What the services need from the database: short read sessions and write transactions."""

    def __init__(self, engine: AsyncEngine, *, direct: AsyncEngine | None = None,
                 pooled: bool = False) -> None:
        self.engine = engine
        # The primary without a transaction pooler: LISTEN and session-level advisory locks
        # (start-up, the SLA sweeper's leader) need one server connection for their lifetime.
        self.direct = direct or engine
        self.dialect = engine.dialect.name
        # PostgreSQL reads run without BEGIN/COMMIT: at READ COMMITTED every statement takes
        # its own snapshot inside a transaction too, so the two round trips bought nothing.
        reader = (engine.execution_options(isolation_level="AUTOCOMMIT")
                  if self.dialect == "postgresql" else engine)
        self._read = async_sessionmaker(reader, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write = async_sessionmaker(writer, expire_on_commit=False)
        pool_size = getattr(engine.pool, "size", lambda: 5)()
        # The hot reads' rows, straight from asyncpg on PG.
        self.rows = Rows(engine, pool_size, statement_cache=not pooled)
        self.before_commit: list[Callable[[AsyncSession], Awaitable[None]]] = []
        self.after_commit: list[Callable[[AsyncSession], None]] = []

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        unit = _unit.get()
        if unit is not None:
            yield unit.session
            return
        async with self._read() as session, session.begin():
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: commits when the block ends, rolls back on any error.

        `before_commit` hooks run last inside it, `after_commit` hooks once it committed
        (services/live.py publishes the live updates the transaction announced).
        Inside a unit of work: a savepoint of the unit's transaction, the `after_commit`
        hooks deferred until the unit commits."""
        unit = _unit.get()
        if unit is not None:
            async with unit.savepoint():
                yield unit.session
                for before in self.before_commit:
                    await before(unit.session)
            return
        async with self._write() as session:
            async with session.begin():
                yield session
                for before in self.before_commit:
                    await before(session)
            for after in self.after_commit:
                after(session)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator["Unit"]:
        """One transaction for everything the block does through this Database (on SQLite it
        takes the write lock at its first statement). Rolled back unless `commit()` is called."""
        async with self._write() as session:
            unit = Unit(self, session)
            token, pinned = _unit.set(unit), PINNED.set(session)
            try:
                await session.begin()
                yield unit
            finally:
                PINNED.reset(pinned)
                _unit.reset(token)
                if session.in_transaction():
                    await unit.rollback()

    async def start(self) -> None:
        await self.rows.start()

    async def dispose(self) -> None:
        await self.rows.close()
        await self.engine.dispose()
        if self.direct is not self.engine:
            await self.direct.dispose()


class Unit:
    """A request's one transaction (`Database.unit()`)."""

    def __init__(self, db: Database, session: AsyncSession) -> None:
        self.db, self.session = db, session

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        # What the block queued on the session (live updates) goes if the block rolls back.
        saved = {k: list(v) if isinstance(v, list) else v for k, v in self.session.info.items()}
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            self.session.info.clear()
            self.session.info.update(saved)
            raise

    async def commit(self) -> None:
        await self.session.commit()
        for after in self.db.after_commit:
            after(self.session)

    async def rollback(self) -> None:
        """Roll back; on a connection already lost there is nothing left to undo."""
        try:
            await self.session.rollback()
        except Exception:
            await self.session.invalidate()


_unit: ContextVar[Unit | None] = ContextVar("database_unit", default=None)
