"""The hot reads' connection pool (infra/lean_pool.py): a bound on connections, waiters
served in turn, broken connections replaced, transactions rolled back, cancellation safe."""

import asyncio
from typing import Any

import asyncpg
import pytest

from app.infra.lean_pool import LeanPool


class FakeConnection:
    def __init__(self, n: int) -> None:
        self.n = n
        self.closed = False
        self.in_transaction = False
        self.sent: list[str] = []

    def is_closed(self) -> bool:
        return self.closed

    def is_in_transaction(self) -> bool:
        return self.in_transaction

    async def execute(self, sql: str) -> None:
        self.sent.append(sql)
        if sql == "ROLLBACK":
            self.in_transaction = False

    def terminate(self) -> None:
        self.closed = True

    async def close(self) -> None:
        self.closed = True


class Opener:
    def __init__(self) -> None:
        self.made: list[FakeConnection] = []
        self.fail = False

    async def __call__(self) -> Any:
        await asyncio.sleep(0)
        if self.fail:
            raise OSError("connection refused")
        conn = FakeConnection(len(self.made))
        self.made.append(conn)
        return conn


async def test_at_most_size_connections_and_waiters_served_in_turn() -> None:
    opener = Opener()
    pool = await LeanPool.open(opener, 2)
    first, second = await pool.acquire(), await pool.acquire()
    assert len(opener.made) == 2
    order: list[int] = []

    async def wait(tag: int) -> None:
        conn = await pool.acquire()
        order.append(tag)
        await pool.release(conn)

    waiting = [asyncio.create_task(wait(t)) for t in (1, 2, 3)]
    await asyncio.sleep(0.01)
    assert order == [] and len(opener.made) == 2  # nobody got a third connection
    await pool.release(first)
    await pool.release(second)
    await asyncio.gather(*waiting)
    assert order == [1, 2, 3]
    assert len(opener.made) == 2
    await pool.close()


async def test_a_closed_connection_is_dropped_and_its_slot_opens_a_new_one() -> None:
    opener = Opener()
    pool = await LeanPool.open(opener, 1)
    async with pool.acquire() as conn:
        conn.terminate()  # as rows.py does when a statement broke it
    fresh = await pool.acquire()
    assert fresh is not conn and fresh.n == 1
    await pool.release(fresh)
    # One that died while idle is not handed out either.
    fresh.closed = True
    again = await pool.acquire()
    assert again.n == 2
    await pool.release(again)
    await pool.close()


async def _take(pool: LeanPool) -> Any:
    return await pool.acquire()


async def test_a_waiter_is_woken_when_a_broken_connection_frees_its_slot() -> None:
    opener = Opener()
    pool = await LeanPool.open(opener, 1)
    held = await pool.acquire()
    waiter = asyncio.create_task(_take(pool))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    held.terminate()
    await pool.release(held)
    got = await asyncio.wait_for(waiter, 1)
    assert got.n == 1
    await pool.release(got)
    await pool.close()


async def test_a_connection_left_in_a_transaction_is_rolled_back() -> None:
    pool = await LeanPool.open(Opener(), 1)
    async with pool.acquire() as conn:
        conn.in_transaction = True
    assert conn.sent == ["ROLLBACK"]
    assert await pool.acquire() is conn


async def test_a_cancelled_waiter_passes_the_connection_on() -> None:
    pool = await LeanPool.open(Opener(), 1)
    held = await pool.acquire()
    gives_up = asyncio.create_task(_take(pool))
    stays = asyncio.create_task(_take(pool))
    await asyncio.sleep(0.01)
    gives_up.cancel()
    await pool.release(held)
    assert await asyncio.wait_for(stays, 1) is held
    with pytest.raises(asyncio.CancelledError):
        await gives_up


async def test_a_failed_connect_frees_its_slot() -> None:
    opener = Opener()
    pool = await LeanPool.open(opener, 1)
    only = await pool.acquire()
    only.terminate()
    opener.fail = True
    await pool.release(only)
    with pytest.raises(OSError):
        await pool.acquire()
    opener.fail = False
    assert (await pool.acquire()).n == 1


async def test_close_closes_idle_and_returned_connections_and_refuses_more() -> None:
    pool = await LeanPool.open(Opener(), 2)
    idle = await pool.acquire()
    busy = await pool.acquire()
    await pool.release(idle)
    await pool.close()
    assert idle.closed and not busy.closed
    await pool.release(busy)
    assert busy.closed
    with pytest.raises(asyncpg.InterfaceError):
        await pool.acquire()
