"""GET /incidents: filtered, ordered by the server (newest first unless asked otherwise),
keyset pages, and a total that stays cheap.

Each combination of filters is one statement shape, built once with bound parameters (lists
bind as one array on PostgreSQL), so a request only binds values: no statement building or
compiling per request, and the rows go straight from asyncpg into the JSON (db_rows.py).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select

from app.clock import utcnow
from app.db import Database
from app.domain import sla
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.errors import Unprocessable
from app.infra.rows import RowReader, member_of
from app.models import Incident
from app.models.base import UTCDateTime
from app.schemas.incidents import IncidentSort
from app.services.cursors import (
    decode_cursor_with_total,
    decode_sort_cursor,
    encode_cursor,
    encode_sort_cursor,
)
from app.services.incidents.reads import incident_payload, incident_rows
from app.services.incidents.sorting import (
    SETTLED,
    SETTLED_PREFIX,
    TIME_DEPENDENT,
    UNSETTLED,
    SortKey,
    after,
    order_by,
    settled_after,
    sort_keys,
)
from app.services.sla import filters as sla_filters

# Exact up to here: the dashboard's open and breached counts (4,300 open incidents in the
# benchmark's history: estimated, they read "about 3,990") and any filter a person narrows
# down to. Counting stops at TOTAL_CAP + 1 rows, an index-only scan of at most 10,001 entries
# (1-2 ms) for the filter combinations the indexes cover.
TOTAL_CAP = 10_000
# Above this many expected matches the planner's figure is taken without counting at all.
ESTIMATE_TRUSTED = 50_000  # above TOTAL_CAP: a total past the cap is never below it


# What `q` matches (PostgreSQL's trigram index covers the same columns: migration 0011).
SEARCHED = (Incident.title, Incident.description, Incident.impact)


@dataclass
class IncidentFilter:
    status: list[Status] = field(default_factory=list)
    severity: list[Severity] = field(default_factory=list)
    service_id: list[int] = field(default_factory=list)
    assignee_id: list[int] = field(default_factory=list)
    sla_state: list[sla.SlaState] = field(default_factory=list)
    q: str | None = None
    unassigned: bool = False  # `assignee_id=none`: also (or only) incidents nobody owns
    created_from: datetime | None = None  # created_at >= it
    created_to: datetime | None = None  # created_at < it

    def values(self) -> dict[str, Any]:
        """The bound values of the filters that are set."""
        values: dict[str, Any] = {}
        for name in ("created_from", "created_to"):
            if getattr(self, name) is not None:
                values[name] = getattr(self, name)
        for name in ("status", "severity"):
            if getattr(self, name):
                values[name] = [s.value for s in getattr(self, name)]
        for name in ("service_id", "assignee_id"):
            if getattr(self, name):
                values[name] = list(getattr(self, name))
        if self.q:
            values["q"] = "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return values

    def bound(self, postgresql: bool) -> dict[str, Any]:
        """`values()` as the statement binds them: a lone value on PostgreSQL as a scalar."""
        values = self.values()
        if postgresql:
            for name, v in values.items():
                if isinstance(v, list) and len(v) == 1:
                    values[name] = v[0]
        return values

    def shape(self, postgresql: bool, bound: dict[str, Any] | None = None) -> tuple[Any, ...]:
        """What the statement's text depends on, read off the `bound()` values: per list, how
        many values (SQLite binds one placeholder each) or, on PostgreSQL, one value (a
        scalar) or several (one array)."""
        bound = self.bound(postgresql) if bound is None else bound
        lists = tuple((name, (2 if postgresql else len(v)) if isinstance(v, list)
                       else (1 if name != "q" else 0))
                      for name, v in bound.items())
        return lists, tuple(sorted(s.value for s in self.sla_state)), self.unassigned


def assignee_filter(values: Sequence[int | str], caller_id: int) -> tuple[list[int], bool]:
    """`assignee_id` values (user ids, `me` for the caller, `none` for nobody) as
    (owner ids, unassigned)."""
    ids = {caller_id if v == "me" else v for v in values if v != "none"}
    return sorted(i for i in ids if isinstance(i, int)), "none" in values


def created_window(created_from: datetime | None, created_to: datetime | None
                   ) -> tuple[datetime | None, datetime | None]:
    """The creation window in UTC (no offset means UTC); 422 when it is empty."""
    def utc(value: datetime | None, name: str) -> datetime | None:
        try:
            return (None if value is None else value.replace(tzinfo=UTC) if value.tzinfo is None
                    else value.astimezone(UTC))
        except OverflowError:
            raise Unprocessable(f"{name} is out of range", field=name)

    start, end = utc(created_from, "created_from"), utc(created_to, "created_to")
    if start and end and start >= end:
        raise Unprocessable("created_from must be earlier than created_to", field="created_from")
    return start, end


def _one_of(column: Any, name: str, item: Any, count: int, postgresql: bool) -> ColumnElement[bool]:
    """`column = $n` for one value: PostgreSQL walks a composite index in order for that, but
    not for `= ANY(ARRAY[v])` (one service, owner and status: 0.5 ms against 190 ms)."""
    if postgresql and count == 1:
        return column == bindparam(name, type_=item)
    return member_of(column, name, item, "postgresql" if postgresql else "sqlite")


def _conditions(shape: tuple[Any, ...], postgresql: bool) -> list[ColumnElement[bool]]:
    lists, states, unassigned = shape
    columns = {"status": (Incident.status, String()), "severity": (Incident.severity, String()),
               "service_id": (Incident.service_id, Integer()),
               "assignee_id": (Incident.assignee_id, Integer())}
    now = bindparam("now", type_=UTCDateTime())
    conditions = [_one_of(columns[name][0], name, columns[name][1], count, postgresql)
                  for name, count in lists if name in columns and name != "assignee_id"]
    owners = [_one_of(Incident.assignee_id, name, Integer(), count, postgresql)
              for name, count in lists if name == "assignee_id"]
    if unassigned:
        owners.append(Incident.assignee_id.is_(None))
    if owners:
        conditions.append(or_(*owners) if len(owners) > 1 else owners[0])
    names = {name for name, _ in lists}
    if "created_from" in names:
        conditions.append(Incident.created_at >= bindparam("created_from", type_=UTCDateTime()))
    if "created_to" in names:
        conditions.append(Incident.created_at < bindparam("created_to", type_=UTCDateTime()))
    if states:
        conditions.append(or_(*(sla_filters.in_state(sla.SlaState(s), now) for s in states)))
    if any(name == "q" for name, _ in lists):
        pattern = bindparam("q", type_=String())
        conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in SEARCHED)))
    return conditions


@lru_cache(maxsize=512)
def page_statement(shape: tuple[Any, ...], postgresql: bool, after_cursor: bool) -> Select[Any]:
    stmt = incident_rows(rca_meta=False).where(*_conditions(shape, postgresql))
    if after_cursor:
        stmt = stmt.where(tuple_(Incident.created_at, Incident.id) < tuple_(
            bindparam("cursor_at", type_=UTCDateTime()), bindparam("cursor_id", type_=Integer())))
    return stmt.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(
        bindparam("page_size", type_=Integer()))


@lru_cache(maxsize=512)
def sorted_page_statement(shape: tuple[Any, ...], postgresql: bool, order: IncidentSort,
                          after_cursor: bool, settled: str = "none") -> Select[Any]:
    """A page in an order other than newest: the sort key comes back as `sort_0`, `sort_1`...
    for the next cursor. `settled`: see SETTLED and `settled_after`."""
    keys = sort_keys(order)
    page_size = bindparam("page_size", type_=Integer())
    cursor = [bindparam(f"cursor_{n}", type_=k.type_) for n, k in enumerate(keys)]
    stmt = (incident_rows(rca_meta=False)
            .add_columns(*(k.expr.label(f"sort_{n}") for n, k in enumerate(keys)))
            .where(*_conditions(shape, postgresql)))
    if settled == "none":
        if after_cursor:
            stmt = stmt.where(after(keys, cursor))
        return stmt.order_by(*order_by(keys)).limit(page_size)
    fixed = len(SETTLED_PREFIX[order])
    unsettled = stmt.where(UNSETTLED)
    if after_cursor:
        unsettled = unsettled.where(after(keys, cursor))
    settled_rows = stmt.where(SETTLED)
    if after_cursor and settled == "keyed":
        settled_rows = settled_rows.where(after(keys[fixed:], cursor[fixed:]))
    both = union_all(
        select(unsettled.order_by(*order_by(keys)).limit(page_size).subquery()),
        select(settled_rows.order_by(*order_by(keys[fixed:])).limit(page_size).subquery()),
    ).subquery()
    return select(both).order_by(*order_by(tuple(
        SortKey(both.c[f"sort_{n}"], k.descending, k.kind, k.type_)
        for n, k in enumerate(keys)))).limit(page_size)


@lru_cache(maxsize=512)
def matching_statement(shape: tuple[Any, ...], postgresql: bool) -> Select[Any]:
    return select(Incident.id).where(*_conditions(shape, postgresql))


@lru_cache(maxsize=512)
def capped_count_statement(shape: tuple[Any, ...], postgresql: bool) -> Select[Any]:
    capped = matching_statement(shape, postgresql).limit(bindparam("cap", type_=Integer()))
    return select(func.count().label("n")).select_from(capped.subquery())


@lru_cache(maxsize=512)
def exact_count_statement(shape: tuple[Any, ...]) -> Select[Any]:
    return select(func.count().label("n")).select_from(Incident).where(*_conditions(shape, False))


# Planner estimates past ESTIMATE_TRUSTED, reused for ESTIMATE_REUSE seconds per filter: a
# figure shown as an estimate ("about 980,000") does not need a fresh EXPLAIN for every page
# view. Exact totals are never reused.
ESTIMATE_REUSE = 10.0
_estimates: dict[tuple[Any, ...], tuple[float, int]] = {}


def _estimate_key(shape: tuple[Any, ...], values: dict[str, Any]) -> tuple[Any, ...]:
    return shape, tuple((k, tuple(v) if isinstance(v, list) else v)
                        for k, v in sorted(values.items()) if k != "now")


async def _estimate(reader: RowReader, shape: tuple[Any, ...], values: dict[str, Any]) -> int:
    """PostgreSQL's planner estimate of how many incidents match (no rows read)."""
    key = _estimate_key(shape, values)
    kept = _estimates.get(key)
    if kept is not None and time.monotonic() - kept[0] < ESTIMATE_REUSE:
        return kept[1]
    plan = await reader.explain(matching_statement(shape, True), **values)
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate >= ESTIMATE_TRUSTED:
        if len(_estimates) >= 1000:
            _estimates.clear()
        _estimates[key] = (time.monotonic(), estimate)
    return estimate


