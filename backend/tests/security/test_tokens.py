"""Every way a bearer token can be wrong is a 401 with WWW-Authenticate: Bearer; a password
change or a disabled user ends every token issued before; the signing key is >= 256 bits."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from app.config import DEFAULT_JWT_SECRET, InsecureConfiguration, Settings
from tests.conftest import Login
from tests.security.conftest import status_within

# Any RSA public key will do: the server must never treat it as an HMAC secret.
PUBLIC_KEY_PEM = b"""-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo
4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u
+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh
kd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ
0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg
cKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc
mwIDAQAB
-----END PUBLIC KEY-----"""

Mint = Callable[..., str]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_signed(header: dict[str, Any], payload: dict[str, Any], key: bytes | None) -> str:
    """Build a JWT by hand, so nothing in a library can refuse to make a hostile one."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def claims(settings: Settings) -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base: dict[str, Any] = {
            "sub": "2", "tv": 0, "iat": now, "nbf": now, "exp": now + 600,
            "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
        }
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    return make


@pytest.fixture
def mint(settings: Settings, claims: Callable[..., dict[str, Any]]) -> Mint:
    def make(key: str | None = None, algorithm: str = "HS256", **overrides: Any) -> str:
        return jwt.encode(claims(**overrides), key or settings.jwt_secret, algorithm=algorithm)

    return make


