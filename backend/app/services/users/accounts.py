"""Signing in and finding out who is calling."""

import asyncio
import time
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import select, update

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.errors import Forbidden, Unauthenticated
from app.infra.callers import CallerCache
from app.models import User
from app.schemas.users import Token, UserRead
from app.security import InvalidToken, TokenClaims, decode_access_token, encode_access_token
from app.services.users.login_throttle import LoginThrottle
from app.services.users.stream_access import StreamAccess

BAD_CREDENTIALS = "Incorrect username or password"
VERIFIED_TOKENS_KEPT = 10_000


# The roles that work incidents, so may own them (viewers read only).
INCIDENT_WORKERS = ("admin", "responder")

class Accounts:
    def __init__(self, db: Database, settings: Settings, hasher: PasswordHash) -> None:
        self.db = db
        self.settings = settings
        self.hasher = hasher
        # Verified against when the username is unknown, so both cases cost the same time.
        self._decoy_hash = hasher.hash("decoy password that never matches")
        self.throttle = LoginThrottle.from_settings(settings, db)
        self.callers = CallerCache()  # enabled by the LISTEN connection (services/live.py)
        self.streams = StreamAccess(db, self.callers)  # live-stream tickets and re-checks
        # A console sends the same token with every request: its signature and claims are
        # checked once, then only its validity window (about 0.1 ms saved per request).
        self._verified: dict[str, TokenClaims] = {}

    async def hash_password(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def login(self, username: str, password: str, client: str = "unknown") -> Token:
        """Check the password (throttled per username and client, per client address and per
        account; services/users/login_throttle.py)."""
        with self.throttle.verification_slot():  # taken before any await
            attempt = await self.throttle.reserve(username, client)
            async with self.db.read() as session:
                user = await session.scalar(select(User).where(User.username == username))
            stored = user.password_hash if user else self._decoy_hash
            valid = await asyncio.to_thread(self.hasher.verify, password, stored)
        if user is None or not valid or not user.is_active:
            raise Unauthenticated(BAD_CREDENTIALS)
        await attempt.succeeded()
        return self._token_for(user)

    def _token_for(self, user: User) -> Token:
        ttl = timedelta(minutes=self.settings.access_token_ttl_minutes)
        token = encode_access_token(
            user_id=user.id,
            token_version=user.token_version,
            secret=self.settings.jwt_secret,
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            now=utcnow(),
            ttl=ttl,
        )
        return Token(access_token=token, expires_in=int(ttl.total_seconds()))

    async def _user_row(self, user_id: int) -> User | None:
        async with self.db.read() as session:
            return await session.get(User, user_id)

    async def authenticate(self, token: str | None) -> User:
        if not token:
            raise Unauthenticated("Not authenticated: send Authorization: Bearer <token>")
        claims = self._verified.get(token)
        if claims is None or not claims.current(time.time()):
            try:
                claims = decode_access_token(
                    token,
                    secret=self.settings.jwt_secret,
                    issuer=self.settings.jwt_issuer,
                    audience=self.settings.jwt_audience,
                )
            except InvalidToken:
                self._verified.pop(token, None)
                raise Unauthenticated("Invalid or expired token; sign in again")
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.clear()
            self._verified[token] = claims
        user = await self.callers.fetch(claims.user_id, self._user_row)
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise Unauthenticated("Invalid or expired token; sign in again")
        return user

    async def change_password(
        self, user: User, current_password: str, new_password: str, client: str = "unknown"
    ) -> Token:
        """Replace the password and bump token_version, so every older token stops working."""
        with self.throttle.verification_slot():
            attempt = await self.throttle.reserve(user.username, client)
            async with self.db.read() as session:  # the stored hash, never a cached copy
                stored = await session.scalar(
                    select(User.password_hash).where(User.id == user.id))
            valid = stored is not None and await asyncio.to_thread(
                self.hasher.verify, current_password, stored)
        if not valid:
            raise Forbidden("current_password is not your current password")
        await attempt.succeeded()
        new_hash = await self.hash_password(new_password)
        async with self.db.transaction() as session:
            await session.execute(
                update(User)
                .where(User.id == user.id)
                .values(password_hash=new_hash, token_version=User.token_version + 1)
            )
            fresh = await session.get(User, user.id, populate_existing=True)
        assert fresh is not None
        self.callers.forget(str(user.id))  # this replica at once; the others on NOTIFY
        return self._token_for(fresh)

    async def list_users(self, assignable: bool = False) -> list[UserRead]:
        """Everyone, or with `assignable` only those who may own incidents: active responders
        and admins (the roles that work incidents)."""
        stmt = select(User).order_by(User.name)
        if assignable:
            stmt = stmt.where(User.is_active.is_(True), User.role.in_(INCIDENT_WORKERS))
        async with self.db.read() as session:
            rows = await session.scalars(stmt)
            return [UserRead.model_validate(u) for u in rows]