async def count_matching(reader: RowReader, shape: tuple[Any, ...], postgresql: bool,
                         values: dict[str, Any]) -> int:
    """Exact when at most TOTAL_CAP incidents match, counted no further than that (a few ms at
    any table size); above the cap, PostgreSQL's planner estimate (never below the cap), and
    when the planner expects far more than the cap, its estimate without counting. An exact
    count(*) over a million incidents costs 50-120 ms on every page; SQLite, the
    small-install database, counts exactly."""
    if not postgresql:  # one count, with no cap to stop at and count again after
        rows = await reader.all(exact_count_statement(shape), **values)
        return int(rows[0]["n"])
    estimate = await _estimate(reader, shape, values)
    if estimate >= ESTIMATE_TRUSTED:
        return estimate
    rows = await reader.all(capped_count_statement(shape, postgresql), cap=TOTAL_CAP + 1, **values)
    total = int(rows[0]["n"])
    return total if total <= TOTAL_CAP else max(TOTAL_CAP + 1, estimate)


async def list_incidents(
    db: Database, f: IncidentFilter, limit: int, cursor: str | None,
    order: IncidentSort = IncidentSort.NEWEST,
) -> dict[str, Any]:
    """`IncidentPage` as a dict (the route writes it out as it is). The server orders the whole
    result set; a time-dependent order (urgency, due) keeps its first page's `now` in the
    cursor, so later pages continue the same order."""
    now = utcnow()
    postgresql = db.dialect == "postgresql"
    values = f.bound(postgresql)
    shape = f.shape(postgresql, values)
    if f.sla_state:
        values["now"] = now
    params: dict[str, Any] = {**values, "page_size": limit + 1}
    total: int | None = None
    keys = sort_keys(order)
    if order is IncidentSort.NEWEST:
        if cursor:
            created_at, ident, total = decode_cursor_with_total(cursor)
            params.update(cursor_at=created_at, cursor_id=ident)
        stmt = page_statement(shape, postgresql, bool(cursor))
    else:
        order_now: datetime | None = now if order in TIME_DEPENDENT else None
        key: tuple[object, ...] | None = None
        if cursor:
            order_now, key, total = decode_sort_cursor(cursor, order.value,
                                                       tuple(k.kind for k in keys))
            if (order_now is None) != (order not in TIME_DEPENDENT):
                raise Unprocessable("cursor is not one this server issued for this order; "
                                    "start again without it", field="cursor")
            params.update({f"cursor_{n}": v for n, v in enumerate(key)})
        settled = settled_after(order, f.status, key)
        if order_now is not None:
            params["now"] = order_now
            if f.sla_state:  # filtered at the same moment the pages are ordered at
                values["now"] = order_now
        stmt = sorted_page_statement(shape, postgresql, order, bool(cursor), settled)
    async with db.rows.reader() as reader:
        rows = await reader.all(stmt, **params)
        if total is None:
            # A first page that is not full already holds every match: nothing to count.
            total = (len(rows) if not cursor and len(rows) <= limit
                     else await count_matching(reader, shape, postgresql, values))
    items = [incident_payload(row, now) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        if order is IncidentSort.NEWEST:
            next_cursor = encode_cursor(last["created_at"], last["id"], total)
        else:
            next_cursor = encode_sort_cursor(
                order.value, params.get("now") if order in TIME_DEPENDENT else None,
                tuple(last[f"sort_{n}"] for n in range(len(keys))), total)
    return {"items": items, "next_cursor": next_cursor, "total": total,
            "total_exact": not postgresql or total <= TOTAL_CAP}
