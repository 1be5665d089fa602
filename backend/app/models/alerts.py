"""Alerts that monitoring sends us, the integration keys machines send them with, and the
SLA notices the sweeper has already written (one per incident and kind, ever)."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument


class Alert(Base):
    """One alert per service and sender fingerprint: repeats raise `count` and `last_seen_at`.

    Identity is (service, source, fingerprint): two services that both send `disk-full` have
    two alerts (and two incidents), and one service's integration key never matches another
    service's alert. The unique index leads with (source, fingerprint) so a responder's
    acknowledge or resolve that names no service is an index lookup too.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("source", "fingerprint", "service_id"),
        Index(None, "first_seen_at", "id"),
        Index(None, "status", "first_seen_at", "id"),
        Index(None, "incident_id", "status"),
        Index(None, "group_key", "service_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    group_key: Mapped[str | None] = mapped_column(String(1000))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # When the current firing episode began: set on insert and on a re-fire after resolve.
    fired_at: Mapped[datetime]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    count: Mapped[int] = mapped_column(Integer, default=1)


class IntegrationKey(Base):
    """A service's key for machines; only its SHA-256 is kept (it is a random 128-bit token)."""

    __tablename__ = "integration_keys"
    __table_args__ = (Index(None, "service_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_last4: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]


class SlaNotice(Base):
    """The sweeper's exactly-once marker: a second insert of (incident, kind) conflicts."""

    __tablename__ = "sla_notices"
    __table_args__ = (UniqueConstraint("incident_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    notified_at: Mapped[datetime]
