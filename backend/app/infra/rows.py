"""Rows of the hot read statements (incident list and detail), without an ORM session.

Statements are SQLAlchemy Core, built once per shape by the services. On PostgreSQL each is
compiled once to asyncpg's SQL and sent through a plain asyncpg pool: no session, no greenlet
hop, no per-call compilation or result processing (in process, the ORM path cost 2.3 ms of
CPU for an incident with its timeline). Elsewhere (SQLite) the engine runs the same statement.
Either way a row reads like a mapping: `row["title"]`. jsonb columns are parsed by orjson.
Inside a unit of work (db.py), the unit's session answers instead: its reads see its writes.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import asyncpg
import orjson
from sqlalchemy import ARRAY, any_, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import Select

from app.infra.lean_pool import LeanPool
from app.infra.sqlite_rows import SqliteReaders, SqliteStatements

T = TypeVar("T")

Row = Mapping[Any, Any]
# A connection that failed like this is not handed out again: the pool opens a fresh one.
# (A backend killed while the connection sat idle can leave asyncpg's protocol mid-operation:
# the next query fails with InternalClientError instead of a connection error.)
BROKEN = (asyncpg.InterfaceError, asyncpg.InternalClientError, asyncpg.PostgresConnectionError,
          OSError)
Statement = Select[Any]
# The session of the unit of work the current request runs in (set by db.Database.unit).
PINNED: ContextVar[AsyncSession | None] = ContextVar("pinned_session", default=None)
# Set by infra/tracing.py while tracing is on: a span around each statement sent here.
statement_span: Callable[[str], AbstractContextManager[Any]] | None = None


class RowReader(Protocol):
    async def all(self, stmt: Statement, **params: Any) -> Sequence[Row]: ...

    async def explain(self, stmt: Statement, **params: Any) -> Any:
        """PostgreSQL's EXPLAIN (FORMAT JSON) of the statement, parsed."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]

    def args(self, params: dict[str, Any]) -> list[Any]:
        """asyncpg's positional arguments: the call's values, else those built into the statement."""
        return [params[n] if n in params else self.defaults[n] for n in self.names]


async def _fetch(conn: asyncpg.Connection, c: _Compiled, params: dict[str, Any]) -> Sequence[Row]:
    rows: Sequence[Row]
    if statement_span is None:
        rows = await conn.fetch(c.sql, *c.args(params))
        return rows
    with statement_span(c.sql):
        rows = await conn.fetch(c.sql, *c.args(params))
    return rows


class _AsyncpgReader:
    def __init__(self, conn: asyncpg.Connection, compiled: "PgStatements") -> None:
        self.conn, self.compiled = conn, compiled

    async def all(self, stmt: Statement, **params: Any) -> Sequence[Row]:
        return await _fetch(self.conn, self.compiled.get(stmt), params)

    async def explain(self, stmt: Statement, **params: Any) -> Any:
        c = self.compiled.get(stmt)
        return orjson.loads(await self.conn.fetchval(f"EXPLAIN (FORMAT JSON) {c.sql}", *c.args(params)))


class _SqliteReader:
    def __init__(self, readers: SqliteReaders, compiled: SqliteStatements, engine: AsyncEngine) -> None:
        self.readers, self.compiled, self.engine = readers, compiled, engine

    async def all(self, stmt: Statement, **params: Any) -> Sequence[Row]:
        c = self.compiled.get(stmt)
        if c is None:
            async with self.engine.connect() as conn:
                return await SessionReader(conn).all(stmt, **params)
        if statement_span is None:
            return await self.readers.fetch(c, params)
        with statement_span(c.sql):
            return await self.readers.fetch(c, params)

    async def explain(self, stmt: Statement, **params: Any) -> Any:
        raise NotImplementedError("EXPLAIN (FORMAT JSON) is PostgreSQL's")