async def assert_401(client: httpx.AsyncClient, token: str | None, raw_header: str | None = None) -> None:
    headers = {}
    if raw_header is not None:
        headers["Authorization"] = raw_header
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = await client.get("/auth/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert isinstance(response.json()["detail"], str)


async def test_a_well_formed_token_works(client: httpx.AsyncClient, mint: Mint) -> None:
    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {mint()}"})
    assert response.status_code == 200, response.text


MALFORMED = [None, "", "Bearer", "Bearer ", "Basic YXZlcnk6ZGVtbzEyMw==", "Bearer not.a.jwt",
             "Bearer a.b", "Bearer ....", "Bearer eyJhbGciOiJIUzI1NiJ9.e30", "bearer x.y.z"]


async def test_missing_or_malformed(client: httpx.AsyncClient) -> None:
    for header in MALFORMED:
        await assert_401(client, None, header)
    # httpx refuses non-ASCII header values; send them as raw bytes.
    response = await client.get("/auth/me", headers=[(b"Authorization", "Bearer été".encode())])
    assert response.status_code == 401


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_algorithms_off_the_allowlist(
    client: httpx.AsyncClient, mint: Mint, settings: Settings,
    claims: Callable[..., dict[str, Any]],
) -> None:
    for alg in ("none", "None", "NONE"):
        await assert_401(client, hand_signed({"alg": alg, "typ": "JWT"}, claims(), None))
    for algorithm in ("HS384", "HS512"):
        await assert_401(client, mint(algorithm=algorithm))
    # An RS256 header, whatever the signature.
    await assert_401(client, hand_signed({"alg": "RS256", "typ": "JWT"}, claims(),
                                         settings.jwt_secret.encode()))


async def test_algorithm_confusion_with_a_public_key(
    client: httpx.AsyncClient, claims: Callable[..., dict[str, Any]]
) -> None:
    for header in ({"alg": "HS256", "typ": "JWT"}, {"alg": "HS256", "typ": "JWT", "kid": "rsa"}):
        await assert_401(client, hand_signed(header, claims(), PUBLIC_KEY_PEM))


async def test_signed_with_another_key(client: httpx.AsyncClient, mint: Mint) -> None:
    await assert_401(client, mint(key="x" * 64))
    await assert_401(client, mint(key=DEFAULT_JWT_SECRET + "x"))


async def test_time_claims(client: httpx.AsyncClient, mint: Mint) -> None:
    now = int(time.time())
    await assert_401(client, mint(exp=now - 120, iat=now - 720, nbf=now - 720))  # expired
    await assert_401(client, mint(exp=None))  # no exp at all
    await assert_401(client, mint(nbf=now + 3600, exp=now + 7200))  # not yet valid
    await assert_401(client, mint(exp="tomorrow"))
    await assert_401(client, mint(iat=None))
    await assert_401(client, mint(nbf=None))


async def test_subject_claims(client: httpx.AsyncClient, mint: Mint) -> None:
    for sub in (None, "", "0", "999999", "-1", "2.0", "admin", "\u0662", "9" * 40):
        await assert_401(client, mint(sub=sub))
    await assert_401(client, mint(sub=2))  # an integer, not the string the spec requires
    await assert_401(client, mint(tv=None))
    await assert_401(client, mint(tv=True))
    await assert_401(client, mint(tv=1))


async def test_issuer_and_audience(client: httpx.AsyncClient, mint: Mint) -> None:
    await assert_401(client, mint(iss="someone-else"))
    await assert_401(client, mint(iss=None))
    await assert_401(client, mint(aud="another-app"))
    await assert_401(client, mint(aud=None))


async def test_payload_tampered_after_signing(client: httpx.AsyncClient, mint: Mint) -> None:
    header, payload, signature = mint(sub="3").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "1"  # morgan the viewer tries to become admin
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    await assert_401(client, forged)
    await assert_401(client, f"{header}.{payload}.{signature[:-2]}AA")


async def test_disabled_user(client: httpx.AsyncClient, login: Login, sql: Callable[..., Any]) -> None:
    viewer = await login("morgan")
    assert (await client.get("/auth/me", headers=viewer)).status_code == 200
    await sql("UPDATE users SET is_active = false WHERE username = 'morgan'")
    await status_within(client, viewer, 401)
    bad = await client.post("/auth/login", json={"username": "morgan", "password": "demo123"})
    assert bad.status_code == 401



async def test_deleted_user(client: httpx.AsyncClient, mint: Mint, sql: Callable[..., Any]) -> None:
    await sql("INSERT INTO users (name, username, password_hash, role, is_active, token_version) "
              "VALUES ('Temp', 'temp', 'x', 'admin', true, 0)")
    ident = (await sql("SELECT id FROM users WHERE username = 'temp'"))[0][0]
    token = {"Authorization": f"Bearer {mint(sub=str(ident))}"}
    assert (await client.get("/auth/me", headers=token)).status_code == 200
    await sql("DELETE FROM users WHERE id = :id", id=ident)
    await status_within(client, token, 401)


async def test_password_change_ends_older_tokens(client: httpx.AsyncClient, login: Login) -> None:
    first, second = await login("avery"), await login("avery")
    response = await client.post("/auth/password", headers=first,
                                 json={"current_password": "demo123",
                                       "new_password": "a much longer secret"})
    assert response.status_code == 200, response.text
    fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert (await client.get("/auth/me", headers=first)).status_code == 401
    assert (await client.get("/auth/me", headers=second)).status_code == 401
    assert (await client.get("/auth/me", headers=fresh)).status_code == 200
    old = await client.post("/auth/login", json={"username": "avery", "password": "demo123"})
    assert old.status_code == 401
    new = await client.post("/auth/login",
                            json={"username": "avery", "password": "a much longer secret"})
    assert new.status_code == 200


async def test_password_change_needs_the_current_password(
    client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    wrong = await client.post("/auth/password", headers=responder,
                              json={"current_password": "guess", "new_password": "whatever123"})
    assert wrong.status_code == 403
    assert (await client.get("/auth/me", headers=responder)).status_code == 200
    short = await client.post("/auth/password", headers=responder,
                              json={"current_password": "demo123", "new_password": "short"})
    assert short.status_code == 422
    anonymous = await client.post("/auth/password",
                                  json={"current_password": "demo123", "new_password": "x" * 12})
    assert anonymous.status_code == 401


def test_outside_development_the_signing_key_must_be_256_bits() -> None:
    for secret in ["", "short", DEFAULT_JWT_SECRET, "x" * 31]:
        settings = Settings(_env_file=None, app_env="production", jwt_secret=secret)  # type: ignore[call-arg]
        with pytest.raises(InsecureConfiguration):
            settings.check_secure()


def test_a_256_bit_key_is_accepted_and_the_default_is_long_enough() -> None:
    Settings(_env_file=None, app_env="production", jwt_secret="k" * 32).check_secure()  # type: ignore[call-arg]
    assert len(DEFAULT_JWT_SECRET.encode()) >= 32
