"""The people single sign-on signs in, and the single-use codes that hand them to the console.

A person is found by (issuer, subject) - never by e-mail or username, which providers and
people reuse - created on first sign-in and given the provider's name and role on every
sign-in (a role change bumps token_version, ending older tokens, as any other role change
does). The browser then gets a single-use code in an HttpOnly cookie, never a token in a URL,
and the console trades it (`redeem`, POST /auth/oidc/session) for its usual bearer token.
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.db import Database
from app.errors import Unauthenticated
from app.models import SignInCode, User, UserIdentity
from app.schemas.users import Token
from app.services.users.accounts import Accounts

log = logging.getLogger("app.sso")
CODE_TTL_SECONDS = 60  # from the callback to the console trading its code
USERNAME_MAX, NAME_MAX = 64, 120
BAD_CODE = "No single sign-on to finish, or it was already used or expired: sign in again"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _printable(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:limit]


class SsoAccounts:
    def __init__(self, db: Database, accounts: Accounts) -> None:
        self.db = db
        self.accounts = accounts

    async def account(self, issuer: str, claims: dict[str, Any], role: str) -> User:
        subject: str = claims["sub"]
        name = _printable(claims.get("name"), NAME_MAX)
        for attempt in range(2):  # two first sign-ins at once: the loser finds the winner's
            try:
                user = await self._update(issuer, subject, name, role)
                if user is None:
                    user = await self._create(issuer, subject, claims, name, role)
                return user
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _update(self, issuer: str, subject: str, name: str, role: str) -> User | None:
        async with self.db.transaction() as session:
            user = await session.scalar(
                select(User).join(UserIdentity, UserIdentity.user_id == User.id)
                .where(UserIdentity.issuer == issuer, UserIdentity.subject == subject))
            if user is None or not user.is_active:
                return user
            changes: dict[str, Any] = {}
            if name and name != user.name:
                changes["name"] = name
            if role != user.role:  # a role change ends the tokens issued under the old one
                changes |= {"role": role, "token_version": User.token_version + 1}
            if changes:
                await session.execute(update(User).where(User.id == user.id).values(**changes))
                user = await session.get(User, user.id, populate_existing=True)
                assert user is not None
        if changes:
            self.accounts.callers.forget(str(user.id))  # this replica now; others on NOTIFY
        return user

    async def _create(self, issuer: str, subject: str, claims: dict[str, Any], name: str,
                      role: str) -> User:
        base = (_printable(claims.get("preferred_username"), USERNAME_MAX)
                or _printable(claims.get("email"), USERNAME_MAX)
                or f"sso-{hashlib.sha256(subject.encode()).hexdigest()[:12]}")
        # No password anyone knows: a hash of random bytes that are then forgotten.
        password_hash = await self.accounts.hash_password(secrets.token_urlsafe(32))
        async with self.db.transaction() as session:
            username = await self._free_username(session, base)
            user_id = await session.scalar(insert(User).values(
                name=name or username, username=username, password_hash=password_hash,
                role=role, is_active=True, token_version=0).returning(User.id))
            await session.execute(insert(UserIdentity).values(
                issuer=issuer, subject=subject, user_id=user_id))
            user = await session.get(User, user_id)
        assert user is not None
        log.info("single sign-on created user %s (%s) for %s at %s", user.id, username,
                 subject, issuer)
        return user

    @staticmethod
    async def _free_username(session: Any, base: str) -> str:
        """`base`, or `base-2`, `base-3`, ...: the first no one has."""
        candidates = [base] + [f"{base[:USERNAME_MAX - 1 - len(str(n))]}-{n}"
                               for n in range(2, 51)]
        taken = set(await session.scalars(
            select(User.username).where(User.username.in_(candidates))))
        free = next((c for c in candidates if c not in taken), None)
        return free or f"{base[:USERNAME_MAX - 13]}-{secrets.token_hex(6)}"

    async def issue_code(self, user: User) -> str:
        code = secrets.token_urlsafe(32)
        now = utcnow()
        async with self.db.transaction() as session:
            await session.execute(delete(SignInCode).where(SignInCode.expires_at < now))
            await session.execute(insert(SignInCode).values(
                digest=_digest(code), user_id=user.id, token_version=user.token_version,
                expires_at=now + timedelta(seconds=CODE_TTL_SECONDS)))
        return code

    async def redeem(self, code: str | None) -> Token:
        """The bearer token for a sign-in code, which works once, within CODE_TTL_SECONDS,
        and only while its user is active with the same token version."""
        if not code:
            raise Unauthenticated(BAD_CODE)
        async with self.db.transaction() as session:
            taken = (await session.execute(
                delete(SignInCode).where(SignInCode.digest == _digest(code))
                .returning(SignInCode.user_id, SignInCode.token_version, SignInCode.expires_at)
            )).first()
            user = await session.get(User, taken.user_id) if taken is not None else None
        if (taken is None or taken.expires_at <= utcnow() or user is None
                or not user.is_active or user.token_version != taken.token_version):
            raise Unauthenticated(BAD_CODE)
        return self.accounts.token_for(user)
