"""Requests already answered, by Idempotency-Key: a retry gets the first answer back."""

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"), Index(None, "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The principal ("user:<id>", "key:<id>"; services/principals.py): one caller's keys never
    # answer another's requests, whichever of its tokens it sends.
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    # The first answer, written in the same transaction as the claim and the change. Null only
    # in claims left by older versions, which stored the answer after the commit.
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    response_body: Mapped[str | None] = mapped_column(Text)
