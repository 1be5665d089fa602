"""Follow-ups (action items): the work an incident leaves behind, owned and dated, which
outlives the incident (editable and completable after it closes)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ActionItem(Base):
    __tablename__ = "action_items"
    __table_args__ = (
        Index(None, "incident_id", "id"),
        # "My follow-ups" (owner, open, by due date) and the overdue list (open, by due date).
        Index(None, "owner_id", "status", "due_date", "id"),
        Index(None, "status", "due_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # domain/action_items.Kind
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(8))  # domain/action_items.ItemStatus
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
