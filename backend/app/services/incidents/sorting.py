"""The orders GET /incidents offers besides newest first, as SQL the keyset cursors can follow.

Each order is a tuple of SortKey ending in a unique key (the id); a cursor carries the last
row's key, and `after` reads the rows beyond it. Incidents with nothing left to wait for
("settled") start the urgency and due orders' keys with constants, so those orders read them
as a branch of their own (see SETTLED).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, case, func, literal, literal_column, or_, tuple_
from sqlalchemy.sql import ColumnElement

from app.domain.lifecycle import OPEN_STATUSES, Status
from app.models import Incident
from app.models.base import UTCDateTime
from app.schemas.incidents import IncidentSort
from app.services.cursors import KeyKind
from app.services.sla import filters as sla_filters

# "No due time" in the due-time sort key: after every real one, so those incidents come last.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class SortKey:
    """One part of an order: its expression, direction, and how a cursor carries its value."""

    expr: Any  # a column or an SQL expression
    descending: bool
    kind: KeyKind
    type_: Any


@cache
def sort_keys(order: IncidentSort) -> tuple[SortKey, ...]:
    """The whole order of `order`, ending in a unique key (id); `now` is the bound `now`.
    Built once per order (building the expressions cost more than 1 ms of every list).
    The due time is the read model's `sla.next_due_at` as SQL (sla/filters.py, held to
    domain/sla.judge by tests/api/test_sla_filters.py)."""
    now = bindparam("now", type_=UTCDateTime())
    due = func.coalesce(sla_filters.next_due_at(now), literal(NO_DUE, UTCDateTime()))
    created = SortKey(Incident.created_at, False, "time", UTCDateTime())
    newest = (SortKey(Incident.created_at, True, "time", UTCDateTime()),
              SortKey(Incident.id, True, "id", Integer()))
    if order is IncidentSort.URGENCY:
        is_open = or_(*(Incident.status == literal_column(f"'{s.value}'") for s in OPEN_STATUSES))
        # Open and breached, open, open with the SLA clock paused, then the rest.
        group = case((and_(is_open, sla_filters.PAUSED), literal_column("2")),
                     (and_(is_open, sla_filters.breached(now)), literal_column("0")),
                     (is_open, literal_column("1")), else_=literal_column("3"))
        return (SortKey(group, False, "int", Integer()),
                SortKey(due, False, "time", UTCDateTime()),
                SortKey(Incident.severity, False, "text", String()), created,
                SortKey(Incident.id, False, "id", Integer()))
    if order is IncidentSort.SEVERITY:
        return (SortKey(Incident.severity, False, "text", String()), *newest)
    if order is IncidentSort.DUE:
        return (SortKey(due, False, "time", UTCDateTime()), *newest)
    return newest


TIME_DEPENDENT = frozenset({IncidentSort.URGENCY, IncidentSort.DUE})


def after(keys: tuple[SortKey, ...], params: list[Any]) -> ColumnElement[bool]:
    """Rows after the cursor's key in the order of `keys`: runs of keys in one direction compare
    as one row value; a later run counts only where the earlier ones are equal."""
    run = 1
    while run < len(keys) and keys[run].descending == keys[0].descending:
        run += 1
    head, head_params = keys[:run], params[:run]
    left = tuple_(*(k.expr for k in head)) if run > 1 else head[0].expr
    right = tuple_(*head_params) if run > 1 else head_params[0]
    beyond = left < right if keys[0].descending else left > right
    if run == len(keys):
        return beyond
    same = and_(*(k.expr == p for k, p in zip(head, head_params, strict=True)))
    return or_(beyond, and_(same, after(keys[run:], params[run:])))


# Incidents with nothing left to wait for whatever the time: closed or resolved, acknowledged
# and resolved. No target of theirs is pending, so in the urgency and due orders their key
# starts with constants (urgency: group 3 and no due time; due: no due time) and the rest of
# it is plain columns an index already holds in order. Those orders read them as a branch of
# their own, walked along that index, instead of computing a `now`-dependent key for every
# row of the history (0.6 s at 200,000 incidents on PostgreSQL, a few ms this way).
_OPEN: list[ColumnElement[Any]] = [literal_column(f"'{s.value}'") for s in OPEN_STATUSES]
SETTLED = and_(Incident.status.not_in(_OPEN), Incident.acknowledged_at.is_not(None),
               Incident.resolved_at.is_not(None))
# The others, written as the partial index ix_incidents_unsettled's predicate
# (models.incidents.UNSETTLED) so that PostgreSQL reads them from it.
UNSETTLED = or_(Incident.status.in_(_OPEN), Incident.acknowledged_at.is_(None),
                Incident.resolved_at.is_(None))
# How many leading keys are constant for settled incidents, and their values.
SETTLED_PREFIX: dict[IncidentSort, tuple[Any, ...]] = {
    IncidentSort.URGENCY: (3, NO_DUE), IncidentSort.DUE: (NO_DUE,)}


def settled_after(order: IncidentSort, statuses: Sequence[Status], key: tuple[Any, ...] | None
                  ) -> str:
    """Which settled incidents the page reads: none ("none": the order has no settled branch,
    or the status filter (`statuses`) names only open statuses), all of them ("all": the cursor's key is
    before their constant prefix), or those after the key's tail ("keyed")."""
    if order not in SETTLED_PREFIX or (statuses and all(s in OPEN_STATUSES for s in statuses)):
        return "none"
    prefix = SETTLED_PREFIX[order]
    return "keyed" if key is not None and tuple(key[:len(prefix)]) == prefix else "all"


def order_by(keys: tuple[SortKey, ...]) -> list[Any]:
    return [k.expr.desc() if k.descending else k.expr.asc() for k in keys]
