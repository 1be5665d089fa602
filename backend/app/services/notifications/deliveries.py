"""The deliveries log of a channel, the test delivery and the manual retry."""

import base64
import binascii
import json
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.errors import Conflict, NotFound, Unprocessable
from app.models import Notification, NotificationChannel
from app.schemas.notifications import DeliveryPage, DeliveryRead
from app.services.notifications.outbox import WAKE, WAKE_ALL, insert_rows, new_row
from app.services.notifications.render import render
from app.services.records import get_or_404

TEST_EVENT = "test"
TEST_SUMMARY = "A test from the Incident Console: this channel is set up right."


def delivery_read(n: Notification) -> DeliveryRead:
    return DeliveryRead(
        id=n.id, event=n.event, incident_id=n.incident_id, status=n.status,  # type: ignore[arg-type]
        attempts=n.attempts, last_status_code=n.last_status_code, last_error=n.last_error,
        next_attempt_at=n.next_attempt_at if n.status == "pending" else None,
        delivered_at=n.delivered_at, created_at=n.created_at)


def _cursor(n: Notification) -> str:
    raw = json.dumps([n.created_at.isoformat(), n.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        stamp, ident = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = datetime.fromisoformat(stamp)
        if at.tzinfo is None or not isinstance(ident, str) or len(ident) > 36:
            raise ValueError(cursor)
        return at.astimezone(UTC), ident
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Unprocessable("cursor is not one this server issued; start again without it",
                            field="cursor") from None


async def _channel(session: AsyncSession, channel_id: int) -> NotificationChannel:
    return await get_or_404(session, NotificationChannel, channel_id, "Channel")


async def page(db: Database, channel_id: int, cursor: str | None, limit: int) -> DeliveryPage:
    """Newest first, keyset pages of (created_at, id)."""
    async with db.read() as session:
        await _channel(session, channel_id)
        stmt = select(Notification).where(Notification.channel_id == channel_id)
        if cursor:
            at, ident = _decode(cursor)
            stmt = stmt.where(or_(Notification.created_at < at,
                                  and_(Notification.created_at == at, Notification.id < ident)))
        rows = list(await session.scalars(
            stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return DeliveryPage(items=[delivery_read(n) for n in rows],
                            next_cursor=_cursor(rows[-1]) if more and rows else None)


async def send_test(db: Database, channel_id: int) -> DeliveryRead:
    """A `test` delivery through the same outbox (no incident), due now; the channel's rest,
    if it was resting after failures, ends: this is how someone checks a fixed endpoint."""
    now = utcnow()
    async with db.transaction() as session:
        channel = await _channel(session, channel_id)
        channel.paused_until = None
        row = new_row(channel.id, TEST_EVENT, None, None, now, now)
        row["body"] = render(channel.kind, row["id"], TEST_EVENT, now, None, TEST_SUMMARY)
        await insert_rows(session, [row])
        created = await session.get(Notification, row["id"])
        assert created is not None
        return delivery_read(created)


async def retry(db: Database, channel_id: int, delivery_id: str) -> DeliveryRead:
    """A failed or pending delivery, due now with a fresh set of attempts (same id, same
    body); 409 if it was delivered already."""
    now = utcnow()
    async with db.transaction() as session:
        channel = await _channel(session, channel_id)
        n = await session.get(Notification, delivery_id)
        if n is None or n.channel_id != channel_id:
            raise NotFound("Delivery", delivery_id)
        if n.status == "delivered":
            raise Conflict("This delivery was delivered already", field="delivery_id")
        channel.paused_until = None
        await session.execute(update(Notification).where(Notification.id == n.id).values(
            status="pending", attempts=0, next_attempt_at=now, claimed_until=None))
        session.info[WAKE] = session.info[WAKE_ALL] = True
        await session.refresh(n)
        return delivery_read(n)
