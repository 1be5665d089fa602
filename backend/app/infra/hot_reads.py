"""Where the hot reads get their rows (`Rows`, `Database.rows`): on PostgreSQL a pool of plain
asyncpg connections (infra/lean_pool.py) with their snapshots, exported snapshots and
per-statement settings; on SQLite the reader threads (infra/sqlite_rows.py); inside a unit of
work, the unit's session. How one statement runs on each of them is infra/rows.py's.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.infra.lean_pool import LeanPool
from app.infra.rows import (
    BROKEN,
    PINNED,
    AsyncpgReader,
    PgStatements,
    Row,
    RowReader,
    SessionReader,
    SqliteReader,
    Statement,
    T,
    fetch_rows,
)
from app.infra.sqlite_rows import SqliteReaders, SqliteStatements


async def in_turn(reads: Sequence[Callable[[RowReader], Awaitable[Any]]], reader: RowReader) -> list[Any]:
    """`reads` one after another on one reader (what `apart` falls back to)."""
    return [await read(reader) for read in reads]


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
                return await fetch_rows(conn, c, params)

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
                yield AsyncpgReader(conn, self._statements)
        elif self._sqlite is not None and self._sqlite_statements is not None:
            yield SqliteReader(self._sqlite, self._sqlite_statements, self.engine)
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
                yield AsyncpgReader(conn, self._statements)
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
            return await self.consistent(lambda reader: in_turn(reads, reader))
        pool, statements = self._pool, self._statements
        if pool is None or statements is None:
            together = await self._sqlite_apart(reads)
            if together is not None:
                return together
            return await self.consistent(lambda reader: in_turn(reads, reader))
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
                read(AsyncpgReader(conn, statements)) for read, conn in zip(reads, conns, strict=True))))

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
                read(SqliteReader(readers, statements, self.engine)) for read in reads))
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
                yield AsyncpgReader(conn, self._statements)
        else:
            async with self.engine.connect() as conn, conn.begin():
                for name, value in settings.items():
                    await conn.execute(_SET_LOCAL, {"name": name, "value": value})
                yield SessionReader(conn)


_SET_LOCAL = text("SELECT set_config(:name, :value, true)")
