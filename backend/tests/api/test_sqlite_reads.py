"""SQLite's hot reads (infra/sqlite_rows.py) skip SQLAlchemy's engine as PostgreSQL's skip it
for asyncpg: the list, the detail and the caller's row send nothing through the engine, the
rows they get are those the engine would have given, and a commit from any other connection
is read by the next request."""

import asyncio
import sqlite3
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.db import Database
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.infra.rows import SessionReader
from app.schemas.incidents import IncidentSort
from app.services.incidents import listing
from app.services.incidents.reads import WITH_TIMELINE
from app.services.users.accounts import CALLER_ROW
from tests.api.test_read_shapes import full_incident


@pytest.fixture
def db(app: FastAPI) -> Database:
    database: Database = app.state.db
    if database.dialect != "sqlite":
        pytest.skip("SQLite's own read path")
    return database


def engine_statements(db: Database) -> list[str]:
    """What the requests this task makes send through the engine (not the app's background
    workers)."""
    seen: list[str] = []
    requests = asyncio.current_task()

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if asyncio.current_task() is requests:
            seen.append(statement)

    return seen


async def test_list_detail_and_caller_send_nothing_through_the_engine(
        client: httpx.AsyncClient, admin: dict[str, str], db: Database) -> None:
    ident = await full_incident(client, admin)
    seen = engine_statements(db)
    for path in ("/incidents", "/incidents?status=Mitigated&severity=SEV2&q=deploy",
                 f"/incidents/{ident}", "/incidents?limit=1", "/incidents?sort=urgency"):
        response = await client.get(path, headers=admin)
        assert response.status_code == 200, (path, response.text)
    assert seen == []


def _cases(ident: int) -> list[tuple[Any, dict[str, Any]]]:
    f = listing.IncidentFilter(status=[Status.MITIGATED, Status.NEW], severity=[Severity.SEV2])
    values = f.bound(False)
    shape = f.shape(False, values)
    everything = listing.IncidentFilter().shape(False, {})
    now = datetime.now(UTC)
    return [
        (listing.page_statement(shape, False, False), {**values, "page_size": 51}),
        (listing.page_statement(everything, False, True),
         {"page_size": 51, "cursor_at": now, "cursor_id": 10**9}),
        (listing.sorted_page_statement(everything, False, IncidentSort.URGENCY, False, "all"),
         {"page_size": 51, "now": now}),
        (listing.exact_count_statement(shape), values),
        (WITH_TIMELINE, {"incident_id": ident}),
        (CALLER_ROW, {"user_id": 1}),
    ]


async def test_rows_are_those_the_engine_gives(client: httpx.AsyncClient, admin: dict[str, str],
                                               db: Database) -> None:
    ident = await full_incident(client, admin)
    for stmt, params in _cases(ident):
        async with db.rows.reader() as fast:
            rows = await fast.all(stmt, **params)
        async with db.engine.connect() as conn:
            expected = [dict(r) for r in await SessionReader(conn).all(stmt, **params)]
        assert rows and [dict(r) for r in rows] == expected
        assert [[type(v) for v in r.values()] for r in rows] == [
            [type(v) for v in r.values()] for r in expected]
        assert all(v.tzinfo is UTC for r in rows for v in r.values() if isinstance(v, datetime))


async def test_a_commit_from_another_connection_is_read_at_once(
        client: httpx.AsyncClient, admin: dict[str, str], login: Any, db: Database) -> None:
    ident = await full_incident(client, admin)
    viewer = await login("morgan")
    assert (await client.get(f"/incidents/{ident}", headers=viewer)).status_code == 200
    console = sqlite3.connect(str(db.engine.url.database))
    try:
        console.execute("UPDATE incidents SET title = 'renamed in a console' WHERE id = ?", (ident,))
        console.execute("UPDATE users SET is_active = 0 WHERE username = 'morgan'")
        console.commit()
    finally:
        console.close()
    detail = await client.get(f"/incidents/{ident}", headers=admin)
    assert detail.json()["title"] == "renamed in a console"
    assert (await client.get(f"/incidents/{ident}", headers=viewer)).status_code == 401
