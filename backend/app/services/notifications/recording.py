"""Recording what sending did: each delivery's outcome, its channel's health, and retention.

Outcomes are written in short batched transactions (one executemany UPDATE per shape, only
rows still pending: a deleted channel's rows are gone, a retried one restarts). Delivered rows
older than NOTIFICATION_RETENTION_DAYS are deleted.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.infra.prometheus import count_notification
from app.models import Notification, NotificationChannel
from app.services.notifications.outbox import NOTIFICATIONS
from app.services.notifications.sending import Outcome, retry_delay

MAX_PAUSE_SECONDS = 3600.0


async def record(db: Database, settings: Settings, outcomes: list[Outcome]) -> None:
    """The outcomes of sent deliveries, in one short transaction."""
    s = settings
    now = utcnow()
    rows = []
    for o in outcomes:
        attempts = o.job.attempts + 1
        row: dict[str, Any] = {"id": o.job.id, "attempts": attempts, "claimed_until": None,
                               "last_status_code": o.status_code, "last_error": o.error}
        if o.delivered:
            row.update(status="delivered", delivered_at=now)
        elif o.retry and attempts < s.notification_max_attempts:
            delay = retry_delay(attempts, s.notification_retry_base_seconds,
                                s.notification_retry_cap_seconds, o.retry_after)
            row.update(next_attempt_at=now + timedelta(seconds=delay))
        else:
            row.update(status="failed")
        rows.append(row)
    by_channel: dict[int, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_channel[o.job.channel_id].append(o)
    async with db.transaction() as session:
        # Only rows still pending: a deleted channel's rows are gone, a retried one restarts.
        for group in _same_keys(rows):
            await _update_rows(session, group)
        channels = {ch.id: ch for ch in await session.scalars(
            select(NotificationChannel).where(NotificationChannel.id.in_(by_channel)))}
        for channel_id, results in by_channel.items():
            channel = channels.get(channel_id)
            if channel is not None:
                judge_channel(settings, channel, results, now)
    for o, row in zip(outcomes, rows, strict=True):
        count_notification(o.job.kind, row.get("status", "retry"))

def judge_channel(settings: Settings, channel: NotificationChannel, results: list[Outcome],
                  now: datetime) -> None:
    """A channel failing NOTIFICATION_PAUSE_AFTER_FAILURES times in a row rests
    (`paused_until`, longer each time); one success ends it."""
    for o in results:
        if o.delivered:
            channel.consecutive_failures, channel.failing_since, channel.paused_until = 0, None, None
        elif o.retry:
            channel.consecutive_failures += 1
            channel.failing_since = channel.failing_since or now
    over = channel.consecutive_failures - settings.notification_pause_after_failures
    if over >= 0 and results and not results[-1].delivered:
        rest = min(settings.notification_retry_base_seconds * 2 ** min(over, 20),
                   MAX_PAUSE_SECONDS)
        channel.paused_until = now + timedelta(seconds=rest)


async def purge_delivered(db: Database, before: datetime) -> int:
    async with db.transaction() as session:
        result = await session.execute(delete(Notification).where(
            Notification.status == "delivered", Notification.delivered_at < before))
        return int(getattr(result, "rowcount", 0) or 0)


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return list(groups.values())


async def _update_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE ... WHERE id = :id AND status = 'pending'."""
    table = NOTIFICATIONS
    values: dict[str, Any] = {k: bindparam(f"v_{k}") for k in rows[0] if k != "id"}
    stmt = (update(table).where(table.c.id == bindparam("v_id"), table.c.status == "pending")
            .values(**values))
    await session.execute(stmt, [{f"v_{k}": v for k, v in row.items()} for row in rows])
