"""The incidents /metrics reads, one row each, and their rows once per level of the answer:
shared by the portable exact query (compute.py) and the live part of the rollups' answer
(rollup_reads.py)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, and_, case, cast, literal, select, true, union_all

from app.models import Incident
from app.services.metrics.measures import MEASURES
from app.services.metrics.sketch import log_bucket
from app.services.metrics.sql_functions import utc_day
from app.services.sla.filters import Now, breached


def base(conditions: Sequence[Any], now: Now, buckets: bool = False) -> Any:
    """One row per incident matching `conditions`: its keys, durations, breach and SLA
    outcome known at `now` (and its durations' sketch buckets, for rollup_reads)."""
    is_breached = breached(now)
    return (
        select(
            Incident.severity,
            Incident.service_id,
            utc_day(Incident.created_at).label("day"),
            utc_day(Incident.resolved_at).label("resolved_day"),
            *(m.duration_ms().label(f"{m.name}_ms") for m in MEASURES),
            *(log_bucket(m.duration_ms()).label(f"{m.name}_bucket") for m in MEASURES if buckets),
            case((is_breached, 1), else_=0).label("breached"),
            case((is_breached, 1), (Incident.resolved_at.is_not(None), 1), else_=0).label("known"),
        )
        .where(and_(true(), *conditions))
        .cte("base")
    )


def tagged(base: Any, cols: Sequence[Any]) -> Any:
    """`base`'s rows once per level (all, severity, service, day and resolved day), as
    (lvl, k, *cols)."""
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
    return union_all(*parts).cte("tagged")
