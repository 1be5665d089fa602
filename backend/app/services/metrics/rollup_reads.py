"""Whole-history /metrics from the rollups: the settled incidents' running totals
(models/metric_rollups.py, kept by rollups.py's triggers) plus the unsettled incidents read
live, added together in one snapshot.

Counts, sums (hence means), breaches and SLA outcomes add exactly. Percentiles come from the
sketch (sketch.py): the rollups' buckets plus the live incidents' buckets, walked to the
nearest rank; the reported value is within 1% of the exact nearest-rank value. The rows have
compute.py's keys, so it reads them as it reads the exact queries'.

The unsettled incidents (open, or finished without both times on record) are the partial
index ix_incidents_unsettled's rows: sorting.UNSETTLED states its predicate word for word.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)

from app.db import Database
from app.infra.rows import RowReader, member_of
from app.models import Incident, MetricRollup, MetricRollupBucket, Service
from app.models.base import UTCDateTime
from app.services.incidents.sorting import UNSETTLED
from app.services.metrics.levels import base, tagged
from app.services.metrics.measures import MEASURES, PERCENTILES
from app.services.metrics.sketch import COARSE, value_ms

T = TypeVar("T")
SUMS = MetricRollup.__table__
BUCKETS = MetricRollupBucket.__table__
EVERY_SERVICE, EVERY_SEVERITY, WHOLE_HISTORY = 0, "", ""
_FIGURES = ("incident_count", *(c for m in MEASURES for c in (m.count, m.sum_ms)),
            "breached_count", "known_count")


def _keys(table: Any, level: str, dialect: str, by_service: bool, by_severity: bool) -> list[Any]:
    """The rollup rows a level of the answer adds up: its own key's rows (or the filter's),
    the 'every' row of each other key."""
    out = []
    if by_service:
        out.append(member_of(table.c.service_id, "service_ids", Integer(), dialect))
    else:
        out.append(table.c.service_id != EVERY_SERVICE if level == "service"
                   else table.c.service_id == EVERY_SERVICE)
    if by_severity:
        out.append(member_of(table.c.severity, "severities", String(), dialect))
    else:
        out.append(table.c.severity != EVERY_SEVERITY if level == "severity"
                   else table.c.severity == EVERY_SEVERITY)
    return out


def _level_key(table: Any, level: str) -> Any:
    if level == "all":
        return literal("")
    if level == "service":
        return cast(table.c.service_id, String)
    return table.c[level]  # severity, day


@lru_cache(maxsize=16)
def statements(dialect: str, by_service: bool, by_severity: bool) -> tuple[Any, Any]:
    """The figures and the percentiles' buckets, built once per shape; `now` and the filters'
    values are bound at execution."""
    now = bindparam("now", type_=UTCDateTime())
    conditions = [UNSETTLED]
    if by_service:
        conditions.append(member_of(Incident.service_id, "service_ids", Integer(), dialect))
    if by_severity:
        conditions.append(member_of(Incident.severity, "severities", String(), dialect))
    live = base(conditions, now, buckets=True)
    # The live incidents by their keys first (the open ones share a few recent days), then
    # once per level of the answer.
    keys = [live.c.severity, live.c.service_id, live.c.day, live.c.resolved_day]
    grouped = select(
        *keys, func.count().label("incident_count"),
        *(c for m in MEASURES for c in (
            func.count(live.c[f"{m.name}_ms"]).label(m.count),
            func.coalesce(func.sum(live.c[f"{m.name}_ms"]), 0).label(m.sum_ms))),
        func.sum(live.c.breached).label("breached_count"),
        func.sum(live.c.known).label("known_count"),
    ).group_by(*keys).cte("live_groups")
    t = tagged(grouped, [grouped.c[c] for c in _FIGURES])

    parts: list[Any] = []
    for level in ("all", "severity", "service", "day"):
        day = SUMS.c.day != WHOLE_HISTORY if level == "day" else SUMS.c.day == WHOLE_HISTORY
        parts.append(select(literal(level).label("lvl"), _level_key(SUMS, level).label("k"),
                            *(SUMS.c[c] for c in _FIGURES))
                     .where(day, *_keys(SUMS, level, dialect, by_service, by_severity)))
    zero = literal(0)
    parts.append(select(literal("resolved_day").label("lvl"), SUMS.c.day.label("k"),
                        SUMS.c.resolved, *(zero for _ in _FIGURES[1:]))
                 .where(SUMS.c.day != WHOLE_HISTORY, SUMS.c.resolved != 0,
                        *_keys(SUMS, "day", dialect, by_service, by_severity)))
    parts.append(select(t.c.lvl, t.c.k, *(func.sum(t.c[c]) for c in _FIGURES))
                 .group_by(t.c.lvl, t.c.k))
    every = union_all(*parts).subquery("every")
    sums = (select(every.c.lvl, every.c.k, *(func.sum(every.c[c]).label(c) for c in _FIGURES))
            .group_by(every.c.lvl, every.c.k)
            .having(func.sum(every.c.incident_count) != 0))  # rows all of whose incidents left

    return sums, _percentiles(dialect, by_service, by_severity, live)


LEVELS = ("all", "severity", "service")


def _group(column: Any) -> Any:
    """A bucket's coarse group: integer division, as the triggers write it."""
    return column.op("/")(literal_column(str(COARSE), Integer))


