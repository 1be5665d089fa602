"""Alembic is the only source of the schema: it goes down and up cleanly and matches the models."""

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.models import Base
from app.models.base import in_models
from app.startup import alembic_config


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True,
                          "include_object": in_models}
    )
    return compare_metadata(context, Base.metadata)


def _down_and_up(connection: Connection) -> tuple[list[str], list[str]]:
    command.downgrade(alembic_config(connection), "base")
    after_down = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
    command.upgrade(alembic_config(connection), "head")
    return after_down, inspect(connection).get_table_names()


async def test_downgrade_to_base_and_upgrade_to_head(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            after_down, after_up = await conn.run_sync(_down_and_up)
        assert after_down == []
        assert {"incidents", "incident_events", "rcas", "users", "services", "runbooks"} <= set(after_up)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_free_text_search_has_its_trigram_index_on_postgresql(database_url: str) -> None:
    """Migration 0009: where pg_trgm can be created (it can here), `q` is indexed."""
    if not database_url.startswith("postgresql"):
        return  # SQLite has no trigram index; its search stays a scan (documented)
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(
                lambda c: {i["name"] for i in inspect(c).get_indexes("incidents")})
        assert "ix_incidents_search_trgm" in names
    finally:
        await engine.dispose()
