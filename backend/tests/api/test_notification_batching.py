"""What the outbox and the delivery worker cost per notification: one INSERT per transaction
however many channels hear it, and a busy channel refilled once half its share is free
rather than one claim per answer. On both databases."""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.main import create_app
from app.models import Notification
from app.services.notifications.sending import Job, Outcome
from tests.api.test_notification_delivery import add, open_incident
from tests.conftest import test_settings
from tests.statements import sent

Headers = dict[str, str]
SHARE = 4  # NOTIFICATION_CHANNEL_CONCURRENCY here


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    # No poll within the test: only commits and answers wake the worker.
    application = create_app(test_settings(
        database_url, notification_poll_seconds=60.0, notification_channel_concurrency=SHARE))
    async with application.router.lifespan_context(application):
        yield application


async def test_a_transition_heard_by_three_channels_writes_its_outbox_rows_in_one_statement(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    """One statement with one set of parameters, whatever the number of rows; on PostgreSQL
    the event's own (a CTE of it), so a transition heard by channels makes no more round
    trips than one heard by none. On SQLite the rows go as one executemany, in the process."""
    quiet, warm, heard = [await open_incident(client, responder) for _ in range(3)]
    seen: list[tuple[str, bool]] = []

    def note(statement: str, executemany: bool) -> None:
        head = statement.lstrip().upper()
        if not head.startswith(("BEGIN", "SELECT USERS.")):
            seen.append((" ".join(statement.split()), executemany))

    async def transition(incident: dict[str, Any]) -> list[tuple[str, bool]]:
        seen.clear()
        with sent(app.state.db.engine, note):
            response = await client.post(f"/incidents/{incident['id']}/status", headers=responder,
                                         json={"status": "Investigating"})
            assert response.status_code == 200, response.text
        return list(seen)

    await transition(quiet)  # heard by no channel
    alone = len(seen)
    for n in range(3):
        await add(client, admin, "http://127.0.0.1:9/hook", name=f"hook {n}",
                  events=["incident.status_changed"])
    await transition(warm)  # the channel list, read again once after a change
    statements = await transition(heard)
    inserts = [(sql, many) for sql, many in statements if "INSERT INTO notifications" in sql]
    assert len(inserts) == 1, statements
    if app.state.db.dialect == "postgresql":
        assert inserts[0][1] is False
        assert "INSERT INTO incident_events" in inserts[0][0], "the event's own statement"
        assert len(statements) == alone, statements
    else:
        assert len(statements) == alone + 1, statements
    async with app.state.db.read() as session:
        rows = (await session.execute(select(Notification.channel_id, Notification.event,
                                             Notification.source_event_id).where(
            Notification.incident_id == heard["id"],
            Notification.event == "incident.status_changed"))).all()
    assert len(rows) == 3 and len({r.channel_id for r in rows}) == 3
    timeline = (await client.get(f"/incidents/{heard['id']}", headers=responder)).json()["events"]
    moved = [e["id"] for e in timeline if e["type"] == "status_change"]
    assert {r.source_event_id for r in rows} == set(moved) and len(moved) == 1


async def test_a_busy_channel_is_refilled_when_half_its_share_is_free_not_after_each_answer(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    worker = app.state.notifier
    answers: asyncio.Queue[None] = asyncio.Queue()
    sent: list[str] = []
    progress = asyncio.Event()
    claims: list[int] = []  # rows taken by each claim that took any
    idle = asyncio.Event()  # no claim running
    answered = 0

    async def send(job: Job) -> Outcome:  # a receiver that answers when the test says
        sent.append(job.id)
        progress.set()
        await answers.get()
        nonlocal answered
        answered += 1
        progress.set()
        return Outcome(job, True, False, 200, None)

    claim = worker.claim

    async def counted(limit: int) -> list[Job]:
        idle.clear()
        try:
            jobs: list[Job] = await claim(limit)
        finally:
            idle.set()
        if jobs:
            claims.append(len(jobs))
        return jobs

    worker.send, worker.claim = send, counted
    await add(client, admin, "http://127.0.0.1:9/hook", events=["incident.created"])
    total = 12
    for _ in range(total):
        await open_incident(client, responder)

    async def until(done: Callable[[], bool], within: float) -> None:
        async with asyncio.timeout(within):
            while not done():
                progress.clear()
                await progress.wait()

    await until(lambda: len(sent) >= SHARE, 15)
    await asyncio.sleep(0.2)
    assert len(sent) == SHARE  # never more than its share at once
    before = len(claims)
    for n in range(total):  # one answer at a time, each once the worker has done with the last
        answers.put_nowait(None)
        await until(lambda n=n: answered > n, 15)
        await asyncio.sleep(0.05)  # a claim it wakes starts at once (no gathering for answers)
        await asyncio.wait_for(idle.wait(), 15)
    assert sorted(set(sent)) == sorted(sent) and len(sent) == total
    # While answers came one by one, each claim waited for half the share to be free: one
    # claim per two answers, not one per answer.
    assert claims[before:] == [SHARE // 2] * ((total - SHARE) // (SHARE // 2))
