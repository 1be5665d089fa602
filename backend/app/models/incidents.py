"""Incidents, their timeline, and their root-cause analysis."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument

UNSETTLED = text("status IN ('New', 'Investigating', 'Mitigated') "
                 "OR acknowledged_at IS NULL OR resolved_at IS NULL")
UNSETTLED_INCLUDES = ("severity", "service_id", "status", "acknowledged_at", "mitigated_at",
                      "resolved_at", "ack_due_at", "resolve_due_at", "sla_paused_at")
ACK_RUNNING = text("acknowledged_at IS NULL AND sla_paused_at IS NULL")
RESOLVE_RUNNING = text("resolved_at IS NULL AND sla_paused_at IS NULL")


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index(None, "created_at", "id"),
        Index(None, "status", "created_at", "id"),
        Index(None, "severity", "created_at", "id"),
        Index(None, "service_id", "created_at", "id"),
        Index(None, "assignee_id", "created_at", "id"),
        Index(None, "service_id", "severity", "created_at", "id"),
        Index(None, "service_id", "status", "created_at", "id"),
        Index(None, "status", "severity", "created_at", "id"),
        Index(None, "assignee_id", "service_id", "status", "created_at", "id"),
        Index(None, "assignee_id", "severity", "created_at", "id"),
        # The incidents not yet Closed (a few thousand of a million): what the SLA sweeper
        # scans every few seconds.
        Index("ix_incidents_unclosed", "id", postgresql_where=text("status <> 'Closed'"),
              sqlite_where=text("status <> 'Closed'")),
        Index(None, "assignee_id", "status", "created_at", "id"),
        # The incidents that may still have an SLA target pending (open ones, and any
        # finished without both times on record): the dashboard's urgency and due orders, and
        # the live part of whole-history /metrics, which PostgreSQL reads from the index alone
        # (UNSETTLED_INCLUDES: every column it reads).
        Index("ix_incidents_unsettled", "created_at", "id", postgresql_where=UNSETTLED,
              sqlite_where=UNSETTLED, postgresql_include=list(UNSETTLED_INCLUDES)),
        # The due times whose clocks still run: the earliest target still pending (when a kept
        # /metrics answer stops holding) is the first entry past now of one or the other.
        Index("ix_incidents_ack_running", "ack_due_at", postgresql_where=ACK_RUNNING,
              sqlite_where=ACK_RUNNING),
        Index("ix_incidents_resolve_running", "resolve_due_at", postgresql_where=RESOLVE_RUNNING,
              sqlite_where=RESOLVE_RUNNING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="", server_default="")
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    mitigated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    ack_due_at: Mapped[datetime]
    resolve_due_at: Mapped[datetime]
    ack_at_risk_at: Mapped[datetime]
    resolve_at_risk_at: Mapped[datetime]
    # The calendar the due times were counted in (none: 24x7); on resume the pending ones move
    # by the paused business time in it (services/sla/pauses.py). No foreign key: a calendar
    # deleted since counts as 24x7.
    sla_calendar_id: Mapped[int | None] = mapped_column(Integer)
    # A paused SLA clock: since when and why (NULL: running), and the seconds of earlier pauses.
    sla_paused_at: Mapped[datetime | None]
    sla_paused_reason: Mapped[str | None] = mapped_column(String(500))
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # The timeline's checkpoint, moved in the same transaction as every event (services/
    # incidents/audit.py): the newest event's hash, the number of events, and an HMAC of both
    # under AUDIT_CHECKPOINT_KEY (kept outside the database; NULL when no key is set).
    chain_head: Mapped[str | None] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    chain_mac: Mapped[str | None] = mapped_column(String(64))


class IncidentEvent(Base):
    __tablename__ = "incident_events"
    __table_args__ = (Index(None, "incident_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The API token that wrote it, when its author came with one rather than in person.
    created_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    created_at: Mapped[datetime]
    # Tamper evidence: SHA-256 over this event's content and the incident's previous hash.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 of the incident's status, lifecycle times and RCA text as this event left them,
    # part of its hash (NULL on events chained before revision 0015, whose hash has no state).
    state_hash: Mapped[str | None] = mapped_column(String(64))


class Rca(Base):
    __tablename__ = "rcas"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    root_cause: Mapped[str] = mapped_column(Text, default="")
    contributing_factors: Mapped[str] = mapped_column(Text, default="")
    corrective_actions: Mapped[str] = mapped_column(Text, default="")
    prevention_actions: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SimilarTitle(Base):
    """Every distinct lower-cased incident title, kept by triggers on `incidents` (migration
    0020_similar_titles): where similar incidents are looked for first."""

    __tablename__ = "similar_titles"

    title_key: Mapped[str] = mapped_column(String(200), primary_key=True)
