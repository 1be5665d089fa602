"""Single-use tickets for opening the live stream, so a console's bearer token never goes in a
URL (EventSource cannot send headers). Only a SHA-256 digest of each ticket is stored."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class StreamTicket(Base):
    __tablename__ = "stream_tickets"
    __table_args__ = (Index(None, "expires_at"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The token version of the token that asked for it: a password change voids the ticket.
    token_version: Mapped[int]
    # The API token it was asked with, if any: the stream then lives as long as that token.
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
