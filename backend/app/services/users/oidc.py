"""Single sign-on through an OpenID Connect provider (Keycloak, Okta, Entra ID, Google, ...).

The authorization code flow with PKCE (S256):

1. `start`: a random `state`, `nonce` and PKCE verifier, kept in the browser in a signed,
   ten-minute, HttpOnly SameSite=Lax cookie (the "flow"), and the provider's authorize URL.
2. `finish` (the callback): the flow's `state` must come back; the code is exchanged at the
   provider's token endpoint with the client secret and the verifier; the ID token is checked
   (signature against the provider's published keys, issuer, audience, expiry, nonce); the
   role comes from the groups claim through OIDC_ROLE_MAP; the user is found by
   (issuer, subject) - never by e-mail or username, which providers and people reuse -
   created on first sign-in and given the provider's name and role on every sign-in (a role
   change bumps token_version, ending older tokens, as any other role change does).
3. The browser gets a single-use code in an HttpOnly cookie, never a token in a URL, and the
   console trades it (`redeem`, POST /auth/oidc/session) for its usual bearer token.

A refusal at any step is a `SignInRefused` whose `reason` the login page words for people;
the details go to the log. The provider's discovery document is cached for an hour and its
keys until an ID token names a key id they lack: then they are fetched again, at most once
per JWKS_REFETCH_SECONDS, so a rotated key is picked up and a flood of forged key ids is not
a flood of requests to the provider.
"""

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
import jwt as pyjwt
from joserfc import jws
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.domain.role_map import claim_values
from app.errors import PasswordLoginDisabled, Unauthenticated
from app.models import SignInCode, User, UserIdentity
from app.schemas.oidc import AuthConfig, SsoProvider
from app.schemas.users import Token
from app.services.users.accounts import Accounts

log = logging.getLogger("app.sso")

FLOW_TTL_SECONDS = 600  # from "Sign in with ..." to the provider's answer
CODE_TTL_SECONDS = 60  # from the callback to the console trading its code
DISCOVERY_TTL_SECONDS = 3600
JWKS_REFETCH_SECONDS = 60.0
HTTP_TIMEOUT_SECONDS = 10.0
CLOCK_SKEW_SECONDS = 60
FLOW_AUDIENCE = "incident-console:oidc-flow"
# Signatures with the provider's published public keys only: never `none`, never an HMAC
# keyed with something the client also knows.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA", "Ed25519")
USERNAME_MAX, NAME_MAX, SUBJECT_MAX = 64, 120, 255
BAD_CODE = "No single sign-on to finish, or it was already used or expired: sign in again"
PASSWORD_LOGIN_OFF = "Password sign-in is turned off here: sign in with {name}"


class SignInRefused(Exception):
    """The sign-in stops here. `reason` is a stable word the login page explains (never the
    provider's own text); `detail` is for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorize endpoint, with this flow's parameters
    flow: str  # the signed flow cookie's value


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _printable(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:limit]


def check_password_login(settings: Settings, username: str) -> None:
    """PASSWORD_LOGIN=false refuses every password sign-in but the break-glass account's,
    before any password is checked."""
    if settings.password_login or (settings.break_glass_username is not None
                                   and hmac.compare_digest(username.encode(),
                                                           settings.break_glass_username.encode())):
        return
    raise PasswordLoginDisabled(PASSWORD_LOGIN_OFF.format(
        name=settings.oidc_name if settings.oidc_enabled else "your identity provider"))


class ProviderDocuments:
    """The provider's discovery document and signing keys, fetched when needed and cached."""

    def __init__(self, issuer: str, refetch_seconds: float = JWKS_REFETCH_SECONDS) -> None:
        self.issuer = issuer.rstrip("/")
        self.configured_issuer = issuer
        self.refetch_seconds = refetch_seconds
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._refetched_at = -refetch_seconds  # the first unknown key id may refetch at once

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
                response = await http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInRefused("provider_unavailable", f"GET {url}: {exc}") from exc
        if not isinstance(body, dict):
            raise SignInRefused("provider_unavailable", f"GET {url}: not a JSON object")
        return body

    async def metadata(self) -> dict[str, Any]:
        now = time.monotonic()
        if self._metadata is None or now - self._metadata_at > DISCOVERY_TTL_SECONDS:
            found = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            # The document must name the issuer we trust, exactly (OpenID Connect Discovery 4.3).
            if found.get("issuer") != self.configured_issuer:
                raise SignInRefused("provider_unavailable",
                                    f"discovery names issuer {found.get('issuer')!r}, "
                                    f"not {self.configured_issuer!r}")
            for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(found.get(needed), str):
                    raise SignInRefused("provider_unavailable", f"discovery lacks {needed}")
            self._metadata, self._metadata_at = found, now
        return self._metadata

    async def _fetch_keys(self) -> KeySet:
        document = await self._get_json((await self.metadata())["jwks_uri"])
        try:
            self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise SignInRefused("provider_unavailable", f"unusable JWKS: {exc}") from exc
        return self._keys

    async def keys_for(self, kid: str | None) -> KeySet:
        """The keys, fetched again (at most once per refetch_seconds) when `kid` is new."""
        keys = self._keys or await self._fetch_keys()
        known = {k.kid for k in keys.keys}
        if kid is not None and kid not in known:
            now = time.monotonic()
            if now - self._refetched_at >= self.refetch_seconds:
                self._refetched_at = now
                keys = await self._fetch_keys()
        return keys


