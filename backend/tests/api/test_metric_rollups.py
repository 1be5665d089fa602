"""The metric rollups against a full recomputation, after random histories.

Incidents are created (some backdated and already finished), then acknowledged, mitigated,
resolved, closed, reopened, re-triaged (severity with new due times, service), paused,
resumed, moved in time, corrected and deleted at random, by direct updates: the triggers keep the
rollups whatever writes. After each round, (1) the rollup tables equal what `rebuild` counts
from scratch, and (2) whole-history /metrics from the rollups equals the exact query over a
window holding every incident: counts, means and breach rates exactly, percentiles within
the documented 1%."""

import random
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select, text, update

from app.domain.severity import Severity
from app.models import Incident, MetricRollup, MetricRollupBucket
from app.services.metrics import compute as metrics
from app.services.metrics import rollups
from app.services.metrics.measures import MEASURES, PERCENTILES

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SERVICES = [1, 2, 3, 4]
PERCENTILE_FIELDS = {m.percentile_field(p) for m in MEASURES for p, _, _ in PERCENTILES}


def _later(rnd: random.Random, base: datetime) -> datetime:
    ms = rnd.choice([rnd.randrange(0, 2000), rnd.randrange(1, 600_000), rnd.randrange(1, 20 * 3_600_000)])
    return base + timedelta(milliseconds=ms, microseconds=rnd.choice([0, 500, rnd.randrange(1000)]))


def _due(rnd: random.Random, created: datetime) -> dict[str, datetime]:
    ack = created + timedelta(minutes=rnd.randrange(1, 600))
    resolve = ack + timedelta(minutes=rnd.randrange(1, 2000))
    return {"ack_due_at": ack, "resolve_due_at": resolve, "ack_at_risk_at": ack,
            "resolve_at_risk_at": resolve}


def _new_incident(rnd: random.Random, i: int) -> Incident:
    created = NOW - timedelta(days=rnd.uniform(0, 20))
    created = created.replace(microsecond=rnd.choice([0, 999_999, rnd.randrange(10**6)]))
    stage = rnd.choice(["New", "Investigating", "Mitigated", "Resolved", "Closed", "Closed",
                        "Resolved-unacked"])
    ack = _later(rnd, created) if stage not in ("New", "Resolved-unacked") else None
    mitigated = _later(rnd, ack) if ack and stage != "Investigating" and rnd.random() < 0.8 else None
    resolved = (_later(rnd, mitigated or ack or created)
                if stage in ("Resolved", "Closed", "Resolved-unacked") else None)
    status = "Resolved" if stage == "Resolved-unacked" else stage
    if status == "Mitigated" and mitigated is None:
        status = "Investigating"
    return Incident(
        title=f"rollup {i}", description="", severity=rnd.choice(list(Severity)).value,
        status=status, service_id=rnd.choice(SERVICES), created_at=created, version=1,
        acknowledged_at=ack, mitigated_at=mitigated, resolved_at=resolved,
        closed_at=_later(rnd, resolved) if status == "Closed" and resolved else None,
        **_due(rnd, created),
    )


def _change(rnd: random.Random, row: Any) -> dict[str, Any] | None:
    """One random move of an incident, as the values to write (None: delete it)."""
    kind = rnd.choice(["ack", "mitigate", "resolve", "resolve", "close", "close", "reopen",
                       "severity", "service", "pause", "resume", "backdate", "retime", "delete"])
    created, status = row.created_at, row.status
    latest = max(t for t in (created, row.acknowledged_at, row.mitigated_at, row.resolved_at) if t)
    if kind == "ack" and row.acknowledged_at is None:
        return {"acknowledged_at": _later(rnd, created),
                "status": "Investigating" if status == "New" else status}
    if kind == "mitigate" and status in ("New", "Investigating"):
        at = _later(rnd, latest)
        return {"mitigated_at": at, "acknowledged_at": row.acknowledged_at or at, "status": "Mitigated"}
    if kind == "resolve" and status in ("Investigating", "Mitigated"):
        return {"resolved_at": _later(rnd, latest), "status": "Resolved"}
    if kind == "close" and status == "Resolved":
        return {"closed_at": _later(rnd, latest), "status": "Closed"}
    if kind == "reopen" and status in ("Resolved", "Mitigated"):
        return {"resolved_at": None, "status": "Investigating"}
    if kind == "severity":
        return {"severity": rnd.choice(list(Severity)).value, **_due(rnd, created)}
    if kind == "service":
        return {"service_id": rnd.choice(SERVICES)}
    if kind == "pause":
        return {"sla_paused_at": NOW - timedelta(hours=rnd.uniform(0, 200)), "sla_paused_reason": "vendor"}
    if kind == "resume":
        return {"sla_paused_at": None, "sla_paused_reason": None}
    if kind == "backdate":
        shift = timedelta(hours=rnd.uniform(-30, 0), microseconds=rnd.randrange(10**6))
        return {k: getattr(row, k) + shift for k in
                ("created_at", "ack_due_at", "resolve_due_at", "ack_at_risk_at", "resolve_at_risk_at")}
    if kind == "retime":  # a correction of one lifecycle time, whatever the status
        recorded = [k for k in ("acknowledged_at", "mitigated_at", "resolved_at") if getattr(row, k)]
        if recorded:
            k = rnd.choice(recorded)
            return {k: getattr(row, k) + timedelta(milliseconds=rnd.randrange(1, 90_000))}
    if kind == "delete":
        return None
    return {"title": f"{row.title}."}  # nothing the rollups depend on


