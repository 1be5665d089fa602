"""Every answer carries the security headers; the console's CSP allows only its own origin;
CORS answers only the configured origins."""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.infra.middleware import CONSOLE_CSP
from app.main import create_app
from tests.conftest import test_settings as make_settings

ALLOWED = "https://console.example.com"


def _assert_hardened(response: httpx.Response, console: bool = True) -> None:
    h = response.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    timing = h["server-timing"]  # the app's own time for the answer, in milliseconds
    assert timing.startswith("app;dur=") and float(timing.removeprefix("app;dur=")) >= 0
    if console:
        assert csp == CONSOLE_CSP
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        for name in ("default-src", "script-src", "style-src", "connect-src", "font-src"):
            assert directives[name] == "'self'", name
        assert "unsafe" not in csp and "http" not in csp and "*" not in csp


async def test_headers_on_every_kind_of_answer(
    client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    for path in ("/ui/", "/ui/incidents/1", "/healthz", "/openapi.json"):
        _assert_hardened(await client.get(path))
    _assert_hardened(await client.get("/incidents", headers=viewer))
    _assert_hardened(await client.get("/incidents"))  # 401
    _assert_hardened(await client.get("/incidents/999", headers=viewer))  # 404
    _assert_hardened(await client.post("/incidents", json={}, headers=viewer))  # 403
    _assert_hardened(await client.post("/incidents", content=b"x" * (3 * 1024 * 1024),
                                       headers=viewer))  # 413
    docs = await client.get("/docs")
    assert docs.status_code == 200
    _assert_hardened(docs, console=False)


async def test_no_cors_unless_configured(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options("/incidents", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(database_url, cors_origins=[ALLOWED]))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def test_cors_allows_only_configured_origins(cors_client: httpx.AsyncClient) -> None:
    ok = await cors_client.options("/incidents", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in ok.headers
    evil = await cors_client.options("/incidents", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert evil.headers.get("access-control-allow-origin") not in (ALLOWED, "*", "https://evil.example")
    simple = await cors_client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
    same = await cors_client.get("/healthz", headers={"Origin": ALLOWED})
    assert same.headers["access-control-allow-origin"] == ALLOWED
    _assert_hardened(same)
