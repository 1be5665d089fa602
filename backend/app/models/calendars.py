"""Business-hours calendars an SLA policy's severities may run their clocks in."""

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument


class BusinessCalendar(Base):
    """`hours`: {"mon": [["09:00", "17:00"]], ...} (weekdays left out have none); `holidays`:
    ["2026-12-25", ...] local dates. Read by domain/business_hours.parse_calendar."""

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    holidays: Mapped[list[str]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
