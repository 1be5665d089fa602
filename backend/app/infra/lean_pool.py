"""The hot reads' asyncpg connections, kept on a free list (infra/hot_reads.py's pool).

asyncpg's own Pool spent about 100 us of CPU on each acquire and release (a holder per
connection, a timeout context and a shielded task per acquire): more than a short SELECT,
and every list or detail request takes a connection once. This keeps only what the reads
need of it:
- at most `size` connections, opened on demand by `connect` (the first at `open`);
- an idle one is handed out last in, first out; when none is idle and none may be opened,
  callers wait in turn, with no limit (connecting is bounded by `connect`'s own timeout);
- on release, a connection that closed (a statement broke it, or the caller terminated it)
  is dropped and its slot freed for a new one; one left inside a transaction is rolled back
  first, as asyncpg's reset would;
- `close` closes the idle ones and, as they come back, the ones in use.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from types import TracebackType
from typing import Any

import asyncpg

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class LeanPool:
    def __init__(self, connect: Connect, size: int) -> None:
        self._connect, self._size = connect, size
        self._idle: deque[asyncpg.Connection] = deque()
        self._opened = 0  # open or being opened, idle or in use
        # Each waiter gets a connection, or None: a slot is free to open one.
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._closed = False

    @classmethod
    async def open(cls, connect: Connect, size: int) -> "LeanPool":
        pool = cls(connect, size)
        pool._idle.append(await pool._new())
        return pool

    def acquire(self) -> "_Acquire":
        """`await pool.acquire()` (then `release`), or `async with pool.acquire() as conn`."""
        return _Acquire(self)

    async def _new(self) -> asyncpg.Connection:
        self._opened += 1
        try:
            return await self._connect()
        except BaseException:
            self._opened -= 1
            self._slot_freed()
            raise

    async def _take(self) -> asyncpg.Connection:
        while True:
            if self._closed:
                raise asyncpg.InterfaceError("the connection pool is closed")
            while self._idle:
                conn = self._idle.pop()
                if not conn.is_closed():
                    return conn
                self._opened -= 1  # closed while idle (the server went away)
            if self._opened < self._size:
                return await self._new()
            waiter: asyncio.Future[asyncpg.Connection | None] = (
                asyncio.get_running_loop().create_future())
            self._waiters.append(waiter)
            try:
                given = await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    handed = waiter.result()  # handed over as this caller gave up: pass it on
                    if handed is not None:
                        self._put(handed)
                    else:
                        self._slot_freed()
                else:
                    self._forget(waiter)
                raise
            if given is not None:
                return given

    async def release(self, conn: asyncpg.Connection) -> None:
        if not conn.is_closed() and conn.is_in_transaction():
            try:
                await conn.execute("ROLLBACK")
            except Exception:  # a connection that cannot roll back is dropped
                conn.terminate()
        if conn.is_closed():
            self._opened -= 1
            self._slot_freed()
            return
        self._put(conn)

    def _put(self, conn: asyncpg.Connection) -> None:
        if self._closed:
            conn.terminate()
            self._opened -= 1
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    def _slot_freed(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _forget(self, waiter: asyncio.Future[Any]) -> None:
        try:
            self._waiters.remove(waiter)
        except ValueError:
            pass

    async def close(self) -> None:
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the connection pool is closed"))
        idle, self._idle = list(self._idle), deque()
        for conn in idle:
            self._opened -= 1
            try:
                await asyncio.wait_for(conn.close(), 5)
            except Exception:  # closing anyway
                conn.terminate()


class _Acquire:
    __slots__ = ("_conn", "_pool")

    def __init__(self, pool: LeanPool) -> None:
        self._pool = pool
        self._conn: asyncpg.Connection | None = None

    def __await__(self) -> Generator[Any, None, asyncpg.Connection]:
        return self._pool._take().__await__()

    async def __aenter__(self) -> asyncpg.Connection:
        self._conn = await self._pool._take()
        return self._conn

    async def __aexit__(self, _type: type[BaseException] | None, _exc: BaseException | None,
                        _tb: TracebackType | None) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._pool.release(conn)
