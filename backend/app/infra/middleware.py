"""HTTP guards around every request: a body size cap, CORS for configured origins only, and
the security headers the console is served with (plus Server-Timing: the app's own time, and
X-Request-ID), with each request counted and timed for Prometheus by its route template.

Pure ASGI middleware (not BaseHTTPMiddleware), so streamed responses such as the live event
stream pass through untouched apart from their headers.
"""

from time import perf_counter
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.config import Settings
from app.infra import idempotency, input_guard, logs, prometheus
from app.infra.asgi import ASGIApp, Message, Receive, Scope, Send, send_error
from app.infra.idempotency import IdempotencyMiddleware
from app.infra.input_guard import InputGuard
from app.infra.read_after import HEADER as READ_AFTER
from app.infra.read_after import ReadAfterWrites

# The console and the API: everything from this origin only, nothing inline, never framed.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI and ReDoc (bundled, same origin) start with an inline script and inline styles.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
CONSOLE_HEADERS = [*COMMON_HEADERS, (b"content-security-policy", CONSOLE_CSP.encode())]
DOCS_HEADERS = [*COMMON_HEADERS, (b"content-security-policy", DOCS_CSP.encode())]
EXTRA_NAMES = frozenset(name for name, _ in CONSOLE_HEADERS)
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Probes and scrapes: answered every few seconds by design, so neither counted nor timed.
UNMEASURED = frozenset({"/healthz", "/-/readiness", "/-/metrics"})
EVENT_STREAM = b"text/event-stream"


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/incidents/{incident_id}`), never the raw path:
    one series per route, whatever ids are asked for."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    if not hasattr(route, "endpoint"):  # a mount (static files): everything under it
        return f"{path}/{{path}}"
    return path or "/"


class ResponseHeaders:
    """Headers on every answer: the security headers (CSP per page kind) and Server-Timing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = DOCS_HEADERS if path.startswith(DOCS_PATHS) else CONSOLE_HEADERS
        started = perf_counter()
        request_id = logs.request_id_from(_header(scope, b"x-request-id"))
        token = logs.REQUEST_ID.set(request_id)
        status = 500
        streamed = False
        started_answer = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started_answer, status, streamed
            if message["type"] == "http.response.start":
                started_answer = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if present.isdisjoint(EXTRA_NAMES):
                    headers += extra
                else:
                    headers += [(n, v) for n, v in extra if n not in present]
                streamed = any(n.lower() == b"content-type" and v.startswith(EVENT_STREAM)
                               for n, v in headers)
                # The server's own time for this answer, as browsers' devtools show it.
                elapsed_ms = (perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.2f}".encode()))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # An unexpected error: answer 500 here, inside the headers, then let the server log
            # it (Starlette's own 500 is written outside every middleware, bare).
            if not started_answer:
                await send_error(send_with_headers, 500, "internal_error", "Internal server error")
            raise
        finally:
            logs.REQUEST_ID.reset(token)
            if path not in UNMEASURED:
                prometheus.observe_request(scope.get("method", ""), route_template(scope), status,
                                           None if streamed else perf_counter() - started)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


class BodyTooLarge(StarletteHTTPException):
    """Raised by `receive` once a body passes the limit. FastAPI hands an HTTPException met
    while reading a body to the error handlers (a 413 naming the limit); raised where a raw
    middleware reads it, BodySizeLimit answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body exceeds the limit of {limit} bytes",
                         headers={"Connection": "close"})


class BodySizeLimit:
    """Refuse bodies over `limit` bytes with 413.

    A declared Content-Length over the limit is refused at once; a body without one
    (chunked) is counted as the app reads it and refused once it passes the limit. It is not
    read ahead of the app: a route that refuses its caller before reading the body (alert
    intake without credentials) never takes it in.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _reply(self, send: Send) -> None:
        await send_error(send, 413, "payload_too_large",
                         f"Request body exceeds the limit of {self.limit} bytes",
                         [(b"connection", b"close")])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = self.limit + 1
            if length > self.limit:
                await self._reply(send)
                return
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._reply(send)


def install_http_guards(app: FastAPI, settings: Settings) -> None:
    """Innermost first: Idempotency-Key replays, the commit position for read-your-writes
    (with a read replica), the input no store can hold (422), the size cap, CORS, then the
    headers on every answer."""
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(ReadAfterWrites)
    app.add_middleware(InputGuard)
    app.add_middleware(BodySizeLimit, limit=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key",
                           READ_AFTER],
            expose_headers=[READ_AFTER],
        )
    app.add_middleware(ResponseHeaders)
    generate = app.openapi

    def openapi_with_idempotency() -> dict[str, Any]:
        return input_guard.document(idempotency.document(generate()))

    app.openapi = openapi_with_idempotency  # type: ignore[method-assign]
