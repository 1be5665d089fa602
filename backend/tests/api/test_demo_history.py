"""The demo history (SEED_DEMO_HISTORY): a first start with sixty days behind the live incident,
the same on every seeding, written through the app's writers (audit chains verify)."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db import Database, make_engine
from app.main import create_app
from app.models import Incident, IncidentEvent, Rca, Service, User
from app.services import seed
from tests.conftest import DATABASES, PG_URL_PREFIX, _pg_admin, _pg_available, test_settings


async def _fresh(kind: str, tmp_path: Path, tag: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / f'{tag}.db'}"
        return
    if not _pg_available():
        pytest.skip("PostgreSQL is not reachable")
    name = f"ic_hist_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield PG_URL_PREFIX + name
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _content(url: str) -> dict[str, Any]:
    """The database's incidents and events, times as offsets from the oldest incident."""
    db = Database(make_engine(test_settings(url)))
    try:
        async with db.read() as session:
            users = dict((await session.execute(select(User.id, User.username))).all())
            services = dict((await session.execute(select(Service.id, Service.name))).all())
            incidents = list(await session.scalars(select(Incident).order_by(Incident.id)))
            events = list(await session.scalars(select(IncidentEvent).order_by(IncidentEvent.id)))
            rcas = {r.incident_id: r for r in await session.scalars(select(Rca))}
    finally:
        await db.dispose()
    origin = min(i.created_at for i in incidents)

    def offset(at: datetime | None) -> float | None:
        return None if at is None else (at - origin).total_seconds()

    live = incidents[-1].id  # the seed's live incident comes last, at "now"
    rank = {i.id: n for n, i in enumerate(incidents)}
    return {
        "incidents": [(i.title, i.severity, services[i.service_id], i.status,
                       users.get(i.assignee_id) if i.assignee_id else None, offset(i.created_at),
                       offset(i.acknowledged_at), offset(i.mitigated_at), offset(i.resolved_at),
                       offset(i.closed_at), offset(i.resolve_due_at))
                      for i in incidents if i.id != live],
        "events": [(rank[e.incident_id], e.type, e.body, offset(e.created_at))
                   for e in events if e.incident_id != live],
        "rcas": sorted((rank[k], r.root_cause) for k, r in rcas.items()),
        "raw": incidents, "rca_ids": set(rcas), "live": live,
    }


@pytest.fixture(params=[d for d in ("sqlite", "postgresql") if d in DATABASES])
async def seeded_twice(request: pytest.FixtureRequest, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[str, str]]:
    # Both seedings at the same moment: the history is anchored to the minute the seed runs,
    # and business-hours due times do not shift with it (one opened outside office hours is
    # due a fixed time after they start), so two seedings a minute apart differed by 60 s.
    moment = datetime.now(UTC)
    monkeypatch.setattr(seed, "utcnow", lambda: moment)
    first = _fresh(request.param, tmp_path, "a")
    second = _fresh(request.param, tmp_path, "b")
    a, b = await anext(first), await anext(second)
    for url in (a, b):
        app = create_app(test_settings(url, seed_demo_history=True))
        async with app.router.lifespan_context(app):
            pass
    yield a, b
    for gen in (first, second):
        await gen.aclose()


async def test_history_is_rich_deterministic_and_verifies(seeded_twice: tuple[str, str]) -> None:
    a, b = seeded_twice
    first, second = await _content(a), await _content(b)
    assert first["incidents"] == second["incidents"]
    assert first["events"] == second["events"] and first["rcas"] == second["rcas"]

    history = [i for i in first["raw"] if i.id != first["live"]]
    assert len(history) >= 100
    statuses = Counter(i.status for i in history)
    open_ = len(history) - statuses["Closed"]
    assert 1 <= open_ <= 6, statuses
    closed = [i for i in history if i.status == "Closed"]
    assert all(i.id in first["rca_ids"] for i in closed)  # closing needs the RCA
    assert all(i.closed_at and i.resolved_at and i.acknowledged_at for i in closed)
    breached = [i for i in history if i.resolved_at and i.resolved_at > i.resolve_due_at]
    assert 3 <= len(breached) <= len(history) // 2
    for counts in (Counter(i.severity for i in history), Counter(i.service_id for i in history),
                   Counter(i.assignee_id for i in history)):
        assert len(counts) >= 4 and min(counts.values()) >= 5, counts
    newest = max(i.created_at for i in history)
    oldest = min(i.created_at for i in history)
    assert 50 <= (newest - oldest).days <= 61
    kinds = Counter(t for _, t, _, _ in first["events"])
    assert kinds["runbook_step"] >= 100 and kinds["rca_updated"] == len(closed) and kinds["alert"] >= 10
    assert kinds["action_item"] >= len(closed)  # each Closed incident's follow-ups, some completed
    assert kinds["sla_paused"] == kinds["sla_resumed"] == 2  # waiting on a vendor
    # Every event in its incident's timeline comes after the one before it.
    last: dict[int, float] = {}
    for n, _, body, at in first["events"]:
        assert at >= last.get(n, 0), body
        last[n] = at

    app = create_app(test_settings(a, seed_demo_history=True))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            token = (await c.post("/auth/login", json={"username": "avery", "password": "demo123"})).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            m = (await c.get("/metrics", headers=headers)).json()
            assert m["incident_count"] == len(history) + 1
            for name in ("mtta_seconds", "mttm_seconds", "mttr_seconds", "mttr_p90_seconds", "breach_rate"):
                assert m[name] is not None, name
            assert all(s["incident_count"] >= 5 for s in m["by_service"] + m["by_severity"])
            page = (await c.get("/incidents", params={"limit": 25}, headers=headers)).json()
            assert len(page["items"]) == 25 and page["next_cursor"]
            for incident in (history[0], history[len(history) // 2], history[-1]):
                audit = (await c.get(f"/incidents/{incident.id}/audit", headers=headers)).json()
                assert audit["verified"], audit
            # Follow-ups on a fresh start: most done, some open, a few of those overdue.
            items: list[dict[str, Any]] = []
            cursor = None
            while True:
                page = (await c.get("/action-items", headers=headers,
                                    params={"limit": 200, **({"cursor": cursor} if cursor else {})})).json()
                items += page["items"]
                if not (cursor := page["next_cursor"]):
                    break
            statuses = Counter(i["status"] for i in items)
            overdue = sum(i["overdue"] for i in items)
            assert statuses["done"] > statuses["open"] >= 5 and 2 <= overdue < statuses["open"], statuses
            mine = (await c.get("/action-items?owner_id=me&status=open", headers=headers)).json()["items"]
            assert mine and all(i["owner_name"] == "Avery Patel" for i in mine)


async def test_history_is_off_when_asked(database_url: str) -> None:
    """The test template (SEED_DEMO_HISTORY=false): today's demo, one live incident."""
    content = await _content(database_url)
    assert content["incidents"] == [] and len(content["raw"]) == 1
