"""Password hashing (Argon2id via pwdlib) and access tokens (PyJWT, HS256): pure functions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "iss", "aud", "tv"]
MAX_USER_ID_DIGITS = 18


def make_password_hasher(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism),)
    )


class InvalidToken(Exception):
    """The bearer token is missing, malformed, expired, forged or otherwise unusable."""


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    token_version: int
    not_before: int = 0
    expires_at: int = 0

    def current(self, now: float) -> bool:
        """Inside the token's validity window (PyJWT's rule: nbf <= now < exp)."""
        return self.not_before <= now < self.expires_at


def encode_access_token(
    *,
    user_id: int,
    token_version: int,
    secret: str,
    issuer: str,
    audience: str,
    now: datetime,
    ttl: timedelta,
) -> str:
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "tv": token_version,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "iss": issuer,
        "aud": audience,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str, issuer: str, audience: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    sub, version = payload.get("sub"), payload.get("tv")
    if (
        not isinstance(sub, str)
        or not (sub.isascii() and sub.isdigit() and len(sub) <= MAX_USER_ID_DIGITS)
        or not isinstance(version, int)
        or isinstance(version, bool)
    ):
        raise InvalidToken("token subject is not a user")
    return TokenClaims(user_id=int(sub), token_version=version,
                       not_before=int(payload["nbf"]), expires_at=int(payload["exp"]))
