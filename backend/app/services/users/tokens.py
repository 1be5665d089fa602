"""API tokens: long random secrets for automation, acting for their user with at most a role.

A token is `icp_` and 43 URL-safe characters (256 random bits), shown once. Only its keyed hash
is stored: HMAC-SHA256 under a key derived from JWT_SECRET. A fast hash is right here (the
secret is random, not a password people pick, so nothing is gained by Argon2id's cost, which
would be paid on every request); the key means a copy of the table alone checks nothing.

A request with a token acts as a copy of its user whose role is the lesser of the token's and
the user's (so a demoted user's tokens can never exceed them, even before they are capped) and
whose `via_token` names the token: timeline events then read "by token 'deploy-bot' of Avery".
Tokens are looked up through the caller cache (infra/callers.py), which a trigger on
`api_tokens` keeps current on every replica; a revoked, expired or capped token, or one whose
user is disabled, is refused at once. `last_used_at` moves at most once a minute per token.

Idempotency-Key scope: a token is its own principal (`token:<id>`, services/principals.py), not
its user's: a token may hold fewer rights than its user, so it never replays what the person
(or another of their tokens) created.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain import roles
from app.errors import NotFound, Unauthenticated, Unprocessable
from app.infra.callers import CallerCache
from app.models import ApiToken, TokenRef, User
from app.schemas.users import ApiTokenCreate, ApiTokenCreated, ApiTokenRead

PREFIX = "icp_"
SHOWN_PREFIX = 8  # "icp_" and four characters: enough to tell tokens apart in a list
TOUCH_SECONDS = 60.0
BAD_TOKEN = "Invalid, revoked or expired API token"


def is_api_token(credential: str) -> bool:
    return credential.startswith(PREFIX)


@dataclass(frozen=True)
class TokenGrant:
    """What a request needs of a token row (cached: no ORM object)."""

    id: int
    user_id: int
    name: str
    role: str
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def acting_as(user: User, token: TokenGrant) -> User:
    """A transient copy of `user` with the token's (lesser) role, naming the token."""
    copy = User(id=user.id, name=user.name, username=user.username,
                password_hash=user.password_hash, role=roles.lesser(token.role, user.role),
                is_active=user.is_active, token_version=user.token_version)
    copy.via_token = TokenRef(token.id, token.name)
    return copy


def _grant(row: ApiToken) -> TokenGrant:
    return TokenGrant(row.id, row.user_id, row.name, row.role, row.expires_at, row.revoked_at)


class ApiTokens:
    def __init__(self, db: Database, jwt_secret: str, callers: CallerCache) -> None:
        self.db = db
        self.callers = callers
        self._key = hmac.new(jwt_secret.encode(), b"incident-console api tokens v1",
                             hashlib.sha256).digest()
        self._touched: dict[int, float] = {}  # token id -> monotonic time of our last write

    def digest(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    async def create(self, caller: User, body: ApiTokenCreate) -> ApiTokenCreated:
        role = body.role or caller.role
        if roles.RANK[role] > roles.RANK[caller.role]:
            raise Unprocessable(f"A token's role can be at most yours ({caller.role})",
                                field="role")
        token = PREFIX + secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + timedelta(days=body.expires_in_days) if body.expires_in_days else None
        async with self.db.transaction() as session:
            row = ApiToken(user_id=caller.id, name=body.name, role=role,
                           token_hash=self.digest(token), prefix=token[:SHOWN_PREFIX],
                           created_at=now, expires_at=expires)
            session.add(row)
            await session.flush()
            return ApiTokenCreated(id=row.id, name=row.name, role=role,  # type: ignore[arg-type]
                                   token=token, created_at=now, expires_at=expires)

    async def list(self, caller: User) -> list[ApiTokenRead]:
        """The caller's own tokens; an admin's (acting as admin) sees everyone's."""
        stmt = (select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                          ApiToken.id.desc()))
        if caller.role != "admin":
            stmt = stmt.where(ApiToken.user_id == caller.id)
        async with self.db.read() as session:
            rows = (await session.execute(stmt)).all()
        return [ApiTokenRead(id=t.id, name=t.name, role=t.role, prefix=t.prefix,  # type: ignore[arg-type]
                             user_id=t.user_id, user_name=name, created_at=t.created_at,
                             expires_at=t.expires_at, last_used_at=t.last_used_at,
                             revoked_at=t.revoked_at)
                for t, name in rows]

    async def revoke(self, caller: User, token_id: int) -> None:
        """Revoke one of the caller's tokens (an admin: anyone's); revoking twice is fine.
        Someone else's token is a 404, as if it did not exist."""
        async with self.db.transaction() as session:
            row = await session.get(ApiToken, token_id)
            if row is None or (row.user_id != caller.id and caller.role != "admin"):
                raise NotFound("API token", token_id)
            await session.execute(update(ApiToken).where(
                ApiToken.id == token_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
            user_id = row.user_id
        self.callers.forget(str(user_id))  # this replica at once; the others on NOTIFY

    @staticmethod
    async def end_for(session: AsyncSession, user_id: int, *, role: str | None,
                      revoke: bool) -> None:
        """Inside a user change's transaction: revoke all of the user's tokens, or cap their
        roles at `role` (a demotion)."""
        live = (ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        if revoke:
            await session.execute(update(ApiToken).where(*live).values(revoked_at=utcnow()))
        elif role is not None and roles.above(role):
            await session.execute(update(ApiToken).where(
                *live, ApiToken.role.in_(roles.above(role))).values(role=role))

    async def _load(self, digest: str) -> TokenGrant | None:
        async with self.db.read() as session:
            row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
            return _grant(row) if row is not None else None

    async def grant(self, token: str) -> TokenGrant:
        """The token's grant if it is live (not revoked, not expired); else 401."""
        found = await self.callers.fetch_token(self.digest(token), self._load)
        if found is None or not found.valid(utcnow()):
            raise Unauthenticated(BAD_TOKEN)
        return found

    async def grant_by_id(self, token_id: int) -> TokenGrant | None:
        async with self.db.read() as session:
            row = await session.get(ApiToken, token_id, populate_existing=True)
            return _grant(row) if row is not None else None

    async def touch(self, token: TokenGrant) -> None:
        """Record a use: at most one write a minute per token from this replica, and the
        conditional UPDATE keeps replicas from writing more than once a minute between them."""
        now_mono = time.monotonic()
        if now_mono - self._touched.get(token.id, -TOUCH_SECONDS) < TOUCH_SECONDS:
            return
        self._touched[token.id] = now_mono
        if len(self._touched) > 10_000:
            self._touched.clear()
        now = utcnow()
        async with self.db.transaction() as session:
            await session.execute(update(ApiToken).where(
                ApiToken.id == token.id,
                or_(ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - timedelta(seconds=TOUCH_SECONDS)),
            ).values(last_used_at=now))
