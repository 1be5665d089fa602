"""The metrics query for PostgreSQL, aggregated in two levels.

At a million incidents the portable query (window functions over five copies of every row)
took 34-44 s here. This one reads the table three times in plain aggregates instead:
1. counts and millisecond sums by (severity, service, UTC day), then GROUPING SETS over those
   ~50k rows for the overall, per-severity, per-service and per-day figures;
2. nearest-rank p50/p90 with percentile_disc over GROUPING SETS ((), severity, service),
   which is the value at rank ceil(p * n), the same rule as the portable query;
3. incidents resolved per UTC day.
Durations are whole milliseconds (bigint, rounded half away from zero like ROUND(x, 3)), so
sums and sorts stay in integer arithmetic rather than numeric.
"""

from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)

from app.db import Database
from app.models import Incident, Service
from app.models.base import UTCDateTime
from app.services.sla.filters import breached

WORK_MEM = "256MB"


def _ms(later: str) -> Any:
    """Whole milliseconds from created_at, rounded half up in integer arithmetic (the API's
    timestamps never precede created_at, so this equals ROUND(seconds, 3) * 1000)."""
    us = f"round(date_part('epoch', incidents.{later} - incidents.created_at) * 1000000)::bigint"
    return literal_column(f"(({us} + 500) / 1000)", BigInteger)


def _day(column: str) -> Any:
    return literal_column(f"floor(date_part('epoch', incidents.{column}) / 86400)::int", Integer)


def _day_key(day_number: Any) -> Any:
    return func.to_char(literal_column("DATE '1970-01-01'") + day_number, "YYYY-MM-DD")


@lru_cache(maxsize=32)
def _statements(has_start: bool, has_end: bool, by_service: bool, by_severity: bool) -> Any:
    """Built once per shape of window (about 6 ms of Python each time otherwise); the window's
    values and the clock are bound at execution."""
    conditions = []
    if has_start:
        conditions.append(Incident.created_at >= bindparam("start", type_=UTCDateTime()))
    if has_end:
        conditions.append(Incident.created_at < bindparam("end", type_=UTCDateTime()))
    # Arrays, not expanding IN lists: one statement text whatever the number of values, so it
    # is compiled once and can go straight to asyncpg (db_rows.py).
    if by_service:
        conditions.append(Incident.service_id == any_(bindparam("service_ids", type_=ARRAY(Integer()))))
    if by_severity:
        conditions.append(Incident.severity == any_(bindparam("severities", type_=ARRAY(String()))))
    return _query(conditions, bindparam("now", type_=UTCDateTime()))


