"""Token round trip and refusal, and password hashing."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.config import DEFAULT_JWT_SECRET, InsecureConfiguration, Settings
from app.security import (
    InvalidToken,
    decode_access_token,
    encode_access_token,
    make_password_hasher,
)

SECRET = "s" * 48
NOW = datetime.now(UTC)


def token(**overrides: object) -> str:
    args: dict = dict(user_id=7, token_version=2, secret=SECRET, issuer="ic", audience="ic",
                      now=NOW, ttl=timedelta(minutes=5))
    args.update(overrides)
    return encode_access_token(**args)


def decode(value: str) -> object:
    return decode_access_token(value, secret=SECRET, issuer="ic", audience="ic")


def test_round_trip() -> None:
    claims = decode(token())
    assert claims.user_id == 7 and claims.token_version == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-token",
        token(secret="another-secret-of-enough-length-0123456789"),
        token(now=NOW - timedelta(hours=1)),
        token(issuer="someone-else"),
        token(audience="someone-else"),
        jwt.encode({"sub": "7", "iat": 1, "exp": 4102444800, "iss": "ic", "aud": "ic"},
                   SECRET, algorithm="HS512"),
        jwt.encode({"sub": "7", "iat": 1, "iss": "ic", "aud": "ic"}, SECRET, algorithm="HS256"),
        jwt.encode({"sub": "x", "iat": 1, "exp": 4102444800, "iss": "ic", "aud": "ic"},
                   SECRET, algorithm="HS256"),
    ],
    ids=["garbage", "other-key", "expired", "issuer", "audience", "hs512", "no-exp", "bad-sub"],
)
def test_refused(bad: str) -> None:
    with pytest.raises(InvalidToken):
        decode(bad)


def test_password_hashing_is_argon2id_and_verifies() -> None:
    hasher = make_password_hasher(1024, 1, 1)
    stored = hasher.hash("demo123")
    assert stored.startswith("$argon2id$")
    assert hasher.verify("demo123", stored)
    assert not hasher.verify("demo124", stored)


def test_default_secret_refused_outside_development() -> None:
    Settings(_env_file=None, app_env="development").check_secure()  # type: ignore[call-arg]
    prod = Settings(_env_file=None, app_env="production", jwt_secret=DEFAULT_JWT_SECRET)  # type: ignore[call-arg]
    with pytest.raises(InsecureConfiguration):
        prod.check_secure()
    short = Settings(_env_file=None, app_env="production", jwt_secret="short")  # type: ignore[call-arg]
    with pytest.raises(InsecureConfiguration):
        short.check_secure()
