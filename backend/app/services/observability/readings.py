"""What `/-/metrics` reads from the database at scrape time: cheap aggregate queries.

- incidents_open{severity}: incidents not yet Resolved or Closed (index on status, severity);
- incidents_breached{severity}: of those, the ones past an SLA target now (the SQL SLA rule);
- notification_queue_depth: deliveries still pending (due now or waiting for a retry);
- notification_queue_oldest_age_seconds: how long the most overdue pending delivery has been
  due (0 when none is): the delivery workers falling behind, or a channel refusing.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import case, func, select

from app.clock import utcnow
from app.db import Database
from app.domain.lifecycle import OPEN_STATUSES
from app.domain.severity import Severity
from app.infra.prometheus import Readings
from app.models import Incident, Notification
from app.services.sla.filters import breached


async def open_incidents(db: Database, now: datetime | None = None) -> dict[str, dict[str, int]]:
    now = now or utcnow()
    stmt = (select(Incident.severity, func.count(),
                   func.coalesce(func.sum(case((breached(now), 1), else_=0)), 0))
            .where(Incident.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(Incident.severity))
    counts = {s.value: 0 for s in Severity}
    breaches = dict(counts)
    async with db.read() as session:
        for severity, count, breached_count in (await session.execute(stmt)).all():
            counts[severity], breaches[severity] = int(count), int(breached_count)
    return {"open": counts, "breached": breaches}


async def notification_queue(db: Database, now: datetime | None = None) -> tuple[int, float]:
    now = now or utcnow()
    pending = Notification.status == "pending"
    async with db.read() as session:
        depth = await session.scalar(select(func.count()).where(pending))
        oldest: datetime | None = await session.scalar(
            select(func.min(Notification.next_attempt_at))
            .where(pending, Notification.next_attempt_at <= now))
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return int(depth or 0), age


def register(readings: Readings, db: Database) -> None:
    """The readings every process answers with: one query each per scrape (cached)."""
    incidents: dict[str, dict[str, int]] = {}
    queue: list[float] = [0, 0]

    def by_severity(part: str) -> Mapping[tuple[str, ...], float]:
        return {(severity,): float(n) for severity, n in incidents[part].items()}

    async def read_open() -> Mapping[tuple[str, ...], float]:
        incidents.update(await open_incidents(db))
        return by_severity("open")

    async def read_breached() -> Mapping[tuple[str, ...], float]:
        return by_severity("breached")  # read just before, with the open ones

    async def read_depth() -> float:
        queue[:] = await notification_queue(db)
        return queue[0]

    async def read_age() -> float:
        return queue[1]

    readings.add("incidents_open", "Incidents not yet resolved, by severity", read_open,
                 ("severity",))
    readings.add("incidents_breached", "Unresolved incidents past an SLA target now, by severity",
                 read_breached, ("severity",))
    readings.add("notification_queue_depth", "Notifications waiting to be delivered",
                 read_depth)
    readings.add("notification_queue_oldest_age_seconds",
                 "Seconds the most overdue pending notification has been due (0: none)", read_age)
