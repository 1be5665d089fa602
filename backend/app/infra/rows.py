"""Rows of the hot read statements (incident list and detail), without an ORM session.

Statements are SQLAlchemy Core, built once per shape by the services. On PostgreSQL each is
compiled once to asyncpg's SQL and sent through a plain asyncpg pool: no session, no greenlet
hop, no per-call compilation or result processing (in process, the ORM path cost 2.3 ms of
CPU for an incident with its timeline). Elsewhere (SQLite) the engine runs the same statement.
Either way a row reads like a mapping: `row["title"]`. jsonb columns are parsed by orjson.
Inside a unit of work (db.py), the unit's session answers instead: its reads see its writes.
Inside a write's transaction on PostgreSQL, its statements go straight on the session's own
asyncpg connection (`in_transaction`).

This module is how one statement runs on each executor; which executor and connection a read
gets (the pool, snapshots, the reader threads) is infra/hot_reads.py's `Rows`.
"""

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import asyncpg
import orjson
from sqlalchemy import ARRAY, any_, bindparam
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.sql import Select

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


async def fetch_rows(conn: asyncpg.Connection, c: _Compiled, params: dict[str, Any]) -> Sequence[Row]:
    """A compiled statement's rows on an asyncpg connection, in a statement span when tracing."""
    rows: Sequence[Row]
    if statement_span is None:
        rows = await conn.fetch(c.sql, *c.args(params))
        return rows
    with statement_span(c.sql):
        rows = await conn.fetch(c.sql, *c.args(params))
    return rows


class AsyncpgReader:
    def __init__(self, conn: asyncpg.Connection, compiled: "PgStatements") -> None:
        self.conn, self.compiled = conn, compiled

    async def all(self, stmt: Statement, **params: Any) -> Sequence[Row]:
        return await fetch_rows(self.conn, self.compiled.get(stmt), params)

    async def explain(self, stmt: Statement, **params: Any) -> Any:
        c = self.compiled.get(stmt)
        return orjson.loads(await self.conn.fetchval(f"EXPLAIN (FORMAT JSON) {c.sql}", *c.args(params)))


class SqliteReader:
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


def dialect_of(session: AsyncSession) -> str:
    """The database a session writes to: "postgresql", "sqlite" ("" when unbound)."""
    return session.bind.dialect.name if session.bind is not None else ""


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
    if dialect_of(session) != "postgresql":
        return None
    assert session.bind is not None
    c = _SESSION_STATEMENTS.get(stmt, session.bind.dialect)
    if c is None:
        return None
    if session.new or session.dirty or session.deleted:
        await session.flush()
    conn = await session.connection()
    adapted: Any = (await conn.get_raw_connection()).dbapi_connection
    if c.writes:
        conn.info[WROTE] = True
    async with adapted._execute_mutex:
        if adapted._transaction is None:
            await adapted._start_transaction()
        return await fetch_rows(adapted._connection, c, dict(params))


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
