"""MTTA, MTTR, percentiles and breach rate, computed by the database in one grouped query.

Percentiles are nearest-rank (the value at rank ceil(p * n)), written with integer maths
so SQLite and PostgreSQL agree to the millisecond.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select, true, union_all

from app.clock import utcnow
from app.db import Database
from app.domain.severity import Severity
from app.models import Incident, Service
from app.schemas.metrics import DailyFigures, Figures, Metrics, ServiceFigures, SeverityFigures
from app.services.metrics import pg as metrics_pg
from app.services.metrics.sql_functions import seconds_between, utc_day
from app.services.sla.filters import breached, utc_literal

MAX_FILLED_DAYS = 3660


@dataclass
class MetricsWindow:
    start: datetime | None = None
    end: datetime | None = None
    service_id: list[int] | None = None
    severity: list[Severity] | None = None


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
    return conditions


def _base(window: MetricsWindow, now: datetime) -> Any:
    conditions = _conditions(window)
    is_breached = breached(now)
    return (
        select(
            Incident.severity,
            Incident.service_id,
            utc_day(Incident.created_at).label("day"),
            utc_day(Incident.resolved_at).label("resolved_day"),
            seconds_between(Incident.acknowledged_at, Incident.created_at).label("ack_s"),
            seconds_between(Incident.resolved_at, Incident.created_at).label("res_s"),
            case((is_breached, 1), else_=0).label("breached"),
            case((is_breached, 1), (Incident.resolved_at.is_not(None), 1), else_=0).label("known"),
        )
        .where(and_(true(), *conditions))
        .cte("base")
    )


def _query(window: MetricsWindow, now: datetime) -> Any:
    base = _base(window, now)
    cols = [base.c.ack_s, base.c.res_s, base.c.breached, base.c.known]
    levels = [
        ("all", literal("")),
        ("severity", base.c.severity),
        ("service", cast(base.c.service_id, String)),
        ("day", base.c.day),
    ]
    parts = [
        select(literal(level).label("lvl"), key.label("k"), *cols) for level, key in levels
    ]
    parts.append(
        select(literal("resolved_day").label("lvl"), base.c.resolved_day.label("k"), *cols)
        .where(base.c.resolved_day.is_not(None))
    )
    tagged = union_all(*parts).cte("tagged")
    group = [tagged.c.lvl, tagged.c.k]

    def ranked(col: Any, name: str) -> list[Any]:
        return [
            func.row_number()
            .over(partition_by=[*group, col.is_(None)], order_by=col)
            .label(f"{name}_rn"),
            func.count(col).over(partition_by=group).label(f"{name}_n"),
        ]

    r = select(
        tagged, *ranked(tagged.c.ack_s, "ack"), *ranked(tagged.c.res_s, "res")
    ).cte("ranked")

    def percentiles(name: str) -> list[Any]:
        value, rn, n = r.c[f"{name}_s"], r.c[f"{name}_rn"], r.c[f"{name}_n"]
        return [
            func.avg(value).label(f"{name}_mean"),
            func.min(case((and_(value.is_not(None), rn * 2 >= n), value))).label(f"{name}_p50"),
            func.min(case((and_(value.is_not(None), rn * 10 >= n * 9), value))).label(
                f"{name}_p90"
            ),
            func.count(value).label(f"{name}_count"),
        ]

    return select(
        r.c.lvl,
        r.c.k,
        func.count().label("incident_count"),
        *percentiles("ack"),
        *percentiles("res"),
        func.sum(r.c.breached).label("breached_count"),
        func.sum(r.c.known).label("known_count"),
    ).group_by(r.c.lvl, r.c.k)


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def _figures(row: Any) -> dict[str, Any]:
    breached_count, known = int(row.breached_count or 0), int(row.known_count or 0)
    return {
        "incident_count": int(row.incident_count),
        "acknowledged_count": int(row.ack_count),
        "resolved_count": int(row.res_count),
        "mtta_seconds": _num(row.ack_mean),
        "mtta_p50_seconds": _num(row.ack_p50),
        "mtta_p90_seconds": _num(row.ack_p90),
        "mttr_seconds": _num(row.res_mean),
        "mttr_p50_seconds": _num(row.res_p50),
        "mttr_p90_seconds": _num(row.res_p90),
        "breach_rate": round(breached_count / known, 4) if known else None,
        "breached_count": breached_count,
        "sla_known_count": known,
    }


EMPTY = Figures(
    incident_count=0, acknowledged_count=0, resolved_count=0,
    mtta_seconds=None, mtta_p50_seconds=None, mtta_p90_seconds=None,
    mttr_seconds=None, mttr_p50_seconds=None, mttr_p90_seconds=None,
    breach_rate=None, breached_count=0, sla_known_count=0,
)


def _daily(days: dict[str, Any], resolved: dict[str, int], window: MetricsWindow) -> list[DailyFigures]:
    keys = set(days) | set(resolved)
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
    out = []
    for offset in range((last - first).days + 1):
        key = (first + timedelta(days=offset)).isoformat()
        row = days.get(key)
        out.append(DailyFigures(
            date=key,
            opened=int(row.incident_count) if row else 0,
            resolved=resolved.get(key, 0),
            breached=int(row.breached_count or 0) if row else 0,
            mtta_seconds=_num(row.ack_mean) if row else None,
            mttr_seconds=_num(row.res_mean) if row else None,
        ))
    return out


async def compute(db: Database, window: MetricsWindow) -> Metrics:
    now = utcnow()
    if db.dialect == "postgresql":
        rows, names = await metrics_pg.rows(
            db, window.start, window.end, window.service_id,
            [s.value for s in window.severity] if window.severity else None, now)
    else:
        async with db.read() as session:
            rows = list((await session.execute(_query(window, now))).all())
            names = dict((await session.execute(select(Service.id, Service.name))).all())
    by_level: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_level.setdefault(row.lvl, {})[row.k] = row
    overall = by_level.get("all", {}).get("")
    severities = by_level.get("severity", {})
    services = by_level.get("service", {})
    return Metrics(
        **(_figures(overall) if overall else EMPTY.model_dump()),
        by_severity=[
            SeverityFigures(severity=sev, **_figures(severities[sev.value]))
            for sev in Severity if sev.value in severities
        ],
        by_service=sorted(
            (ServiceFigures(service_id=int(k), service_name=names.get(int(k), f"#{k}"),
                            **_figures(row)) for k, row in services.items()),
            key=lambda s: s.service_name,
        ),
        daily=_daily(
            by_level.get("day", {}),
            {k: int(r.incident_count) for k, r in by_level.get("resolved_day", {}).items()},
            window,
        ),
    )
