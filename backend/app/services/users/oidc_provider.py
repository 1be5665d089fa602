"""The OpenID Connect provider as this console sees it: its discovery document and signing
keys, fetched when needed and cached (the discovery document for an hour, the keys until an ID
token names a key id they lack: then fetched again, at most once per JWKS_REFETCH_SECONDS, so a
rotated key is picked up and a flood of forged key ids is not a flood of requests to the
provider), and the refusal every step of a sign-in raises."""

import time
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

DISCOVERY_TTL_SECONDS = 3600
JWKS_REFETCH_SECONDS = 60.0
HTTP_TIMEOUT_SECONDS = 10.0


class SignInRefused(Exception):
    """The sign-in stops here. `reason` is a stable word the login page explains (never the
    provider's own text); `detail` is for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


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
