"""Start-up on an empty database: migrate and seed once, however many replicas start together."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db import Database, make_engine
from app.main import create_app
from app.models import Incident, Runbook, Service, User
from tests.conftest import PG_URL_PREFIX, _pg_admin, test_settings


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("pg_template")  # skips (or fails in CI) without PostgreSQL
    name = f"ic_empty_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield PG_URL_PREFIX + name
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _start_and_stop(url: str) -> None:
    app = create_app(test_settings(url))
    async with app.router.lifespan_context(app):
        pass


async def _counts(url: str) -> dict[str, int]:
    db = Database(make_engine(test_settings(url)))
    try:
        async with db.read() as session:
            counts = {
                model.__tablename__: await session.scalar(select(func.count()).select_from(model))
                for model in (User, Service, Runbook, Incident)
            }
            counts["alembic_version"] = await session.scalar(
                text("SELECT count(*) FROM alembic_version"))
            return counts  # type: ignore[return-value]
    finally:
        await db.dispose()


async def test_replicas_starting_together_migrate_and_seed_once(empty_database: str) -> None:
    await asyncio.gather(*(_start_and_stop(empty_database) for _ in range(4)))
    first = await _counts(empty_database)
    assert first == {"users": 3, "services": 4, "runbooks": 4, "incidents": 1, "alembic_version": 1}
    await _start_and_stop(empty_database)
    assert await _counts(empty_database) == first, "a restart seeds nothing twice"


async def test_demo_users_have_their_roles(empty_database: str) -> None:
    await _start_and_stop(empty_database)
    db = Database(make_engine(test_settings(empty_database)))
    try:
        async with db.read() as session:
            roles = dict((await session.execute(select(User.username, User.role))).all())
    finally:
        await db.dispose()
    assert roles == {"jordan": "admin", "avery": "responder", "morgan": "viewer"}