def _query(conditions: list[Any], now: Any) -> Any:
    where = and_(true(), *conditions)
    is_breached = breached(now)
    ack_ms, res_ms = _ms("acknowledged_at"), _ms("resolved_at")
    day = _day("created_at")
    l1 = (
        select(
            Incident.severity, Incident.service_id, day.label("dnum"),
            func.count().label("n"),
            func.count(Incident.acknowledged_at).label("ack_n"), func.sum(ack_ms).label("ack_sum"),
            func.count(Incident.resolved_at).label("res_n"), func.sum(res_ms).label("res_sum"),
            func.count().filter(is_breached).label("b"),
            func.count().filter(or_(is_breached, Incident.resolved_at.is_not(None))).label("kn"),
        )
        .where(where)
        .group_by(Incident.severity, Incident.service_id, day)
        .cte("l1")
    )
    g_sev, g_svc, g_day = (func.grouping(c) for c in (l1.c.severity, l1.c.service_id, l1.c.dnum))
    sums = select(
        case((g_sev == 0, "severity"), (g_svc == 0, "service"), (g_day == 0, "day"),
             else_="all").label("lvl"),
        func.coalesce(l1.c.severity, l1.c.service_id.cast(String), _day_key(l1.c.dnum), "").label("k"),
        func.sum(l1.c.n).label("incident_count"),
        func.sum(l1.c.ack_n).label("ack_count"),
        (func.sum(l1.c.ack_sum) / func.nullif(func.sum(l1.c.ack_n), 0) / 1000).label("ack_mean"),
        func.sum(l1.c.res_n).label("res_count"),
        (func.sum(l1.c.res_sum) / func.nullif(func.sum(l1.c.res_n), 0) / 1000).label("res_mean"),
        func.sum(l1.c.b).label("breached_count"),
        func.sum(l1.c.kn).label("known_count"),
    ).group_by(func.grouping_sets(
        tuple_(), tuple_(l1.c.severity), tuple_(l1.c.service_id), tuple_(l1.c.dnum)))

    ranks: Any = literal_column("ARRAY[0.5, 0.9]")
    p_sev, p_svc = func.grouping(Incident.severity), func.grouping(Incident.service_id)
    percentiles = (
        select(
            case((p_sev == 0, "severity"), (p_svc == 0, "service"), else_="all").label("lvl"),
            func.coalesce(Incident.severity, Incident.service_id.cast(String), "").label("k"),
            func.percentile_disc(ranks).within_group(ack_ms).label("ack_p"),
            func.percentile_disc(ranks).within_group(res_ms).label("res_p"),
        )
        .where(where)
        .group_by(func.grouping_sets(
            tuple_(), tuple_(Incident.severity), tuple_(Incident.service_id)))
    )
    resolved_day = _day("resolved_at")
    resolved = (
        select(_day_key(resolved_day).label("k"), func.count().label("n"))
        .where(where, Incident.resolved_at.is_not(None))
        .group_by(resolved_day)
    )
    return sums, percentiles, resolved


def _seconds(ms: Any) -> float | None:
    return None if ms is None else ms / 1000


SERVICE_NAMES = select(Service.id, Service.name)


async def rows(
    db: Database, start: datetime | None, end: datetime | None,
    service_ids: list[int] | None, severities: list[str] | None, now: datetime,
) -> tuple[list[Any], dict[int, str]]:
    """Rows shaped like the portable query's (lvl, k, counts, means and percentiles), and the
    service names. The three aggregates read the table independently, so they run at once on
    three pooled connections (the whole history: about the slowest one's time, not the sum)."""
    sums, percentiles, resolved = _statements(
        start is not None, end is not None, bool(service_ids), bool(severities))
    params = {"now": now, "start": start, "end": end, "service_ids": service_ids or [],
              "severities": severities or []}
    calls = [(percentiles, params), (sums, params), (resolved, params), (SERVICE_NAMES, {})]
    ranked_rows, sums_rows, resolved_rows, names = await db.rows.concurrently(calls, WORK_MEM)
    ranked = {(r["lvl"], r["k"]): r for r in ranked_rows}
    out: list[Any] = []
    for r in sums_rows:
        if r["incident_count"] is None:  # the () grouping set over no incidents at all
            continue
        p = ranked.get((r["lvl"], r["k"]))
        ack_p = p["ack_p"] if p is not None and p["ack_p"] is not None else [None, None]
        res_p = p["res_p"] if p is not None and p["res_p"] is not None else [None, None]
        out.append(SimpleNamespace(
            lvl=r["lvl"], k=r["k"], incident_count=r["incident_count"],
            ack_count=r["ack_count"], ack_mean=r["ack_mean"],
            ack_p50=_seconds(ack_p[0]), ack_p90=_seconds(ack_p[1]),
            res_count=r["res_count"], res_mean=r["res_mean"],
            res_p50=_seconds(res_p[0]), res_p90=_seconds(res_p[1]),
            breached_count=r["breached_count"], known_count=r["known_count"],
        ))
    for r in resolved_rows:
        out.append(SimpleNamespace(lvl="resolved_day", k=r["k"], incident_count=r["n"]))
    return out, {r["id"]: r["name"] for r in names}
