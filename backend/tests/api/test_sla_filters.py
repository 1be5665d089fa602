"""The SQL SLA filters select exactly the incidents that domain.sla.judge says, on both
databases: over a grid of creation, acknowledgement, resolution, a paused clock and `now`, each
one at and a microsecond either side of every boundary (at risk, due, the pause)."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from app.domain.sla import SlaState, Target, deadlines, judge
from app.models import Incident
from app.services.sla import filters

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREATED = [T0, T0 + timedelta(seconds=0.5, microseconds=123)]
TARGET = Target(ack_minutes=10, resolve_minutes=100)  # at risk from 7.5 and 75 minutes
FAR = datetime(2200, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
S = timedelta(seconds=1)


def at(created: datetime, minutes: float) -> datetime:
    return created + timedelta(minutes=minutes)


ACKS: list[float | None] = [None, 5, 7.5, 10, 10 + 1 / 60]
RESOLUTIONS: list[float | None] = [None, 50, 75, 100, 100 + 1 / 60]
PAUSES: list[float | None] = [None, 6, 50]  # the clock paused that many minutes in (and still)
NOWS = sorted({
    moment + shift
    for created in CREATED
    for moment in [at(created, m) for m in (0, 5, 6, 7.5, 10, 50, 75, 100, 500)]
    for shift in (-US, timedelta(0), US, S)
})


@pytest.fixture
async def grid(app: FastAPI) -> list[Incident]:
    rows = []
    for created, ack, resolved, paused in itertools.product(CREATED, ACKS, RESOLUTIONS, PAUSES):
        if paused is not None and resolved is not None:
            continue  # resolving ends a pause
        d = deadlines(created, TARGET)
        rows.append(Incident(
            sla_paused_at=None if paused is None else at(created, paused),
            title=f"grid {ack} {resolved} {paused}", description="", severity="SEV2", status="New",
            service_id=1, created_at=created, version=1,
            acknowledged_at=None if ack is None else at(created, ack),
            resolved_at=None if resolved is None else at(created, resolved),
            ack_due_at=d.ack_due_at, resolve_due_at=d.resolve_due_at,
            ack_at_risk_at=d.ack_at_risk_at, resolve_at_risk_at=d.resolve_at_risk_at,
        ))
    async with app.state.db.transaction() as session:
        session.add_all(rows)
    return rows


def expected(i: Incident, now: datetime) -> dict[str, bool]:
    """Each filter's answer for one incident, from the domain rule alone. A target's at-risk
    notice is judge's AT_RISK with the other target taken out of the picture (and the pause:
    the sweeper leaves paused incidents out by itself)."""
    ack_breached, resolve_breached, breached, state, _ = judge(
        i.ack_due_at, i.resolve_due_at, i.ack_at_risk_at, i.resolve_at_risk_at,
        i.acknowledged_at, i.resolved_at, now, i.sla_paused_at)
    ack_alone = judge(i.ack_due_at, FAR, i.ack_at_risk_at, FAR, i.acknowledged_at, None, now)[3]
    resolve_alone = judge(FAR, i.resolve_due_at, FAR, i.resolve_at_risk_at, None, i.resolved_at,
                          now)[3]
    return {
        **{f"state={s.value}": state is s for s in SlaState},
        "breached": breached,
        "ack_breached": ack_breached,
        "resolve_breached": resolve_breached,
        "ack_at_risk": ack_alone is SlaState.AT_RISK,
        "resolve_at_risk": resolve_alone is SlaState.AT_RISK,
    }


def conditions(now: datetime) -> dict[str, ColumnElement[bool]]:
    return {
        **{f"state={s.value}": filters.in_state(s, now) for s in SlaState},
        "breached": filters.breached(now),
        "ack_breached": filters.ack_breached(now),
        "resolve_breached": filters.resolve_breached(now),
        "ack_at_risk": filters.ack_at_risk(now),
        "resolve_at_risk": filters.resolve_at_risk(now),
    }


async def test_sql_filters_select_what_judge_says(app: FastAPI, grid: list[Incident]) -> None:
    ids = [i.id for i in grid]
    mismatches = []
    seen: set[str] = set()
    async with app.state.db.read() as session:
        for now in NOWS:
            want: dict[str, set[int]] = {}
            for i in grid:
                for name, yes in expected(i, now).items():
                    want.setdefault(name, set())
                    if yes:
                        want[name].add(i.id)
                        seen.add(name)
            for name, condition in conditions(now).items():
                got = set((await session.scalars(
                    select(Incident.id).where(Incident.id.in_(ids), condition))).all())
                if got != want[name]:
                    mismatches.append((now.isoformat(), name, sorted(got ^ want[name])))
    assert not mismatches, mismatches[:10]
    assert seen == set(conditions(T0)), "the grid reaches every state and every filter"


async def test_sql_next_due_at_is_what_judge_says(app: FastAPI, grid: list[Incident]) -> None:
    """The SQL `next_due_at` (the dashboard's urgency and due sorts) is judge's, at every
    boundary of the grid: a target due at `now` is still pending, a microsecond later it is not."""
    ids = [i.id for i in grid]
    mismatches = []
    nulls = 0
    async with app.state.db.read() as session:
        for now in NOWS:
            got = dict((await session.execute(
                select(Incident.id, filters.next_due_at(now)).where(Incident.id.in_(ids)))).all())
            for i in grid:
                want = judge(i.ack_due_at, i.resolve_due_at, i.ack_at_risk_at,
                             i.resolve_at_risk_at, i.acknowledged_at, i.resolved_at, now,
                             i.sla_paused_at)[4]
                nulls += want is None
                if got[i.id] != want:
                    mismatches.append((now.isoformat(), i.id, got[i.id], want))
    assert not mismatches, mismatches[:10]
    assert 0 < nulls < len(NOWS) * len(grid), "the grid has incidents with and without a due time"
