"""/metrics narrowed to owners (assignee_id), its per-day SLA denominators and the breach-rate
target it serves, on the hand-built data set of test_metrics.py."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from app.models import Incident, User
from tests.api.test_metrics import WINDOW, dataset  # noqa: F401  (the fixture)


@pytest.fixture
async def owned(app: FastAPI, dataset: None) -> dict[str, int]:  # noqa: F811
    """avery owns the two SEV1 incidents of the window, jordan the SEV2 one."""
    async with app.state.db.transaction() as session:
        ids = dict((await session.execute(select(User.username, User.id))).all())
        await session.execute(update(Incident).where(Incident.severity == "SEV1").values(assignee_id=ids["avery"]))
        await session.execute(update(Incident).where(Incident.severity == "SEV2").values(assignee_id=ids["jordan"]))
    return ids


async def test_owner_filter_narrows(client: httpx.AsyncClient, viewer: dict[str, str], owned: dict[str, int]) -> None:
    avery = (await client.get("/metrics", params={**WINDOW, "assignee_id": owned["avery"]}, headers=viewer)).json()
    assert avery["incident_count"] == 2 and avery["breached_count"] == 1
    assert avery["mttr_seconds"] == 1800.0  # (1200 + 2400) / 2
    assert [s["severity"] for s in avery["by_severity"]] == ["SEV1"]
    both = (await client.get("/metrics", params={**WINDOW, "assignee_id": [owned["avery"], owned["jordan"]]},
                             headers=viewer)).json()
    assert both["incident_count"] == 3
    nobody = (await client.get("/metrics", params={**WINDOW, "assignee_id": owned["morgan"]}, headers=viewer)).json()
    assert nobody["incident_count"] == 0 and nobody["mttr_seconds"] is None and nobody["breach_rate"] is None


async def test_owner_filter_is_checked(client: httpx.AsyncClient, viewer: dict[str, str]) -> None:
    r = await client.get("/metrics", params={"assignee_id": "x"}, headers=viewer)
    assert r.status_code == 422 and "assignee_id" in r.text


async def test_days_carry_their_sla_denominator(client: httpx.AsyncClient, viewer: dict[str, str],
                                                dataset: None) -> None:  # noqa: F811
    days = {d["date"]: d for d in (await client.get("/metrics", params=WINDOW, headers=viewer)).json()["daily"]}
    assert (days["2026-01-10"]["breached"], days["2026-01-10"]["sla_known"]) == (1, 2)
    assert (days["2026-01-11"]["breached"], days["2026-01-11"]["sla_known"]) == (0, 1)
    assert days["2026-01-12"]["sla_known"] == 0


async def test_the_breach_rate_target_is_the_setting(client: httpx.AsyncClient, viewer: dict[str, str],
                                                     app: FastAPI) -> None:
    m = (await client.get("/metrics", headers=viewer)).json()
    assert m["breach_rate_target"] == app.state.settings.breach_rate_target == 0.1