async def _tables(app: FastAPI) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The rollup rows that count anything (a row all of whose incidents left stays, zeroed)."""
    sums_cols = [c for c in MetricRollup.__table__.c]
    async with app.state.db.read() as session:
        sums = {tuple(r) for r in (await session.execute(select(*sums_cols))).all()
                if any(r[3:])}
        buckets = {tuple(r) for r in (await session.execute(select(MetricRollupBucket.__table__)
                                                            )).all() if r.n or r.sum_ms}
    return sums, buckets


async def _rebuild(app: FastAPI) -> None:
    async with app.state.db.transaction() as session:
        for statement in rollups.rebuild_statements(app.state.db.dialect):
            await session.execute(text(statement))


def _close(approx: Any, exact: Any, where: str) -> None:
    if exact is None or approx is None:
        assert approx == exact, where
        return
    assert abs(approx - exact) <= 0.01 * exact + 1e-9, (where, approx, exact)


def _same(approx: dict[str, Any], exact: dict[str, Any], where: str) -> None:
    assert approx.keys() == exact.keys()
    for key, value in exact.items():
        if key in PERCENTILE_FIELDS:
            _close(approx[key], value, f"{where}.{key}")
        elif isinstance(value, list):
            assert len(approx[key]) == len(value), f"{where}.{key}"
            for i, (a, e) in enumerate(zip(approx[key], value, strict=True)):
                _same(a, e, f"{where}.{key}[{i}]")
        else:
            assert approx[key] == value, (f"{where}.{key}", approx[key], value)


def _same_days(approx: list[dict[str, Any]], exact: list[dict[str, Any]], where: str) -> None:
    """The exact answer's window may reach past the filtered incidents' days: those are empty."""
    by_date = {d["date"]: d for d in exact}
    for day in approx:
        _same(day, by_date.pop(day["date"]), f"{where}.daily")
    assert all(d["opened"] == d["resolved"] == 0 for d in by_date.values()), where


async def _compare(app: FastAPI) -> None:
    db = app.state.db
    async with db.read() as session:
        first, last, resolved = (await session.execute(select(
            func.min(Incident.created_at), func.max(Incident.created_at),
            func.max(Incident.resolved_at)))).one()
    start = datetime.combine(first.date(), time(), UTC)
    end = datetime.combine(max(last, resolved or last).date() + timedelta(days=1), time(), UTC)
    for filters in ({}, {"service_id": [1, 2]}, {"severity": [Severity.SEV1, Severity.SEV3]},
                    {"service_id": [3], "severity": [Severity.SEV2, Severity.SEV4]}):
        approx = (await metrics.compute(db, metrics.MetricsWindow(**filters))).model_dump()
        exact = (await metrics.compute(
            db, metrics.MetricsWindow(start=start, end=end, **filters))).model_dump()
        where = str(filters)
        _same_days(approx.pop("daily"), exact.pop("daily"), where)
        _same(approx, exact, where)
        assert exact["incident_count"] > 0, where


@pytest.mark.parametrize("seed", [1, 2])
async def test_rollups_equal_a_full_recomputation(app: FastAPI, seed: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "utcnow", lambda: NOW)
    rnd = random.Random(seed)
    db = app.state.db
    async with db.transaction() as session:
        session.add_all([_new_incident(rnd, i) for i in range(60)])
    for _round in range(5):
        async with db.transaction() as session:
            live = {r["id"]: dict(r) for r in
                    (await session.execute(select(Incident.__table__).where(
                        Incident.title.startswith("rollup")))).mappings().all()}
            for _ in range(40):
                if not live:
                    break
                key = rnd.choice(sorted(live))
                change = _change(rnd, SimpleNamespace(**live[key]))
                if change is None:
                    await session.execute(delete(Incident).where(Incident.id == key))
                    del live[key]
                else:
                    await session.execute(update(Incident).where(Incident.id == key).values(**change))
                    live[key].update(change)
        kept = await _tables(app)
        await _compare(app)
        await _rebuild(app)
        assert await _tables(app) == kept, "the triggers' totals differ from a recount"
