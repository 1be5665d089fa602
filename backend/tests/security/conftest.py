"""Helpers for the security tier: the running app's settings and direct database access."""

from collections.abc import Callable
from typing import Any

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
