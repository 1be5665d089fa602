"""Who may open, and keep reading, the live stream.

A console trades its bearer token for a ticket (`POST /stream/ticket`) and opens
`GET /stream?ticket=...`, so the long-lived token never goes in a URL, where proxies and
browsers keep it. A ticket is random, works once (taken with DELETE ... RETURNING, so two
replicas cannot both accept it), expires after TICKET_TTL_SECONDS, and is void once its
user's token version moves on. Only its SHA-256 digest is stored.

An open stream re-reads its user (`still_allowed`) when the user changes and every
RECHECK_SECONDS: a stream whose user was disabled, deleted, re-keyed (password change) or
given another role sends nothing more and ends. A stream opened with an API token (as
`?access_token=`, a bearer header, or a ticket asked for with the token) also ends once that
token is revoked, expires or has its role capped.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert

from app.clock import utcnow
from app.db import Database
from app.domain import roles
from app.errors import Unauthenticated
from app.infra.callers import CallerCache
from app.models import StreamTicket, User
from app.schemas.stream import StreamTicketRead
from app.services.users.tokens import ApiTokens, acting_as

TICKET_TTL_SECONDS = 30
RECHECK_SECONDS = 10.0
BAD_TICKET = "Invalid, used or expired stream ticket; ask POST /stream/ticket for another"


@dataclass(frozen=True)
class StreamGrant:
    """What a stream was opened with: it stays open only while the user still matches."""

    user_id: int
    token_version: int
    role: str
    token_id: int | None = None  # the API token it was opened with, if any

    @classmethod
    def of(cls, user: User) -> "StreamGrant":
        return cls(user.id, user.token_version, user.role,
                   user.via_token.id if user.via_token is not None else None)


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class StreamAccess:
    def __init__(self, db: Database, callers: CallerCache, tokens: ApiTokens) -> None:
        self.db = db
        self.callers = callers
        self.tokens = tokens
        self.recheck_seconds = RECHECK_SECONDS

    async def issue(self, user: User) -> StreamTicketRead:
        ticket = secrets.token_urlsafe(32)
        now = utcnow()
        async with self.db.transaction() as session:
            await session.execute(delete(StreamTicket).where(StreamTicket.expires_at < now))
            await session.execute(insert(StreamTicket).values(
                digest=_digest(ticket), user_id=user.id, token_version=user.token_version,
                token_id=user.via_token.id if user.via_token is not None else None,
                expires_at=now + timedelta(seconds=TICKET_TTL_SECONDS)))
        return StreamTicketRead(ticket=ticket, expires_in=TICKET_TTL_SECONDS)

    async def redeem(self, ticket: str) -> User:
        """The ticket's user, if it is still allowed in; the ticket is spent either way."""
        async with self.db.transaction() as session:
            taken = (await session.execute(
                delete(StreamTicket).where(StreamTicket.digest == _digest(ticket))
                .returning(StreamTicket.user_id, StreamTicket.token_version,
                           StreamTicket.expires_at, StreamTicket.token_id)
            )).first()
            user = await session.get(User, taken.user_id) if taken is not None else None
        if (taken is None or taken.expires_at <= utcnow() or user is None
                or not user.is_active or user.token_version != taken.token_version):
            raise Unauthenticated(BAD_TICKET)
        if taken.token_id is not None:
            grant = await self.tokens.grant_by_id(taken.token_id)
            if grant is None or not grant.valid(utcnow()):
                raise Unauthenticated(BAD_TICKET)
            return acting_as(user, grant)
        return user

    async def _user_row(self, user_id: int) -> User | None:
        async with self.db.read() as session:
            return await session.get(User, user_id)

    async def still_allowed(self, grant: StreamGrant) -> bool:
        """Whether the stream's user is still the one it was opened for: active, same token
        version, same role. Reads the row (or the caller cache, which NOTIFY keeps current)."""
        user = await self.callers.fetch(grant.user_id, self._user_row)
        if user is None or not user.is_active:
            return False
        if grant.token_id is None:
            return user.token_version == grant.token_version and user.role == grant.role
        # A token outlives its user's password changes; it ends when revoked or re-roled.
        token = await self.tokens.grant_by_id(grant.token_id)
        return (token is not None and token.valid(utcnow())
                and roles.lesser(token.role, user.role) == grant.role)