class SingleSignOn:
    def __init__(self, db: Database, settings: Settings, accounts: Accounts) -> None:
        self.db = db
        self.settings = settings
        self.accounts = accounts
        self.role_map = settings.role_map
        self.provider = ProviderDocuments(settings.oidc_issuer) if settings.oidc_issuer else None

    def config(self) -> AuthConfig:
        return AuthConfig(
            password_login=self.settings.password_login,
            oidc=SsoProvider(name=self.settings.oidc_name) if self.settings.oidc_enabled else None)

    @staticmethod
    def log_refusal(refused: SignInRefused, provider_words: str | None = None) -> None:
        said = f" (the provider said {provider_words[:200]!r})" if provider_words else ""
        log.warning("single sign-on refused, %s: %s%s", refused.reason, refused.detail, said)

    def check_password_login(self, username: str) -> None:
        check_password_login(self.settings, username)

    def _provider(self) -> ProviderDocuments:
        if self.provider is None:
            raise SignInRefused("not_configured", "no OIDC_ISSUER is set")
        return self.provider

    # 1. Off to the provider.

    async def start(self, redirect_uri: str) -> Started:
        metadata = await self._provider().metadata()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters of the 43..128 PKCE allows
        challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
        now = int(time.time())
        flow = pyjwt.encode(
            {"aud": FLOW_AUDIENCE, "iat": now, "exp": now + FLOW_TTL_SECONDS, "state": state,
             "nonce": nonce, "verifier": verifier, "redirect_uri": redirect_uri},
            self.settings.jwt_secret, algorithm="HS256")
        query = urlencode({
            "response_type": "code", "client_id": self.settings.oidc_client_id,
            "redirect_uri": redirect_uri, "scope": self.settings.oidc_scopes, "state": state,
            "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"})
        endpoint = metadata["authorization_endpoint"]
        return Started(url=f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", flow=flow)

    # 2. Back from the provider.

    def _flow(self, cookie: str | None, state: str | None) -> dict[str, Any]:
        if not cookie:
            raise SignInRefused("bad_state", "no flow cookie: not started here, or expired")
        try:
            flow: dict[str, Any] = pyjwt.decode(
                cookie, self.settings.jwt_secret, algorithms=["HS256"], audience=FLOW_AUDIENCE,
                options={"require": ["exp", "aud", "state", "nonce", "verifier"]})
        except pyjwt.PyJWTError as exc:
            raise SignInRefused("bad_state", f"flow cookie refused: {exc}") from exc
        if not state or not hmac.compare_digest(str(flow["state"]).encode(), state.encode()):
            raise SignInRefused("bad_state", "state does not match this browser's sign-in")
        return flow

    async def finish(self, *, flow_cookie: str | None, state: str | None, code: str | None,
                     error: str | None) -> str:
        """The single-use code the console trades for its token (`redeem`)."""
        provider = self._provider()
        if error is not None:
            reason = "access_denied" if error == "access_denied" else "provider_error"
            raise SignInRefused(reason, f"the provider answered error={error[:100]!r}")
        flow = self._flow(flow_cookie, state)
        if not code:
            raise SignInRefused("provider_error", "the provider sent neither code nor error")
        id_token = await self._exchange(provider, code, flow)
        claims = await self._verify(provider, id_token, flow["nonce"])
        groups = claim_values(claims, self.settings.oidc_role_claim)
        role = self.role_map.role_for(groups)
        if role is None:
            raise SignInRefused("no_role", f"{self.settings.oidc_role_claim}={groups!r} maps "
                                           "to no role and OIDC_ROLE_MAP has no *")
        user = await self._account(provider.configured_issuer, claims, role)
        if not user.is_active:
            raise SignInRefused("account_disabled", f"user {user.id} is disabled")
        return await self._issue_code(user)

    async def _exchange(self, provider: ProviderDocuments, code: str,
                        flow: dict[str, Any]) -> str:
        metadata = await provider.metadata()
        client_id, secret = self.settings.oidc_client_id or "", self.settings.oidc_client_secret or ""
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": flow["redirect_uri"], "code_verifier": flow["verifier"]}
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        headers = {"Accept": "application/json"}
        if "client_secret_basic" in methods:  # RFC 6749 2.3.1: both form-encoded first
            pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(pair).decode()}"
        else:
            form |= {"client_id": client_id, "client_secret": secret}
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http:
                response = await http.post(metadata["token_endpoint"], data=form,
                                           headers=headers)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInRefused("provider_unavailable", f"token endpoint: {exc}") from exc
        if response.status_code != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise SignInRefused("token_exchange_failed",
                                f"token endpoint answered {response.status_code} {error!r}")
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused("token_exchange_failed", "the token answer has no id_token")
        return id_token

    async def _verify(self, provider: ProviderDocuments, id_token: str,
                      nonce: str) -> dict[str, Any]:
        metadata = await provider.metadata()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a in ASYMMETRIC] or ["RS256"]
        try:
            header = jws.extract_compact(id_token.encode()).protected
            kid = header.get("kid")
            keys = await provider.keys_for(kid if isinstance(kid, str) else None)
            token = jose_jwt.decode(id_token, keys, algorithms=algorithms)
            client_id = self.settings.oidc_client_id or ""
            jose_jwt.JWTClaimsRegistry(
                leeway=CLOCK_SKEW_SECONDS,
                iss={"essential": True, "value": provider.configured_issuer},
                aud={"essential": True, "value": client_id},
                sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError, TypeError) as exc:
            raise SignInRefused("invalid_id_token", f"ID token refused: {exc}") from exc
        claims = dict(token.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != client_id:  # OpenID Connect Core 3.1.3.7
            raise SignInRefused("invalid_id_token", "several audiences and azp is not ours")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > SUBJECT_MAX:
            raise SignInRefused("invalid_id_token", "sub is not a usable subject")
        return claims

    # The person: found by (issuer, subject), created once, kept up to date.

    async def _account(self, issuer: str, claims: dict[str, Any], role: str) -> User:
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

    # 3. The console trades its code for a token.

    async def _issue_code(self, user: User) -> str:
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
