"""MTTA, MTTM, MTTR, percentiles and breach rate, computed by the database in one grouped query.

Both strategies are driven by measures.MEASURES and return rows with the same keys (whole
milliseconds), read by the one `_figures`: the portable query below (window functions; SQLite)
and pg.py's two-level aggregation (PostgreSQL). Percentiles are nearest-rank (the value at rank
ceil(p * n)), written with integer maths so SQLite and PostgreSQL agree to the millisecond.
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, case, func, select, union_all

from app.clock import utcnow
from app.db import Database
from app.domain.severity import Severity
from app.infra.responses import OPTIONS
from app.models import Incident, Service
from app.models.base import UTCDateTime
from app.schemas.metrics import DailyFigures, Figures, Metrics
from app.services.metrics import pg as metrics_pg
from app.services.metrics import rollup_reads
from app.services.metrics.answers import MetricsAnswers, key_of
from app.services.metrics.levels import base, tagged
from app.services.metrics.measures import MEASURES, PERCENTILES
from app.services.sla.filters import RUNNING, ack_pending, resolve_pending, utc_literal

Row = Mapping[Any, Any]  # a RowMapping (SQLite) or a dict (pg.py), keyed by column name
MAX_FILLED_DAYS = 3660


@dataclass
class MetricsWindow:
    start: datetime | None = None
    end: datetime | None = None
    service_id: list[int] | None = None
    severity: list[Severity] | None = None
    assignee_id: list[int] | None = None


def _conditions(window: MetricsWindow) -> list[Any]:
    conditions = []
    if window.start is not None:
        conditions.append(Incident.created_at >= utc_literal(window.start))
    if window.end is not None:
        conditions.append(Incident.created_at < utc_literal(window.end))
    if window.service_id:
        conditions.append(Incident.service_id.in_(window.service_id))
    if window.severity:
        conditions.append(Incident.severity.in_([s.value for s in window.severity]))
    if window.assignee_id:
        conditions.append(Incident.assignee_id.in_(window.assignee_id))
    return conditions


def _query(window: MetricsWindow, now: datetime) -> Any:
    """The portable query: every row once per level (all, severity, service, day and resolved
    day), ranked per measure within its group, then aggregated."""
    b = base(_conditions(window), now)
    t = tagged(b, [*(b.c[f"{m.name}_ms"] for m in MEASURES), b.c.breached, b.c.known])
    group = [t.c.lvl, t.c.k]

    ranks = []
    for m in MEASURES:
        value = t.c[f"{m.name}_ms"]
        ranks += [
            func.row_number()
            .over(partition_by=[*group, value.is_(None)], order_by=value)
            .label(f"{m.name}_rn"),
            func.count(value).over(partition_by=group).label(f"{m.name}_n"),
        ]
    r = select(t, *ranks).cte("ranked")

    figures = []
    for m in MEASURES:
        value, rn, n = r.c[f"{m.name}_ms"], r.c[f"{m.name}_rn"], r.c[f"{m.name}_n"]
        figures += [func.count(value).label(m.count), func.sum(value).label(m.sum_ms)]
        figures += [  # the first value at rank >= p * n, i.e. rank ceil(p * n)
            func.min(case((and_(value.is_not(None), rn * den >= n * num), value)))
            .label(m.percentile_ms(p))
            for p, num, den in PERCENTILES
        ]
    return select(
        r.c.lvl,
        r.c.k,
        func.count().label("incident_count"),
        *figures,
        func.sum(r.c.breached).label("breached_count"),
        func.sum(r.c.known).label("known_count"),
    ).group_by(r.c.lvl, r.c.k)


def _seconds(ms: Any) -> float | None:
    return None if ms is None else round(int(ms) / 1000, 3)


def _mean(sum_ms: Any, count: int) -> float | None:
    """The exact mean of whole milliseconds, rounded to the millisecond."""
    return round(int(sum_ms) / (count * 1000), 3) if count else None


FIGURES = tuple(Figures.model_fields)  # the answer's dicts in the models' field order
# A day's means, in DailyFigures' order: (field, sum column, count column).
DAILY_MEANS = tuple((m.mean_field, m.sum_ms, m.count) for m in MEASURES)
assert tuple(DailyFigures.model_fields) == (
    "date", "opened", "resolved", "breached", "sla_known", *(f for f, _, _ in DAILY_MEANS))


def _figures(row: Row) -> dict[str, Any]:
    breached_count, known = int(row["breached_count"] or 0), int(row["known_count"] or 0)
    out: dict[str, Any] = {"incident_count": int(row["incident_count"])}
    for m in MEASURES:
        count = int(row[m.count] or 0)
        out[m.count_field] = count
        out[m.mean_field] = _mean(row[m.sum_ms], count)
        for p, _, _ in PERCENTILES:
            out[m.percentile_field(p)] = _seconds(row[m.percentile_ms(p)])
    out.update(
        breach_rate=round(breached_count / known, 4) if known else None,
        breached_count=breached_count,
        sla_known_count=known,
    )
    return {name: out[name] for name in FIGURES}


EMPTY = _figures({
    "incident_count": 0, "breached_count": 0, "known_count": 0,
    **{k: v for m in MEASURES for k, v in ((m.count, 0), (m.sum_ms, None))},
    **{m.percentile_ms(p): None for m in MEASURES for p, _, _ in PERCENTILES},
})


def _daily(rows: Sequence[Row], window: MetricsWindow) -> list[dict[str, Any]]:
    """The daily series from the figures' `day` and `resolved_day` rows, every day of the
    span filled in (DailyFigures' field order)."""
    days: dict[str, Row] = {}
    resolved: dict[str, int] = {}
    for row in rows:
        level = row["lvl"]
        if level == "day":
            days[row["k"]] = row
        elif level == "resolved_day":
            resolved[row["k"]] = int(row["incident_count"])
    keys = days.keys() | resolved.keys()
    if not keys:
        return []
    first = date.fromisoformat(min(keys))
    last = date.fromisoformat(max(keys))
    if window.start is not None:
        first = min(first, window.start.date())
    if window.end is not None:
        last = max(last, (window.end - timedelta(microseconds=1)).date())
    if (last - first).days > MAX_FILLED_DAYS:
        first = last - timedelta(days=MAX_FILLED_DAYS)
    nothing = dict.fromkeys(field for field, _, _ in DAILY_MEANS)
    out = []
    start = first.toordinal()
    for ordinal in range(start, last.toordinal() + 1):  # DailyFigures' field order
        key = date.fromordinal(ordinal).isoformat()
        found = days.get(key)
        if found is None:
            out.append({"date": key, "opened": 0, "resolved": resolved.get(key, 0),
                        "breached": 0, "sla_known": 0, **nothing})
            continue
        day = {"date": key, "opened": int(found["incident_count"]), "resolved": resolved.get(key, 0),
               "breached": int(found["breached_count"] or 0), "sla_known": int(found["known_count"] or 0)}
        for field, sum_ms, count in DAILY_MEANS:
            day[field] = _mean(found[sum_ms], int(found[count] or 0))
        out.append(day)
    return out


# When the figures change by themselves: the earliest SLA target still pending (it becomes
# breached just after), judge's `next_due_at` over the incidents. A target is pending while its
# time is not on record, its clock runs and its due time is not past: per target, the first
# entry past now of its partial index (ix_incidents_ack_running, ix_incidents_resolve_running),
# then the earlier of the two (tests/api/test_metric_answers.py holds it to next_due_at).
_NOW = bindparam("now", type_=UTCDateTime())
_PENDING = union_all(*(
    select(func.min(due).label("due")).where(RUNNING, pending(_NOW))
    for due, pending in ((Incident.ack_due_at, ack_pending),
                         (Incident.resolve_due_at, resolve_pending)))).subquery("pending")
NEXT_DUE: Any = select(func.min(_PENDING.c.due).label("due"))


async def answer(db: Database, window: MetricsWindow, breach_rate_target: float | None,
                 answers: MetricsAnswers, keep: bool) -> bytes:
    """GET /metrics' body: the kept one while it still holds (answers.py), else computed;
    `keep` only when `db` is the primary."""
    now = utcnow()

    async def next_due() -> datetime | None:
        async with db.rows.reader() as reader:
            due: datetime | None = (await reader.all(NEXT_DUE, now=now))[0]["due"]
            return due

    async def computed() -> tuple[bytes, datetime | None]:
        payload, due = await asyncio.gather(figures(db, window, breach_rate_target, now), next_due())
        return orjson.dumps(payload, option=OPTIONS), due

    key = key_of(window.start, window.end, window.service_id or [],
                 [s.value for s in window.severity or []], window.assignee_id or [],
                 breach_rate_target)
    return await answers.answer(key, now, keep, computed)


async def compute(db: Database, window: MetricsWindow, breach_rate_target: float | None = None,
                  now: datetime | None = None) -> Metrics:
    """The answer as its model (validated)."""
    return Metrics.model_validate(await figures(db, window, breach_rate_target, now or utcnow()))


async def figures(db: Database, window: MetricsWindow, breach_rate_target: float | None,
                  now: datetime) -> dict[str, Any]:
    """The answer as `Metrics`' JSON shape, its dicts in the models' field order (written by
    orjson as pydantic would write the model: tests/api/test_metrics.py checks it), without
    building some thousand models for the daily figures."""
    rows: Sequence[Row]
    chosen = [s.value for s in window.severity] if window.severity else None

    def daily(rows: Sequence[Row]) -> list[dict[str, Any]]:
        return _daily(rows, window)

    if window.start is None and window.end is None and not window.assignee_id:
        # The whole history: the rollups (percentiles within 1%, rollup_reads.py).
        rows, names, days = await rollup_reads.rows(db, window.service_id, chosen, now, daily)
    else:
        if db.dialect == "postgresql":
            rows, names = await metrics_pg.rows(
                db, window.start, window.end, window.service_id, chosen, now, window.assignee_id)
        else:
            async with db.read() as session:
                rows = (await session.execute(_query(window, now))).mappings().all()
                names = dict((await session.execute(select(Service.id, Service.name))).all())
        days = daily(rows)
    by_level: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_level.setdefault(row["lvl"], {})[row["k"]] = row
    overall = by_level.get("all", {}).get("")
    severities = by_level.get("severity", {})
    services = by_level.get("service", {})
    return {
        **(_figures(overall) if overall else EMPTY),
        "breach_rate_target": breach_rate_target,
        "by_severity": [{**_figures(severities[sev.value]), "severity": sev.value}
                        for sev in Severity if sev.value in severities],
        "by_service": sorted(
            ({**_figures(row), "service_id": int(k), "service_name": names.get(int(k), f"#{k}")}
             for k, row in services.items()),
            key=lambda s: str(s["service_name"])),
        "daily": days,
    }
