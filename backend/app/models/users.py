"""People who sign in (responders, incident managers, viewers) and their API tokens."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


@dataclass(frozen=True)
class TokenRef:
    """The API token a request came with (services/users/tokens.py)."""

    id: int
    name: str


class User(Base):
    __tablename__ = "users"
    __allow_unmapped__ = True  # for `via_token`, which is no column

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Bumped on password change or disablement: tokens carrying an older value stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Not a column: set on a transient copy of the row whose role is the token's, when the
    # caller signed in with an API token rather than as the person (Accounts.authenticate).
    via_token: TokenRef | None = None


class ApiToken(Base):
    """A long random secret for automation, acting for its user with at most its `role`.
    Only a keyed hash is stored; `prefix` (the first characters) tells tokens apart."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginCounter(Base):
    """Failed sign-ins per (username, client), per client and per account, shared by every
    replica (services/users/login_throttle.py; PostgreSQL only, SQLite counts in memory).
    Times are seconds since the epoch."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_at: Mapped[float] = mapped_column(Float, default=0.0, server_default="0", index=True)
    ticket: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class UserIdentity(Base):
    """Who a person is at an OpenID Connect provider: (issuer, subject), never an e-mail,
    which people and providers reuse. Single sign-on finds the user by it
    (services/users/oidc.py)."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class SignInCode(Base):
    """A single-use code handed to the browser in an HttpOnly cookie after a single sign-on,
    which the console trades for its token (so no token travels in a redirect). Only its
    SHA-256 digest is stored; it expires within a minute."""

    __tablename__ = "sign_in_codes"
    __table_args__ = (Index(None, "expires_at"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_version: Mapped[int]
    expires_at: Mapped[datetime]
