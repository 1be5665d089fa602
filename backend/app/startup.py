"""Bring the database to the current schema and seed it, once, however many replicas start.

PostgreSQL: a session-level advisory lock serialises replicas. SQLite: a file lock beside
the database file does the same for processes on one machine.

With MIGRATE_ON_START=false (migrations run once beforehand, as Kubernetes' migration Job does)
the app only checks: a database behind this code's head, or with no schema, stops start-up
with the command to run. A database ahead of it (a revision this code does not know) is a
newer release's expanded schema, which old code keeps running on during a rolling upgrade.
"""

import asyncio
import fcntl
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from app.config import BACKEND_DIR, Settings
from app.db import Database
from app.services.seed import DEMO_PASSWORD, seed_demo_data
from app.services.users.accounts import Accounts

STARTUP_LOCK_KEY = 7_314_002_611
log = logging.getLogger(__name__)


class SchemaBehind(RuntimeError):
    """MIGRATE_ON_START=false and the database is not yet at this code's schema."""


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config(str(BACKEND_DIR.parent / "alembic.ini"))
    cfg.set_main_option("script_location", str(BACKEND_DIR / "alembic"))
    cfg.attributes["configure_logger"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    """This code's migrations, read once per process (each start-up read and compiled all
    of them again: ~30 ms, paid by every app a test starts)."""
    return ScriptDirectory.from_config(alembic_config())


def _upgrade(connection: Connection) -> None:
    """Migrate to head; a database already there is left alone without running Alembic."""
    current = set(MigrationContext.configure(connection).get_current_heads())
    if current and current == set(_scripts().get_heads()):
        return
    command.upgrade(alembic_config(connection), "head")


def _check_schema(connection: Connection) -> None:
    """Refuse a database behind this code (or with no schema); accept one at or past head."""
    script = _scripts()
    heads = set(script.get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    run = "run `alembic upgrade head` first (the migration Job), or set MIGRATE_ON_START=true"
    if not current:
        raise SchemaBehind(f"the database has no schema (MIGRATE_ON_START=false): {run}")
    for revision in current - heads:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            log.info("database schema %s is newer than this code's %s: running on it "
                     "(expand-then-contract migrations keep it compatible)", revision,
                     ", ".join(sorted(heads)))
            continue
        raise SchemaBehind(f"the database is at {revision}, this code needs "
                           f"{', '.join(sorted(heads))} (MIGRATE_ON_START=false): {run}")


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
        async with db.direct.begin() as conn:
            await conn.run_sync(_upgrade if settings.migrate_on_start else _check_schema)
        if settings.should_seed:
            password_hash = await accounts.hash_password(DEMO_PASSWORD)
            async with db.transaction() as session:
                await seed_demo_data(session, password_hash, settings.seed_demo_history)