def _percentiles(dialect: str, by_service: bool, by_severity: bool, live: Any) -> Any:
    """The bucket holding each nearest rank, per level, measure and percentile: first the
    coarse group that holds it (tier 1: a few rows per measure), then that group's buckets
    (tier 0), the live incidents' durations added at both steps."""
    # The live incidents' durations as buckets first (count and sum per severity, service,
    # measure and bucket), as the rollups hold the settled ones: the walk below then reads a
    # row per bucket, not one per incident, once per level.
    lb = union_all(*(
        select(live.c.severity, live.c.service_id, literal(m.name).label("measure"),
               live.c[f"{m.name}_bucket"].label("bucket"), func.count().label("n"),
               func.sum(live.c[f"{m.name}_ms"]).label("sum_ms"))
        .where(live.c[f"{m.name}_ms"].is_not(None))
        .group_by(live.c.severity, live.c.service_id, live.c[f"{m.name}_bucket"])
        for m in MEASURES)).cte("live_buckets")
    live_keys = {"all": literal(""), "severity": lb.c.severity,
                 "service": cast(lb.c.service_id, String)}
    parts: list[Any] = [
        select(literal(level).label("lvl"), _level_key(BUCKETS, level).label("k"),
               BUCKETS.c.measure, BUCKETS.c.bucket, BUCKETS.c.n, BUCKETS.c.sum_ms)
        .where(BUCKETS.c.tier == 1, *_keys(BUCKETS, level, dialect, by_service, by_severity))
        for level in LEVELS
    ]
    parts += [
        select(literal(level).label("lvl"), key.label("k"), lb.c.measure, _group(lb.c.bucket),
               lb.c.n, lb.c.sum_ms)
        for level, key in live_keys.items()
    ]
    c = union_all(*parts).subquery("coarse")
    group = [c.c.lvl, c.c.k, c.c.measure]
    merged = (select(*group, c.c.bucket, func.sum(c.c.n).label("n"))
              .group_by(*group, c.c.bucket).having(func.sum(c.c.n) > 0).subquery("merged"))
    mgroup = [merged.c.lvl, merged.c.k, merged.c.measure]
    walked = select(
        merged,
        func.sum(merged.c.n).over(partition_by=mgroup, order_by=merged.c.bucket).label("cum"),
        func.sum(merged.c.n).over(partition_by=mgroup).label("total"),
    ).cte("walked")
    found = union_all(*(  # the group holding rank ceil(p * n): cum >= p * n > cum - n
        select(walked.c.lvl, walked.c.k, walked.c.measure, literal(p).label("p"),
               literal(num).label("num"), literal(den).label("den"),
               walked.c.bucket.label("grp"), (walked.c.cum - walked.c.n).label("below"),
               walked.c.total)
        .where(walked.c.cum * den >= walked.c.total * num,
               (walked.c.cum - walked.c.n) * den < walked.c.total * num)
        for p, num, den in PERCENTILES)).subquery("found")
    # Numbered, so the buckets below are grouped and sorted by an integer, not by text keys.
    t = select(found, func.row_number().over().label("tid")).cte("targets")
    rollup_match = {"all": true(), "severity": BUCKETS.c.severity == t.c.k,
                    "service": BUCKETS.c.service_id == cast(t.c.k, Integer)}
    live_match = {"all": true(), "severity": lb.c.severity == t.c.k,
                  "service": cast(lb.c.service_id, String) == t.c.k}
    # On SQLite each bucket row carries its target's rank figures, so the walk finds its
    # bucket before the targets are joined again for their keys: SQLite ran that join ahead of
    # the filter as a nested loop (160 ms at 3,000 incidents, 20-26 ms this way). PostgreSQL
    # hashes the join and is faster grouping by the target's id alone (58 ms against 81 ms at
    # a million incidents).
    carried = dialect != "postgresql"
    rank = [t.c.tid, t.c.num, t.c.den, t.c.below, t.c.total] if carried else [t.c.tid]
    fine: list[Any] = [
        select(*rank, BUCKETS.c.bucket, BUCKETS.c.n, BUCKETS.c.sum_ms)
        .select_from(t.join(BUCKETS, and_(
            BUCKETS.c.tier == 0, BUCKETS.c.measure == t.c.measure,
            BUCKETS.c.bucket >= t.c.grp * COARSE - 1, BUCKETS.c.bucket < t.c.grp * COARSE + COARSE,
            _group(BUCKETS.c.bucket) == t.c.grp, rollup_match[level])))
        .where(t.c.lvl == level, *_keys(BUCKETS, level, dialect, by_service, by_severity))
        for level in LEVELS
    ]
    fine += [
        select(*rank, lb.c.bucket, lb.c.n, lb.c.sum_ms)
        .select_from(t.join(lb, and_(
            t.c.measure == lb.c.measure, _group(lb.c.bucket) == t.c.grp, live_match[level])))
        .where(t.c.lvl == level)
        for level in LEVELS
    ]
    f = union_all(*fine).subquery("fine")
    of_rank = [f.c[c.name] for c in rank]
    fm = (select(*of_rank, f.c.bucket, func.sum(f.c.n).label("n"), func.sum(f.c.sum_ms).label("s"))
          .group_by(*of_rank, f.c.bucket).having(func.sum(f.c.n) > 0).subquery("fm"))
    fw = select(fm, func.sum(fm.c.n).over(partition_by=fm.c.tid, order_by=fm.c.bucket
                                          ).label("cum")).subquery("fw")
    if not carried:
        reached = t.c.below + fw.c.cum
        return (select(t.c.lvl, t.c.k, t.c.measure, t.c.p, fw.c.bucket, fw.c.n, fw.c.s)
                .select_from(fw.join(t, t.c.tid == fw.c.tid))
                .where(reached * t.c.den >= t.c.total * t.c.num,
                       (reached - fw.c.n) * t.c.den < t.c.total * t.c.num))
    reached = fw.c.below + fw.c.cum
    hit = (select(fw.c.tid, fw.c.bucket, fw.c.n, fw.c.s)
           .where(reached * fw.c.den >= fw.c.total * fw.c.num,
                  (reached - fw.c.n) * fw.c.den < fw.c.total * fw.c.num)
           .subquery("hit"))
    return (select(t.c.lvl, t.c.k, t.c.measure, t.c.p, hit.c.bucket, hit.c.n, hit.c.s)
            .select_from(hit.join(t, t.c.tid == hit.c.tid)))


