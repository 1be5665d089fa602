"""Signing in, finding out who is calling (a person's JWT or an API token), and the admin's
management of people: add, rename, change role, deactivate, reset a password.

A role change, a deactivation or a password reset bumps the user's token_version in the same
transaction, so every JWT they hold stops working; a deactivation also revokes their API
tokens and a demotion caps their tokens' roles. The users trigger (and the api_tokens one)
NOTIFY every replica, whose caller cache drops the user and whose open streams re-check and
end (services/users/stream_access.py); this replica forgets at once.

The last active admin can be neither demoted nor deactivated: the change locks every active
admin's row first (FOR UPDATE on PostgreSQL; SQLite's write lock serialises anyway), so two
concurrent requests demoting the last two admins cannot both pass the check.
"""

import asyncio
import time
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.domain import roles
from app.errors import DuplicateName, Forbidden, LastAdmin, NotFound, Unauthenticated
from app.infra.callers import CallerCache
from app.models import User
from app.schemas.users import Token, UserCreate, UserRead, UserUpdate
from app.security import InvalidToken, TokenClaims, decode_access_token, encode_access_token
from app.services.users.login_throttle import LoginThrottle
from app.services.users.stream_access import StreamAccess
from app.services.users.tokens import ApiTokens, acting_as, is_api_token

BAD_CREDENTIALS = "Incorrect username or password"
VERIFIED_TOKENS_KEPT = 10_000

CALLER_ROW = select(*User.__table__.c).where(User.id == bindparam("user_id"))


# The roles that work incidents, so may own them (viewers read only).

class Accounts:
    def __init__(self, db: Database, settings: Settings, hasher: PasswordHash) -> None:
        self.db = db
        self.settings = settings
        self.hasher = hasher
        # Verified against when the username is unknown, so both cases cost the same time.
        self._decoy_hash = hasher.hash("decoy password that never matches")
        self.throttle = LoginThrottle.from_settings(settings, db)
        self.callers = CallerCache()  # enabled by the LISTEN connection (services/live.py)
        self.tokens = ApiTokens(db, settings.jwt_secret, self.callers)  # for automation
        self.streams = StreamAccess(db, self.callers, self.tokens)  # tickets and re-checks
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
        return self.token_for(user)

    def token_for(self, user: User) -> Token:
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
        """The caller's row, read as the hot reads read theirs (no session): on SQLite, where
        no cache keeps it, every request reads it, and through a session that cost more than
        the incident detail's own statement."""
        async with self.db.rows.reader() as reader:
            rows = await reader.all(CALLER_ROW, user_id=user_id)
        if not rows:
            return None
        user = User(**rows[0])
        make_transient_to_detached(user)  # as a row a finished session loaded
        return user

    async def authenticate(self, token: str | None) -> User:
        """The caller behind a JWT, or behind an API token (a copy of its user acting with
        the token's role, `via_token` set)."""
        if not token:
            raise Unauthenticated("Not authenticated: send Authorization: Bearer <token>")
        if is_api_token(token):
            grant = await self.tokens.grant(token)
            owner = await self.callers.fetch(grant.user_id, self._user_row)
            if owner is None or not owner.is_active:
                raise Unauthenticated("Invalid, revoked or expired API token")
            await self.tokens.touch(grant)
            return acting_as(owner, grant)
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
        return self.token_for(fresh)

    async def list_users(self, assignable: bool = False) -> list[UserRead]:
        """Everyone, or with `assignable` only those who may own incidents: active responders
        and admins (the roles that work incidents)."""
        stmt = select(User).order_by(User.name, User.id)
        if assignable:
            stmt = stmt.where(User.is_active.is_(True), User.role.in_(roles.WORKERS))
        async with self.db.read() as session:
            rows = await session.scalars(stmt)
            return [UserRead.model_validate(u) for u in rows]

    async def create_user(self, body: UserCreate) -> UserRead:
        password_hash = await self.hash_password(body.password)
        try:
            async with self.db.transaction() as session:
                await self._username_free(session, body.username)
                user = User(username=body.username, name=body.name, role=body.role,
                            password_hash=password_hash, is_active=True, token_version=0)
                session.add(user)
                await session.flush()
                return UserRead.model_validate(user)
        except IntegrityError:  # the same username added at the same moment: the index decides
            raise DuplicateName(f"The username {body.username!r} is taken", field="username")

    @staticmethod
    async def _username_free(session: AsyncSession, username: str) -> None:
        """Usernames are unique whatever their case ("Avery" is "avery")."""
        taken = await session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower()))
        if taken is not None:
            raise DuplicateName(f"The username {username!r} is taken", field="username")

    async def update_user(self, user_id: int, body: UserUpdate) -> UserRead:
        """Rename, change the role, deactivate or reactivate. A role change or deactivation
        ends every token and stream of the user at once (see the module's docstring)."""
        demoted_or_gone = ((body.role is not None and body.role != "admin")
                           or body.is_active is False)
        async with self.db.transaction() as session:
            # The admins first, then the user (an admin among them already): one lock order.
            admins = await self._active_admins(session) if demoted_or_gone else []
            user = await self._locked(session, user_id)
            if user.role == "admin" and user.is_active and demoted_or_gone and set(admins) <= {user_id}:
                raise LastAdmin("This is the last active admin: make someone else an admin first",
                                field="role" if body.role is not None else "is_active")
            role_changed = body.role is not None and body.role != user.role
            deactivated = body.is_active is False and user.is_active
            values: dict[str, object] = {}
            if body.name is not None:
                values["name"] = body.name
            if body.role is not None:
                values["role"] = body.role
            if body.is_active is not None:
                values["is_active"] = body.is_active
            if role_changed or deactivated:
                values["token_version"] = User.token_version + 1
            if values:
                await session.execute(update(User).where(User.id == user_id).values(**values))
            if role_changed or deactivated:
                await ApiTokens.end_for(session, user_id, role=body.role, revoke=deactivated)
            fresh = await session.get(User, user_id, populate_existing=True)
            assert fresh is not None
            answer = UserRead.model_validate(fresh)
        self.callers.forget(str(user_id))  # this replica at once; the others on NOTIFY
        return answer

    async def reset_password(self, user_id: int, password: str) -> None:
        """An admin sets someone's password: every JWT they hold stops working."""
        new_hash = await self.hash_password(password)
        async with self.db.transaction() as session:
            await self._locked(session, user_id)
            await session.execute(update(User).where(User.id == user_id).values(
                password_hash=new_hash, token_version=User.token_version + 1))
        self.callers.forget(str(user_id))

    @staticmethod
    async def _locked(session: AsyncSession, user_id: int) -> User:
        user = await session.scalar(
            select(User).where(User.id == user_id).with_for_update().execution_options(
                populate_existing=True))
        if user is None:
            raise NotFound("User", user_id)
        return user

    @staticmethod
    async def _active_admins(session: AsyncSession) -> list[int]:
        """Every active admin's id, their rows locked in id order: a concurrent demotion or
        deactivation of another admin waits for this transaction, then counts again (a row
        that no longer matches drops out of its FOR UPDATE), so the last admin stays."""
        return list((await session.scalars(
            select(User.id).where(User.role == "admin", User.is_active.is_(True))
            .order_by(User.id).with_for_update())).all())