def member_of(column: Any, name: str, type_: Any, dialect: str) -> Any:
    """`column` in the bound list `name`: `= ANY($n)` of an array on PostgreSQL, so the
    statement text is the same whatever the number of values (compiled once for asyncpg);
    an expanding IN list elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(type_)))
    return column.in_(bindparam(name, expanding=True))


class AttrRow(dict[str, Any]):
    """A row as a dict whose columns also read as attributes (`row.id` as `row["id"]`), as
    SQLAlchemy's rows read: what `in_transaction` returns on either database."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def _mapping(self) -> "AttrRow":
        return self


@dataclass(frozen=True)
class _BoundCompiled(_Compiled):
    """A statement for a session's own asyncpg connection, whose codecs are SQLAlchemy's: the
    values go through the same bind processors SQLAlchemy applies (JSON serialised, UTC)."""

    binds: dict[str, Callable[[Any], Any]]
    writes: bool  # an INSERT, UPDATE or DELETE (a CTE that writes included)

    def args(self, params: dict[str, Any]) -> list[Any]:
        out = []
        for name in self.names:
            value = params[name] if name in params else self.defaults[name]
            process = self.binds.get(name)
            out.append(process(value) if process is not None and value is not None else value)
        return out


class _SessionStatements:
    """Core statements compiled once for the sessions' asyncpg connections; None for one this
    path does not take (expanding IN lists, literal-rendered values, Python-side column
    defaults: SQLAlchemy runs those)."""

    def __init__(self) -> None:
        self._compiled: dict[Any, _BoundCompiled | None] = {}

    def get(self, stmt: Any, dialect: Any) -> _BoundCompiled | None:
        if stmt in self._compiled:
            return self._compiled[stmt]
        c = stmt.compile(dialect=dialect)
        names = tuple(c.positiontup or ())
        found = None
        # Nor one with a column default computed in Python before it runs (SQLAlchemy's
        # prefetch): this path would send NULL.
        if not (c.post_compile_params or c.literal_execute_params or c.insert_prefetch
                or c.update_prefetch):
            found = _BoundCompiled(
                str(c), names, {n: c.params.get(n) for n in names},
                {n: p for n, p in c._bind_processors.items() if n in names and callable(p)},
                bool(c.isinsert or c.isupdate or c.isdelete))
        if len(self._compiled) > 1000:
            self._compiled.clear()
        self._compiled[stmt] = found
        return found


_SESSION_STATEMENTS = _SessionStatements()
# Set on the connection's info when a statement sent here wrote (the metrics answers forget
# theirs when such a transaction commits; SQLAlchemy's own statements are seen by its events).
WROTE = "metrics_answers_wrote"


async def _on_session(session: AsyncSession, stmt: Any, params: Mapping[str, Any]
                      ) -> Sequence[Any] | None:
    """`stmt`'s rows, run in the session's transaction straight on its asyncpg connection
    (PostgreSQL): SQLAlchemy's execution path (context, compiled-cache key, result
    processing) cost 250-300 us of CPU a statement in a write, against about 90 us here.
    None where this path does not apply (SQLite, a statement it does not take): the caller
    runs it through SQLAlchemy. Pending ORM changes are flushed first, as SQLAlchemy's
    autoflush would; the transaction is begun as SQLAlchemy's first statement would begin it
    (the adapter's own lock and BEGIN, so the two never interleave on the connection)."""
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        return None
    c = _SESSION_STATEMENTS.get(stmt, bind.dialect)
    if c is None:
        return None
    if session.new or session.dirty or session.deleted:
        await session.flush()
    conn = await session.connection()
    adapted: Any = (await conn.get_raw_connection()).dbapi_connection
    args = c.args(dict(params))
    if c.writes:
        conn.info[WROTE] = True
    async with adapted._execute_mutex:
        if adapted._transaction is None:
            await adapted._start_transaction()
        driver = adapted._connection
        if statement_span is None:
            rows: Sequence[Any] = await driver.fetch(c.sql, *args)
            return rows
        with statement_span(c.sql):
            rows = await driver.fetch(c.sql, *args)
            return rows


