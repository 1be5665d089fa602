"""SQLite's fast path for the hot reads (incident list and detail): what infra/hot_reads.py's asyncpg
pool is to PostgreSQL.

Through SQLAlchemy and aiosqlite, a list request cost a pool checkout with its reset, a
session, five or more hand-offs to aiosqlite's thread and back (cursor, execute, fetch,
close, rollback) and SQLAlchemy's result machinery per statement. Here each Core statement is
compiled once for SQLite, its bind and result processors (the same SQLAlchemy ones the engine
would apply) picked once, and it runs on a plain sqlite3 connection: the event loop's own
for a statement that last took under INLINE_BELOW, else one of a few reader threads' (one
hand-off). Rows are plain dicts (`row["title"]`), so the read model
(services/incidents/reads.py) turns them into the same payload as on PostgreSQL.

Readers' connections are on the same file, made read-only (query_only); in WAL they never
block the writer nor wait for it. They keep a large page cache and map the file in memory.
In autocommit, each statement reads the latest commit, so a request sees the writes its
caller made before it.
"""

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select

from app.models.base import UTCDateTime

Row = Mapping[Any, Any]
Statement = Select[Any]
log = logging.getLogger(__name__)
# A statement whose last run took less than this runs on the event loop's own connection: a
# hand-off to a reader thread and back costs two thread wake-ups, more than such a statement
# (on a busy 2-core machine, 5-10 ms against 0.3 ms for an incident's detail). Longer ones
# (a count over 100,000 incidents, a free-text scan) go to a reader thread, so the loop
# never waits on them.
INLINE_BELOW = 0.002

READER_PRAGMAS = (
    "PRAGMA query_only=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA cache_size=-65536",  # 64 MiB of pages per reader
    "PRAGMA mmap_size=268435456",  # the first 256 MiB of the file read from the page cache
    "PRAGMA temp_store=MEMORY",
)


def _utc(value: Any) -> datetime | None:
    """UTCDateTime's read (naive UTC text in, aware UTC out), without SQLAlchemy's regex (nor
    `replace(tzinfo=...)`, five times the parse's own cost)."""
    if value is None:
        return None
    return datetime.fromisoformat(value + "+00:00")


def _row_maker(keys: Sequence[str], processors: Sequence[Callable[[Any], Any] | None]
               ) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    """One function per statement that turns a row tuple into its dict in one expression
    (`{"id": r[0], "created_at": p1(r[1]), ...}`), as SQLAlchemy builds its own row getters:
    a loop over the columns cost 80 us a row."""
    scope: dict[str, Any] = {}
    items = []
    for i, (key, process) in enumerate(zip(keys, processors, strict=True)):
        if process is None:
            items.append(f"{key!r}: r[{i}]")
        else:
            scope[f"p{i}"] = process
            items.append(f"{key!r}: p{i}(r[{i}])")
    exec(f"def make(r):\n    return {{{', '.join(items)}}}\n", scope)
    make: Callable[[tuple[Any, ...]], dict[str, Any]] = scope["make"]
    return make


def _result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime):
        return _utc
    if isinstance(type_, JSON):
        return lambda v: None if v is None else orjson.loads(v)
    processor: Callable[[Any], Any] | None = type_._cached_result_processor(dialect, None)
    return processor


@dataclass
class _Compiled:
    """One statement as sqlite3 takes it: SQL with `?`s, its parameters in order, and the
    processors SQLAlchemy would apply to each bound value and each column."""

    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    binds: dict[str, Callable[[Any], Any]]
    expanding: frozenset[str]
    make: Callable[[tuple[Any, ...]], dict[str, Any]]
    by_lengths: dict[tuple[int, ...], str] = field(default_factory=dict)
    # How long its last run took; unknown at first (so, sent to a reader thread).
    seconds: float = float("inf")

    def bind(self, params: dict[str, Any]) -> tuple[str, list[Any]]:
        args: list[Any] = []
        lengths: list[int] = []
        for name in self.names:
            value = params[name] if name in params else self.defaults[name]
            process = self.binds.get(name)
            if name in self.expanding:
                lengths.append(len(value))
                args.extend(process(v) for v in value) if process else args.extend(value)
            else:
                args.append(process(value) if process and value is not None else value)
        if not lengths:
            return self.sql, args
        key = tuple(lengths)
        sql = self.by_lengths.get(key)
        if sql is None:
            sql = self.sql
            for name, n in zip((n for n in self.names if n in self.expanding), lengths, strict=True):
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * n), 1)
            self.by_lengths[key] = sql
        return sql, args

    def rows(self, raw: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return list(map(self.make, raw))


class SqliteStatements:
    """Core statements compiled for sqlite3, each once (statements are built once per shape)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: dict[Statement, _Compiled | None] = {}

    def get(self, stmt: Statement) -> _Compiled | None:
        """None for a statement this path does not take (SQLAlchemy runs it instead)."""
        if stmt in self._compiled:
            return self._compiled[stmt]
        c = stmt.compile(dialect=self.dialect)
        names = tuple(c.positiontup or ())
        keys = tuple(entry.keyname for entry in c._result_columns)
        expanding = frozenset(p.key for p in c.post_compile_params)
        found: _Compiled | None = None
        # Empty IN lists and literal-rendered values are SQLAlchemy's to render; duplicate
        # column names would be ambiguous in a dict.
        if len(set(keys)) == len(keys) and not c.literal_execute_params and all(
                f"__[POSTCOMPILE_{n}]" in str(c) for n in expanding):
            processors = [_result_processor(entry.type, self.dialect) for entry in c._result_columns]
            found = _Compiled(
                str(c), names, {n: c.params.get(n) for n in names},
                {n: p for n, p in c._bind_processors.items() if n in names and callable(p)},
                expanding, _row_maker(keys, processors))
        if len(self._compiled) > 1000:
            self._compiled.clear()
        self._compiled[stmt] = found
        return found


class DataVersion:
    """SQLite's count of commits to the file by other connections, read on a connection of
    its own that never writes, so every commit (this process's included) moves it: equal
    before and after some reads, nothing committed in between, so they all saw one state."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)

    def read(self) -> int | None:
        try:
            # fetchall: the statement runs to its end, so no read transaction stays open
            return int(self._conn.execute("PRAGMA data_version").fetchall()[0][0])
        except sqlite3.Error:
            log.warning("could not read SQLite's data version", exc_info=True)
            return None

    def close(self) -> None:
        self._conn.close()


class SqliteReaders:
    """Read-only sqlite3 connections, one per reader thread, on the database file."""

    def __init__(self, path: str, threads: int) -> None:
        self.path = path
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sqlite-read")
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.version = DataVersion(path)

    @staticmethod
    def usable(database: str | None) -> bool:
        """A file database (not `:memory:`, whose readers would each see their own)."""
        return bool(database) and database != ":memory:" and not str(database).startswith("file:")

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            for pragma in READER_PRAGMAS:
                conn.execute(pragma)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _run(self, c: _Compiled, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        started = time.perf_counter()
        rows = self._connection().execute(sql, args).fetchall()
        c.seconds = time.perf_counter() - started
        return rows

    async def fetch(self, c: _Compiled, params: dict[str, Any]) -> list[dict[str, Any]]:
        sql, args = c.bind(params)
        if c.seconds < INLINE_BELOW:
            raw = self._run(c, sql, args)
        else:
            raw = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._run, c, sql, args)
        return c.rows(raw)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.version.close()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
