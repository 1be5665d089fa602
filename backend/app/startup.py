"""Bring the database to the current schema and seed it, once, however many replicas start.

PostgreSQL: a session-level advisory lock serialises replicas. SQLite: a file lock beside
the database file does the same for processes on one machine.
"""

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from app.config import BACKEND_DIR, Settings
from app.db import Database
from app.services.seed import DEMO_PASSWORD, seed_demo_data
from app.services.users.accounts import Accounts

STARTUP_LOCK_KEY = 7_314_002_611


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config(str(BACKEND_DIR.parent / "alembic.ini"))
    cfg.set_main_option("script_location", str(BACKEND_DIR / "alembic"))
    cfg.attributes["configure_logger"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


@asynccontextmanager
async def _startup_lock(db: Database, settings: Settings) -> AsyncIterator[None]:
    if db.dialect == "postgresql":
        async with db.direct.connect() as conn:  # a session lock: never through a pooler
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": STARTUP_LOCK_KEY})
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": STARTUP_LOCK_KEY})
                await conn.commit()
        return
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_suffix(".startup.lock")
    handle = await asyncio.to_thread(open, lock_path, "w")
    try:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


async def prepare_database(db: Database, settings: Settings, accounts: Accounts) -> None:
    async with _startup_lock(db, settings):
        if settings.migrate_on_start:
            async with db.direct.begin() as conn:
                await conn.run_sync(_upgrade)
        if settings.should_seed:
            password_hash = await accounts.hash_password(DEMO_PASSWORD)
            async with db.transaction() as session:
                await seed_demo_data(session, password_hash, settings.seed_demo_history)
