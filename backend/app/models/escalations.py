"""The escalation sweep's exactly-once marker: one row per (incident, policy step) escalated."""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class IncidentEscalation(Base):
    """A second insert of (incident, step), on any replica, conflicts: as `sla_notices` does."""

    __tablename__ = "incident_escalations"
    __table_args__ = (UniqueConstraint("incident_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    step: Mapped[int]  # the step's index in the service's escalation_policy
    escalated_at: Mapped[datetime]