SERVICE_NAMES: Any = select(Service.id, Service.name)


async def rows(db: Database, service_ids: list[int] | None, severities: list[str] | None,
               now: Any, daily: Callable[[Sequence[Any]], T]
               ) -> tuple[list[dict[str, Any]], dict[int, str], T]:
    """The answer's level rows (all, severity, service) with compute.py's keys, percentiles
    filled in; the service names; and `daily` of the figures' rows (its day rows), shaped
    while the percentiles' walk, the longer statement, is still running."""
    sums, ranked = statements(db.dialect, bool(service_ids), bool(severities))
    params: dict[str, Any] = {"now": now}
    if service_ids:
        params["service_ids"] = service_ids
    if severities:
        params["severities"] = severities
    async def sums_names_and_days(reader: RowReader) -> tuple[Sequence[Any], Sequence[Any], T]:
        figures, names = await reader.all(sums, **params), await reader.all(SERVICE_NAMES)
        return figures, names, daily(figures)

    async def percentiles_of(reader: RowReader) -> Sequence[Any]:
        return await reader.all(ranked, **params)

    # The percentiles' walk and the sums take about as long: at once, in one snapshot.
    (figures, names, days), percentiles = await db.rows.apart([sums_names_and_days, percentiles_of])
    values: dict[tuple[str, str], dict[str, int]] = {}
    for r in percentiles:
        values.setdefault((r["lvl"], r["k"]), {})[f"{r['measure']}_{r['p']}_ms"] = value_ms(
            int(r["bucket"]), int(r["n"]), int(r["s"]))
    none = {m.percentile_ms(p): None for m in MEASURES for p, _, _ in PERCENTILES}
    out = [{**none, **{c: r[c] for c in ("lvl", "k", *_FIGURES)},
            **values.get((r["lvl"], r["k"]), {})} for r in figures if r["lvl"] in LEVELS]
    return out, {r["id"]: r["name"] for r in names}, days
