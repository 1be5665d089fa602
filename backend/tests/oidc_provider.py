"""A small OpenID Connect provider for the tests, built on joserfc: a discovery document, a
JWKS of two RSA keys to rotate between, an authorize endpoint that approves one configured
person at once (or denies, when told to), and a token endpoint that checks the client secret,
the redirect URI and PKCE (S256) before it signs an ID token.

The API tests serve it in a thread (`serving`) and steer it between steps (rotate its keys,
change the person's groups, tamper with the next ID token). The browser tests run it as a
process: `python -m tests.oidc_provider --port 8765 --groups sre`.
"""

import argparse
import base64
import hashlib
import hmac
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote_plus, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "incident-console"
CLIENT_SECRET = "test-client-secret with spaces & symbols"


def _rsa(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class TestProvider:
    __test__ = False  # a helper, not a test class

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.issuer = "http://127.0.0.1"  # set once served
        self.keys = [_rsa("key-1"), _rsa("key-2")]
        self.rogue = _rsa("rogue")  # never published
        self.reset()

    def reset(self) -> None:
        self.published = [self.keys[0]]
        self.signing = self.keys[0]
        self.person: dict[str, Any] = {
            "sub": "248289761001", "preferred_username": "dana", "name": "Dana Reyes",
            "email": "dana@example.com", "groups": ["sre"]}
        self.deny = False
        self.overrides: dict[str, Any] = {}  # claims of the next ID tokens (None: removed)
        self.codes: dict[str, dict[str, Any]] = {}
        self.jwks_fetches = 0
        self.token_requests = 0
        self.refusals: list[str] = []  # why the token endpoint said no

    def rotate(self) -> None:
        """The second key takes over: published alone, and signing from now on."""
        self.published = [self.keys[1]]
        self.signing = self.keys[1]

    # The endpoints.

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email", "groups"],
        })

    async def jwks(self, _request: Request) -> Response:
        self.jwks_fetches += 1
        return JSONResponse(KeySet(list(self.published)).as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        redirect_uri, state = q.get("redirect_uri", ""), q.get("state", "")
        if (q.get("client_id") != self.client_id or q.get("response_type") != "code"
                or not redirect_uri):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if self.deny:
            return RedirectResponse(f"{redirect_uri}?" + urlencode(
                {"error": "access_denied", "error_description": "The user said no",
                 "state": state}), status_code=302)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return RedirectResponse(f"{redirect_uri}?" + urlencode(
                {"error": "invalid_request", "state": state}), status_code=302)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"redirect_uri": redirect_uri, "nonce": q.get("nonce"),
                            "challenge": q["code_challenge"], "scope": q.get("scope", "")}
        return RedirectResponse(f"{redirect_uri}?" + urlencode({"code": code, "state": state}),
                                status_code=302)

    def _refuse(self, why: str, error: str = "invalid_grant", status: int = 400) -> Response:
        self.refusals.append(why)
        return JSONResponse({"error": error, "error_description": why}, status_code=status)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":") \
            if scheme.lower() == "basic" else ("", "", "")
        if (unquote_plus(client_id) != self.client_id
                or not hmac.compare_digest(unquote_plus(secret), self.client_secret)):
            return self._refuse("client authentication failed", "invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return self._refuse("grant_type", "unsupported_grant_type")
        grant = self.codes.pop(str(form.get("code", "")), None)
        if grant is None:
            return self._refuse("unknown or used code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._refuse("redirect_uri differs from the authorize request")
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not hmac.compare_digest(challenge, grant["challenge"]):
            return self._refuse("PKCE verification failed")
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "aud": self.client_id, "iat": now,
                                  "exp": now + 300, "nonce": grant["nonce"], **self.person}
        for name, value in self.overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self.signing
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
        ])


@contextmanager
def serving(provider: TestProvider) -> Iterator[TestProvider]:
    """The provider on a free port of 127.0.0.1, in a thread, until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test OpenID provider did not start")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-secret", default=CLIENT_SECRET)
    parser.add_argument("--username", default="dana")
    parser.add_argument("--name", default="Dana Reyes")
    parser.add_argument("--groups", default="sre", help="comma-separated")
    args = parser.parse_args()
    provider = TestProvider(client_secret=args.client_secret)
    provider.issuer = f"http://127.0.0.1:{args.port}"
    provider.person.update(preferred_username=args.username, name=args.name,
                           groups=[g for g in args.groups.split(",") if g])
    uvicorn.run(provider.app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
