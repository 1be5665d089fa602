"""The replica's rows for the hot reads (infra/hot_reads.py's Rows on the replica's asyncpg
pool), and the way back to the primary's: a statement the replica cannot answer (down,
restarting, or a read cancelled by replay) is answered by the primary, and the failure is
reported to the routing's circuit breaker (infra/replica.py)."""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.infra.hot_reads import Rows, in_turn
from app.infra.rows import BROKEN, PINNED, AsyncpgReader, Row, RowReader, Statement, T

CONNECT_TIMEOUT = 2.0
# What a replica that is down, restarting or unreachable raises.
DOWN = (*BROKEN, TimeoutError, asyncpg.exceptions.OperatorInterventionError, DBAPIError)
# A standby cancels a read that conflicts with replay (SQLSTATE 40001): the primary answers it.
CONFLICT = (asyncpg.SerializationError,)


class _ReplicaReader:
    """The replica's rows; a statement it cannot answer is answered by the primary."""

    def __init__(self, replica: RowReader, rows: "ReplicaRows", stack: AsyncExitStack) -> None:
        self.replica, self.rows, self.stack = replica, rows, stack
        self.primary: RowReader | None = None
        self.broken = False

    async def _on_primary(self) -> RowReader:
        if self.primary is None:
            self.primary = await self.stack.enter_async_context(self.rows.primary.reader())
        return self.primary

    async def all(self, stmt: Statement, **params: Any) -> Sequence[Row]:
        if self.primary is None:
            try:
                return await self.replica.all(stmt, **params)
            except CONFLICT:
                pass
            except DOWN as exc:
                self.broken = True
                self.rows.lost(exc)
        return await (await self._on_primary()).all(stmt, **params)

    async def explain(self, stmt: Statement, **params: Any) -> Any:
        return await (self.primary or self.replica).explain(stmt, **params)


class ReplicaRows(Rows):
    """The hot reads' rows from the replica's asyncpg pool, the primary's when it fails."""

    def __init__(self, engine: AsyncEngine, pool_size: int, primary: Rows,
                 lost: Callable[[BaseException], None], statement_cache: bool) -> None:
        super().__init__(engine, pool_size, statement_cache=statement_cache,
                         connect_timeout=CONNECT_TIMEOUT)
        self.primary, self.lost = primary, lost

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[RowReader]:
        pool, statements = self._pool, self._statements
        if pool is None or statements is None or PINNED.get() is not None:
            async with self.primary.reader() as reader:
                yield reader
            return
        try:
            # No wait limit: a pool busy with reads is not a replica down (connecting is
            # bounded by CONNECT_TIMEOUT).
            conn = await pool.acquire()
        except DOWN as exc:
            self.lost(exc)
            async with self.primary.reader() as reader:
                yield reader
            return
        async with AsyncExitStack() as stack:
            fallback = _ReplicaReader(AsyncpgReader(conn, statements), self, stack)
            try:
                yield fallback
            finally:
                if fallback.broken:
                    conn.terminate()
                await pool.release(conn)

    async def apart(self, reads: Sequence[Callable[[RowReader], Awaitable[Any]]]) -> list[Any]:
        """On a standby: one after another in one snapshot (`consistent`), not exported."""
        return await self.consistent(lambda reader: in_turn(reads, reader))

    async def consistent(self, read: Callable[[RowReader], Awaitable[T]]) -> T:
        """The whole read on the replica's snapshot, else all of it again on the primary's
        (never half from each: the figures must add up)."""
        if self._pool is not None and PINNED.get() is None:
            try:
                return await super().consistent(read)
            except CONFLICT:
                pass
            except DOWN as exc:
                self.lost(exc)
        return await self.primary.consistent(read)

    async def concurrently(
        self, calls: Sequence[tuple[Statement, dict[str, Any]]], work_mem: str
    ) -> list[Sequence[Row]]:
        if self._pool is not None and PINNED.get() is None:
            try:
                return await super().concurrently(calls, work_mem)
            except CONFLICT:
                pass
            except DOWN as exc:
                self.lost(exc)
        return await self.primary.concurrently(calls, work_mem)
