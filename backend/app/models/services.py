"""Services that incidents happen to, their owners and SLA policies, and their runbooks."""

from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument


class Service(Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    owner_team: Mapped[str] = mapped_column(String(120))
    sla_policy: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # [{"after_minutes", "channel_ids"}], after_minutes strictly increasing: who hears of an
    # incident still New that long after it opened (services/sla/escalation.py).
    escalation_policy: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'"))
    # Severities whose incidents close only with a follow-up that has an owner and a due date
    # (domain/rca.close_blockers); [] for none.
    close_requires_action_items: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'"))


class Runbook(Base):
    __tablename__ = "runbooks"
    __table_args__ = (Index(None, "service_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # [{"title", "detail", "kind"?, "destructive"?}]: catalog.step_definition reads one.
    steps_json: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