async def in_transaction(session: AsyncSession, stmt: Any, params: Mapping[str, Any] | None = None
                         ) -> list[AttrRow]:
    """The rows of one Core statement (a write with RETURNING, or a read) in the session's
    transaction, each an `AttrRow`: on PostgreSQL through `_on_session`, else SQLAlchemy."""
    params = params or {}
    raw = await _on_session(session, stmt, params)
    if raw is not None:
        return [AttrRow(r.items()) for r in raw]
    result: Any = await session.execute(stmt, params)
    # An ORM-enabled result always has rows; a Core one says whether it has any.
    return [AttrRow(r._mapping) for r in result] if getattr(result, "returns_rows", True) else []


class SessionReader:
    """The same reads through SQLAlchemy: on SQLite, on PostgreSQL without the direct pool, and
    inside a session's transaction (writes that answer with what they wrote; on PostgreSQL
    straight on the session's connection, `_on_session`)."""

    def __init__(self, target: AsyncSession | AsyncConnection) -> None:
        self.target = target

    async def all(self, stmt: Statement, **params: Any) -> Sequence[Row]:
        if isinstance(self.target, AsyncSession):
            raw = await _on_session(self.target, stmt, params)
            if raw is not None:
                return raw
        rows: Sequence[Row] = (await self.target.execute(stmt, params)).mappings().all()
        return rows

    async def explain(self, stmt: Statement, **params: Any) -> Any:
        conn = (self.target if isinstance(self.target, AsyncConnection)
                else await self.target.connection())
        compiled = stmt.compile(dialect=conn.dialect)
        bound = compiled.construct_params(params)
        positional = tuple(bound[name] for name in compiled.positiontup or ())
        raw = (await conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", positional)).scalar_one()
        return orjson.loads(raw) if isinstance(raw, (str, bytes)) else raw


async def _in_turn(reads: Sequence[Callable[[RowReader], Awaitable[Any]]], reader: RowReader) -> list[Any]:
    return [await read(reader) for read in reads]


class PgStatements:
    """Core statements compiled for asyncpg, each once (statements are built once per shape)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.dialect = engine.dialect
        self._compiled: dict[Statement, _Compiled] = {}

    def get(self, stmt: Statement) -> _Compiled:
        found = self._compiled.get(stmt)
        if found is None:
            c = stmt.compile(dialect=self.dialect)
            names = tuple(c.positiontup or ())
            found = _Compiled(str(c), names, {n: c.params.get(n) for n in names})
            if len(self._compiled) > 1000:
                self._compiled.clear()
            self._compiled[stmt] = found
        return found


async def _jsonb_by_orjson(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", schema="pg_catalog", format="text",
                              encoder=lambda v: orjson.dumps(v).decode(), decoder=orjson.loads)


class Rows:
    """Where the hot reads get their rows; `Database.rows` is the one per app."""

    def __init__(self, engine: AsyncEngine, pool_size: int, *, statement_cache: bool = True,
                 connect_timeout: float = 60.0) -> None:
        self.engine = engine
        self.pool_size = pool_size
        # Off behind PgBouncer's transaction pooling: unnamed statements only (db.make_engine).
        self.statement_cache = statement_cache
        self.connect_timeout = connect_timeout
        self._pool: LeanPool | None = None
        self._statements = PgStatements(engine) if engine.dialect.name == "postgresql" else None
        # SQLite's counterpart of the pool: reader threads with their own sqlite3 connections.
        self._sqlite: SqliteReaders | None = None
        self._sqlite_statements = (SqliteStatements(engine.dialect)
                                   if engine.dialect.name == "sqlite" else None)

    async def start(self) -> None:
        if self._sqlite_statements is not None and self._sqlite is None:
            database = self.engine.url.database
            if database is not None and SqliteReaders.usable(database):
                self._sqlite = SqliteReaders(database, self.pool_size)
            return
        if self._statements is None or self._pool is not None:
            return
        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

        async def connect() -> asyncpg.Connection:
            conn = await asyncpg.connect(dsn, timeout=self.connect_timeout,
                                         statement_cache_size=100 if self.statement_cache else 0)
            try:
                await _jsonb_by_orjson(conn)
            except BaseException:
                conn.terminate()
                raise
            return conn

        self._pool = await LeanPool.open(connect, self.pool_size)

    @property
    def started(self) -> bool:
        return self._pool is not None

    async def value(self, sql: str) -> Any:
        """One value of a plain SQL query (PostgreSQL, the direct pool started)."""
        assert self._pool is not None, "Rows.start() first"
        async with self._connection(self._pool) as conn:
            return await conn.fetchval(sql)

    async def close(self) -> None:
        readers, self._sqlite = self._sqlite, None
        if readers is not None:
            await asyncio.to_thread(readers.close)
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def _connection(self, pool: LeanPool) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; one that broke under a statement is dropped, not reused."""
        async with pool.acquire() as conn:
            try:
                yield conn
            except BROKEN:
                conn.terminate()
                raise

    async def concurrently(
        self, calls: Sequence[tuple[Statement, dict[str, Any]]], work_mem: str
    ) -> list[Sequence[Row]]:
        """Each statement at once on its own pooled connection, in a transaction with
        `work_mem` raised for it alone (SET LOCAL). Without the direct pool (SQLite, or a
        Database never started, as the benchmark's statement capture): one after another on
        one connection, `work_mem` raised for the session and reset after."""
        if self._pool is None or self._statements is None or PINNED.get() is not None:
            return await self._one_by_one(calls, work_mem)
        pool, statements = self._pool, self._statements

        async def one(stmt: Statement, params: dict[str, Any]) -> Sequence[Row]:
            c = statements.get(stmt)
            async with self._connection(pool) as conn, conn.transaction():
                await conn.execute(f"SET LOCAL work_mem = '{work_mem}'")
                return await _fetch(conn, c, params)

        return list(await asyncio.gather(*(one(stmt, params) for stmt, params in calls)))

    async def _one_by_one(
        self, calls: Sequence[tuple[Statement, dict[str, Any]]], work_mem: str
    ) -> list[Sequence[Row]]:
        pinned = PINNED.get()
        if pinned is not None:
            return await self._on(await pinned.connection(), calls, work_mem)
        async with self.engine.connect() as conn:
            return await self._on(conn, calls, work_mem)

    @staticmethod
    async def _on(
        conn: AsyncConnection, calls: Sequence[tuple[Statement, dict[str, Any]]], work_mem: str
    ) -> list[Sequence[Row]]:
        postgresql = conn.dialect.name == "postgresql"
        if postgresql:
            await conn.exec_driver_sql(f"SET work_mem = '{work_mem}'")
        try:
            reader = SessionReader(conn)
            return [await reader.all(stmt, **params) for stmt, params in calls]
        finally:
            if postgresql:
                await conn.exec_driver_sql("RESET work_mem")

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[RowReader]:
        """One connection for a few statements (autocommit: each sees its own snapshot)."""
        pinned = PINNED.get()
        if pinned is not None:
            yield SessionReader(pinned)
        elif self._pool is not None and self._statements is not None:
            async with self._connection(self._pool) as conn:
                yield _AsyncpgReader(conn, self._statements)
        elif self._sqlite is not None and self._sqlite_statements is not None:
            yield _SqliteReader(self._sqlite, self._sqlite_statements, self.engine)
        else:
            async with self.engine.connect() as conn:
                yield SessionReader(conn)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[RowReader]:
        """`reader()` in one read-only transaction whose statements all see the same data
        (REPEATABLE READ on PostgreSQL; on SQLite a read transaction is one snapshot), for
        figures added up from several statements. Inside a unit of work: the unit's."""
        pinned = PINNED.get()
        if pinned is not None:
            yield SessionReader(pinned)
        elif self._pool is not None and self._statements is not None:
            async with (self._connection(self._pool) as conn,
                        conn.transaction(isolation="repeatable_read", readonly=True)):
                yield _AsyncpgReader(conn, self._statements)
        else:
            async with self.engine.connect() as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    await conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield SessionReader(conn)

    async def consistent(self, read: Callable[[RowReader], Awaitable[T]]) -> T:
        """`read` run on one `snapshot()`: figures added up from several statements. A read
        replica runs it again on the primary when it cannot (replica.ReplicaRows)."""
        async with self.snapshot() as reader:
            return await read(reader)

    async def apart(self, reads: Sequence[Callable[[RowReader], Awaitable[Any]]]) -> list[Any]:
        """`reads` at once, each on its own pooled connection, all in one snapshot (the first
        transaction's, exported to the others: PostgreSQL's `SET TRANSACTION SNAPSHOT`), for
        figures added up from statements that each take a while. On SQLite at once on the
        reader threads, kept only if no commit landed meanwhile (`_sqlite_apart`). Inside a
        unit of work, or without either: one after another on one `consistent` snapshot."""
        if len(reads) < 2 or PINNED.get() is not None:
            return await self.consistent(lambda reader: _in_turn(reads, reader))
        pool, statements = self._pool, self._statements
        if pool is None or statements is None:
            together = await self._sqlite_apart(reads)
            if together is not None:
                return together
            return await self.consistent(lambda reader: _in_turn(reads, reader))
        async with AsyncExitStack() as stack:
            conns = []
            snapshot = None
            for _ in reads:
                conn = await stack.enter_async_context(self._connection(pool))
                await stack.enter_async_context(
                    conn.transaction(isolation="repeatable_read", readonly=True))
                if snapshot is None:
                    snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
                else:
                    await conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                conns.append(conn)
            return list(await asyncio.gather(*(
                read(_AsyncpgReader(conn, statements)) for read, conn in zip(reads, conns, strict=True))))

    async def _sqlite_apart(self, reads: Sequence[Callable[[RowReader], Awaitable[Any]]],
                            tries: int = 2) -> list[Any] | None:
        """SQLite cannot share a snapshot between connections, but it counts commits: `reads`
        run at once on the reader threads (each statement its own autocommit read) saw one
        state if the data version is the same before and after them. None when there are no
        reader threads, or a commit landed during each try (the caller then reads in turn in
        one transaction)."""
        readers, statements = self._sqlite, self._sqlite_statements
        if readers is None or statements is None:
            return None
        for _ in range(tries):
            before = readers.version.read()
            if before is None:
                return None
            out = await asyncio.gather(*(
                read(_SqliteReader(readers, statements, self.engine)) for read in reads))
            if readers.version.read() == before:
                return list(out)
        return None

    @asynccontextmanager
    async def reader_with(self, settings: Mapping[str, str]) -> AsyncIterator[RowReader]:
        """`reader()` inside one transaction that has `settings` (PostgreSQL run-time
        parameters, as pg_trgm.similarity_threshold) SET LOCAL for it alone; SQLite has none
        of them and reads as `reader()` does."""
        pinned = PINNED.get()
        if self.engine.dialect.name != "postgresql":
            async with self.reader() as reader:
                yield reader
        elif pinned is not None:  # inside a unit of work: its transaction, to its end
            for name, value in settings.items():
                await pinned.execute(_SET_LOCAL, {"name": name, "value": value})
            yield SessionReader(pinned)
        elif self._pool is not None and self._statements is not None:
            async with self._connection(self._pool) as conn, conn.transaction():
                for name, value in settings.items():
                    await conn.execute("SELECT set_config($1, $2, true)", name, value)
                yield _AsyncpgReader(conn, self._statements)
        else:
            async with self.engine.connect() as conn, conn.begin():
                for name, value in settings.items():
                    await conn.execute(_SET_LOCAL, {"name": name, "value": value})
                yield SessionReader(conn)


_SET_LOCAL = text("SELECT set_config(:name, :value, true)")
