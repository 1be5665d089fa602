"""The floors for the concurrency runs: a bare FastAPI app served exactly like the real one.

GET /const returns a constant; GET /select1 runs SELECT 1 through an asyncpg pool the size of
the app's SQLAlchemy pool. Nothing else: no auth, no ORM, no pydantic models.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/ic_bench")
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "10"))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_SIZE)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/const")
async def const() -> dict[str, bool]:
    return {"ok": True}


@app.get("/select1")
async def select1() -> dict[str, int]:
    async with app.state.pool.acquire() as conn:
        return {"one": await conn.fetchval("SELECT 1")}
