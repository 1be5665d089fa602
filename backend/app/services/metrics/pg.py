"""The metrics query for PostgreSQL, aggregated in two levels.

At a million incidents the portable query (window functions over five copies of every row)
took 34-44 s here. This one reads the table three times in plain aggregates instead:
1. counts and millisecond sums by (severity, service, UTC day), then GROUPING SETS over those
   ~50k rows for the overall, per-severity, per-service and per-day figures;
2. nearest-rank p50/p90 with percentile_disc over GROUPING SETS ((), severity, service),
   which is the value at rank ceil(p * n), the same rule as the portable query;
3. incidents resolved per UTC day.
Every figure comes from measures.MEASURES, and the rows have the portable query's keys
(whole milliseconds from ms_between: sums and sorts stay in integer arithmetic rather than
numeric), so compute.py reads both the same way.
"""

from datetime import datetime
from functools import lru_cache
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
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
)
from sqlalchemy.sql.elements import Grouping

from app.db import Database
from app.models import Incident, Service
from app.models.base import UTCDateTime
from app.services.metrics.measures import MEASURES, PERCENTILES
from app.services.sla.filters import breached

WORK_MEM = "256MB"


def _day(column: str) -> Any:
    return literal_column(f"floor(date_part('epoch', incidents.{column}) / 86400)::int", Integer)


def _day_key(day_number: Any) -> Any:
    return func.to_char(literal_column("DATE '1970-01-01'") + day_number, "YYYY-MM-DD")


@lru_cache(maxsize=32)
def _statements(has_start: bool, has_end: bool, by_service: bool, by_severity: bool, by_assignee: bool) -> Any:
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
    if by_assignee:
        conditions.append(Incident.assignee_id == any_(bindparam("assignee_ids", type_=ARRAY(Integer()))))
    return _query(conditions, bindparam("now", type_=UTCDateTime()))


def _query(conditions: list[Any], now: Any) -> Any:
    where = and_(true(), *conditions)
    is_breached = breached(now)
    duration = {m.name: m.duration_ms() for m in MEASURES}
    day = _day("created_at")
    l1 = (
        select(
            Incident.severity, Incident.service_id, day.label("dnum"),
            func.count().label("n"),
            *(c for m in MEASURES for c in (
                func.count(m.column).label(f"{m.name}_n"),
                func.sum(duration[m.name]).label(f"{m.name}_sum"))),
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
        *(c for m in MEASURES for c in (
            func.sum(l1.c[f"{m.name}_n"]).label(m.count),
            func.sum(l1.c[f"{m.name}_sum"]).label(m.sum_ms))),
        func.sum(l1.c.b).label("breached_count"),
        func.sum(l1.c.kn).label("known_count"),
    ).group_by(func.grouping_sets(
        tuple_(), tuple_(l1.c.severity), tuple_(l1.c.service_id), tuple_(l1.c.dnum)))

    # One percentile_disc per measure for all the ranks (PostgreSQL computes an aggregate
    # written twice once), then one column per rank, 1-based.
    ranks: Any = literal_column(f"ARRAY[{', '.join(str(num / den) for _, num, den in PERCENTILES)}]")
    # Grouped by expressions no index is sorted on: over the whole history PostgreSQL then
    # sorts one sequential scan instead of walking the severity index across the heap, which
    # took about 40% longer at a million incidents (and would cost MTTM's third sort again).
    sev = Incident.severity.concat(literal_column("''"))
    svc = Incident.service_id + literal_column("0", Integer)
    p_sev, p_svc = func.grouping(sev), func.grouping(svc)
    percentiles = (
        select(
            case((p_sev == 0, "severity"), (p_svc == 0, "service"), else_="all").label("lvl"),
            func.coalesce(sev, svc.cast(String), "").label("k"),
            *(type_coerce(Grouping(func.percentile_disc(ranks).within_group(duration[m.name])),
                          ARRAY(BigInteger()))[literal_column(str(i + 1))].label(m.percentile_ms(p))
              for m in MEASURES for i, (p, _, _) in enumerate(PERCENTILES)),
        )
        .where(where)
        .group_by(func.grouping_sets(tuple_(), tuple_(sev), tuple_(svc)))
    )
    resolved_day = _day("resolved_at")
    resolved = (
        select(literal("resolved_day").label("lvl"), _day_key(resolved_day).label("k"),
               func.count().label("incident_count"))
        .where(where, Incident.resolved_at.is_not(None))
        .group_by(resolved_day)
    )
    return sums, percentiles, resolved


SERVICE_NAMES = select(Service.id, Service.name)


async def rows(
    db: Database, start: datetime | None, end: datetime | None,
    service_ids: list[int] | None, severities: list[str] | None, now: datetime,
    assignee_ids: list[int] | None = None,
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Rows with the portable query's keys, and the service names. The three aggregates read
    the table independently, so they run at once on three pooled connections (the whole
    history: about the slowest one's time, not the sum); each sums row takes its
    percentiles from the row of the same level and key (none for days)."""
    sums, percentiles, resolved = _statements(
        start is not None, end is not None, bool(service_ids), bool(severities), bool(assignee_ids))
    params = {"now": now, "start": start, "end": end, "service_ids": service_ids or [],
              "severities": severities or [], "assignee_ids": assignee_ids or []}
    calls = [(percentiles, params), (sums, params), (resolved, params), (SERVICE_NAMES, {})]
    ranked_rows, sums_rows, resolved_rows, names = await db.rows.concurrently(calls, WORK_MEM)
    ranked = {(r["lvl"], r["k"]): r for r in ranked_rows}
    no_percentiles = {m.percentile_ms(p): None for m in MEASURES for p, _, _ in PERCENTILES}
    out = [
        {**no_percentiles, **r, **ranked.get((r["lvl"], r["k"]), {})}
        for r in sums_rows
        if r["incident_count"] is not None  # not the () grouping set over no incidents at all
    ]
    out += [dict(r) for r in resolved_rows]
    return out, {r["id"]: r["name"] for r in names}
