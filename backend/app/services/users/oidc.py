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

The provider's documents and keys live in oidc_provider.py, the people and codes of steps 2
and 3 in sso_accounts.py. A refusal at any step is a `SignInRefused` whose `reason` the login
page words for people; the details go to the log.
"""

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
import jwt as pyjwt
from joserfc import jws
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError

from app.config import Settings
from app.db import Database
from app.domain.role_map import claim_values
from app.errors import PasswordLoginDisabled
from app.schemas.oidc import AuthConfig, SsoProvider
from app.schemas.users import Token
from app.services.users.accounts import Accounts
from app.services.users.oidc_provider import HTTP_TIMEOUT_SECONDS, ProviderDocuments, SignInRefused
from app.services.users.sso_accounts import CODE_TTL_SECONDS, SsoAccounts

__all__ = ["CODE_TTL_SECONDS", "FLOW_TTL_SECONDS", "SignInRefused", "SingleSignOn",
           "check_password_login"]

log = logging.getLogger("app.sso")

FLOW_TTL_SECONDS = 600  # from "Sign in with ..." to the provider's answer
CLOCK_SKEW_SECONDS = 60
FLOW_AUDIENCE = "incident-console:oidc-flow"
# Signatures with the provider's published public keys only: never `none`, never an HMAC
# keyed with something the client also knows.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA", "Ed25519")
SUBJECT_MAX = 255
PASSWORD_LOGIN_OFF = "Password sign-in is turned off here: sign in with {name}"


@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorize endpoint, with this flow's parameters
    flow: str  # the signed flow cookie's value


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def check_password_login(settings: Settings, username: str) -> None:
    """PASSWORD_LOGIN=false refuses every password sign-in but the break-glass account's,
    before any password is checked."""
    if settings.password_login or (settings.break_glass_username is not None
                                   and hmac.compare_digest(username.encode(),
                                                           settings.break_glass_username.encode())):
        return
    raise PasswordLoginDisabled(PASSWORD_LOGIN_OFF.format(
        name=settings.oidc_name if settings.oidc_enabled else "your identity provider"))


class SingleSignOn:
    def __init__(self, db: Database, settings: Settings, accounts: Accounts) -> None:
        self.db = db
        self.settings = settings
        self.accounts = accounts
        self.role_map = settings.role_map
        self.provider = ProviderDocuments(settings.oidc_issuer) if settings.oidc_issuer else None
        self.people = SsoAccounts(db, accounts)

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
        user = await self.people.account(provider.configured_issuer, claims, role)
        if not user.is_active:
            raise SignInRefused("account_disabled", f"user {user.id} is disabled")
        return await self.people.issue_code(user)

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

    # 3. The console trades its code for a token (sso_accounts.py).

    async def redeem(self, code: str | None) -> Token:
        return await self.people.redeem(code)
