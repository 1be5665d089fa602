"""Helpers for the security tier: the running app's settings and direct database access."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.config import Settings
from app.db import Database


@pytest.fixture
def settings(app: FastAPI) -> Settings:
    s: Settings = app.state.settings
    return s


@pytest.fixture
def db(app: FastAPI) -> Database:
    d: Database = app.state.db
    return d


@pytest.fixture
def sql(db: Database) -> Callable[..., Any]:
    """Run one statement in its own transaction, as an operator with a SQL console would."""

    async def run(statement: str, **params: Any) -> Any:
        async with db.engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return result.all() if result.returns_rows else result.rowcount

    return run


# A change to a user made in SQL reaches this replica's cached callers by NOTIFY, a moment
# after the commit (services/callers.py); SQLite and API-made changes apply at once.
LOCKOUT_WITHIN = 2.0


async def status_within(client: httpx.AsyncClient, headers: dict[str, str], expected: int) -> float:
    """Seconds until GET /auth/me answers `expected` (fails after LOCKOUT_WITHIN)."""
    start = time.monotonic()
    while True:
        status = (await client.get("/auth/me", headers=headers)).status_code
        waited = time.monotonic() - start
        if status == expected:
            return waited
        assert waited < LOCKOUT_WITHIN, f"still {status} after {waited:.2f}s"
        await asyncio.sleep(0.01)
