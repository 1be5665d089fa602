"""Signing in and finding out who is calling."""

import asyncio
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import select

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.errors import Unauthenticated
from app.models import User
from app.schemas.users import Token, UserRead
from app.security import InvalidToken, decode_access_token, encode_access_token

BAD_CREDENTIALS = "Incorrect username or password"


class Accounts:
    def __init__(self, db: Database, settings: Settings, hasher: PasswordHash) -> None:
        self.db = db
        self.settings = settings
        self.hasher = hasher
        # Verified against when the username is unknown, so both cases cost the same time.
        self._decoy_hash = hasher.hash("decoy password that never matches")

    async def hash_password(self, password: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, password)

    async def login(self, username: str, password: str) -> Token:
        async with self.db.read() as session:
            user = await session.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user else self._decoy_hash
        valid = await asyncio.to_thread(self.hasher.verify, password, stored)
        if user is None or not valid or not user.is_active:
            raise Unauthenticated(BAD_CREDENTIALS)
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

    async def authenticate(self, token: str | None) -> User:
        if not token:
            raise Unauthenticated("Not authenticated: send Authorization: Bearer <token>")
        try:
            claims = decode_access_token(
                token,
                secret=self.settings.jwt_secret,
                issuer=self.settings.jwt_issuer,
                audience=self.settings.jwt_audience,
            )
        except InvalidToken:
            raise Unauthenticated("Invalid or expired token; sign in again")
        async with self.db.read() as session:
            user = await session.get(User, claims.user_id)
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise Unauthenticated("Invalid or expired token; sign in again")
        return user

    async def list_users(self) -> list[UserRead]:
        async with self.db.read() as session:
            rows = await session.scalars(select(User).order_by(User.name))
            return [UserRead.model_validate(u) for u in rows]
