"""Notification channels (where to tell people) and the outbox of notifications to send them.

A notification row is written in the same transaction as the change that caused it, so a
rolled-back change notifies nobody and a committed one is never lost; the delivery worker
(services/notifications/delivery.py) sends it from any replica. Its id is the delivery id the
receiver sees on every attempt.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument


class NotificationChannel(Base):
    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # webhook | slack | teams
    url: Mapped[str] = mapped_column(Text)  # encrypted (Fernet): Slack and Teams URLs are credentials
    url_host: Mapped[str] = mapped_column(String(300))  # scheme://host, what lists may show
    secret: Mapped[str | None] = mapped_column(Text)  # encrypted; signs webhook bodies
    events: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    min_severity: Mapped[str | None] = mapped_column(String(8))
    service_ids: Mapped[list[int]] = mapped_column(JSONDocument, default=list)
    # Back-off of a channel that keeps failing: since when, how many in a row, paused until.
    failing_since: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Notification(Base):
    """One delivery: an event for one channel. `body` is rendered once, at the first claim,
    and resent unchanged (same bytes, same signature) on every retry."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("channel_id", "source_event_id"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "channel_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    source_event_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
