"""Stars on timeline events: which events a team marked as key (the report's Key events).

Its own record, so starring never touches incident_events (append-only, hash-chained): one star
per event, kept beside its incident so it is only ever read or changed within that incident.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class IncidentEventStar(Base):
    __tablename__ = "incident_event_stars"
    __table_args__ = (Index(None, "incident_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("incident_events.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    starred_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starred_at: Mapped[datetime]
