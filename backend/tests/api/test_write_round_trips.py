"""The writes' round trips to the database, counted: each statement is a round trip, and on a
busy server they are most of a write's time (bench/RESULTS.md, "Writes"). A statement that
creeps back in (reading the checkpoint the compare-and-set already returned, a second look
at the incident before a comment) fails here, on both databases.

Only the request's own statements count (a context variable marks them): the app's
background loops share the engine. Statements sent through SQLAlchemy are seen by its events,
those sent straight on a session's asyncpg connection (infra/rows.py) by its statement hook.
BEGIN is left out (SQLite sends it as a statement, asyncpg does not), and so is the caller's
row, which SQLite reads on every request (PostgreSQL keeps it cached: infra/callers.py). The
budgets are the same on both databases but a create's: PostgreSQL writes the events and the
checkpoint in one statement (a new incident's row with its event), and adds one NOTIFY for
the live stream."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx
from fastapi import FastAPI

from tests.statements import sent

COUNTING: ContextVar[list[str] | None] = ContextVar("counting", default=None)


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(statement: str, _many: bool) -> None:
        target = COUNTING.get()
        head = statement.lstrip().upper()
        if target is not None and not head.startswith(("BEGIN", "SELECT USERS.")):
            target.append(statement.split("\n")[0][:120])

    token = COUNTING.set(seen)
    try:
        with sent(app.state.db.engine, record):
            yield seen
    finally:
        COUNTING.reset(token)


async def test_writes_stay_within_their_round_trips(app: FastAPI, client: httpx.AsyncClient,
                                                    admin: dict[str, str]) -> None:
    body = {"title": "Round trips", "severity": "SEV2", "service_id": 1}
    # Warm: the notification channels' cache and the caller cache fill on first use.
    first = await client.post("/incidents", headers=admin, json=body)
    await client.post(f"/incidents/{first.json()['id']}/comments", headers=admin, json={"body": "warm"})

    # SQLite: the service and its calendars, the INSERT (returning what sealing needs), the
    # checkpoint, the event, the answer. PostgreSQL: the service with its calendars and the
    # new incident's id from the sequence, the incident (its checkpoint already moved) with
    # its event in one statement, the answer, the NOTIFY.
    with statements(app) as seen:
        created = await client.post("/incidents", headers=admin, json=body)
    assert created.status_code == 201, created.text
    assert len(seen) <= (4 if app.state.db.dialect == "postgresql" else 6), seen
    ident = created.json()["id"]

    # The incident, the compare-and-set (returning the locked row, on PostgreSQL with its
    # RCA; SQLite reads the RCA after), the checkpoint, the event, the answer.
    with statements(app) as seen:
        moved = await client.post(f"/incidents/{ident}/status", headers=admin,
                                  json={"status": "Investigating"})
    assert moved.status_code == 200, moved.text
    assert len(seen) <= (5 if app.state.db.dialect == "postgresql" else 6), seen

    # The incident locked with its checkpoint, its RCA, the checkpoint, the event.
    with statements(app) as seen:
        comment = await client.post(f"/incidents/{ident}/comments", headers=admin,
                                    json={"body": "watching"})
    assert comment.status_code == 201, comment.text
    assert len(seen) <= 4, seen

    audit = await client.get(f"/incidents/{ident}/audit", headers=admin)
    assert audit.json()["verified"] is True
    assert audit.json()["event_count"] == 3


async def test_a_comment_on_a_missing_incident_is_404(client: httpx.AsyncClient,
                                                     admin: dict[str, str]) -> None:
    response = await client.post("/incidents/999999/comments", headers=admin, json={"body": "hi"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
