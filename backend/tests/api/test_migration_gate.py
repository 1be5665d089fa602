"""MIGRATE_ON_START=false (Kubernetes runs migrations in a Job before the rollout): the app
starts on a database at its schema or past it (a newer release's expanded schema, during a
rolling upgrade) and refuses one behind it or without one, saying what to run."""

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.db import Database, make_engine
from app.main import create_app
from app.startup import SchemaBehind, alembic_config
from tests.conftest import test_settings


async def _start(url: str) -> None:
    app = create_app(test_settings(url, migrate_on_start=False))
    async with app.router.lifespan_context(app):
        pass


async def _execute(url: str, sql: str) -> None:
    db = Database(make_engine(test_settings(url)))
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await db.dispose()


async def test_at_head_it_starts(database_url: str) -> None:
    await _start(database_url)


async def test_past_head_it_starts(database_url: str) -> None:
    await _execute(database_url, "UPDATE alembic_version SET version_num = '9999_a_newer_release'")
    await _start(database_url)


async def test_behind_head_it_refuses_and_says_what_to_run(database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_revision(script.get_current_head())
    assert head is not None and isinstance(head.down_revision, str)
    await _execute(database_url, f"UPDATE alembic_version SET version_num = '{head.down_revision}'")
    with pytest.raises(SchemaBehind, match=f"at {head.down_revision}.*alembic upgrade head"):
        await _start(database_url)


async def test_without_a_schema_it_refuses(database_url: str) -> None:
    await _execute(database_url, "DROP TABLE alembic_version")
    with pytest.raises(SchemaBehind, match=r"no schema.*alembic upgrade head"):
        await _start(database_url)
