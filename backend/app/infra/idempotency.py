"""Idempotency-Key on POST: a retried request gets the first answer back and changes nothing
twice, even when the retries arrive at the same time or after a crash.

Keys are scoped by the principal, not by the credential's bytes: the user behind a token
(any of their tokens, however the `Bearer` scheme is spelled) or the integration key that
sent the alerts (in `Authorization` or as PagerDuty's `routing_key`). The caller is
authenticated before anything is replayed: a credential that no longer authenticates gets
the route's own 401, never the stored answer. The same key with a different method, path or
body is a 422.

How: the request runs as one unit of work (db.Database.unit). Its first statement inserts
the claim, a row in `idempotency_keys`; then the route runs, its answer is written into that
row, and the change, the claim and the answer commit together; only then is the answer
sent. A crash leaves either nothing or the change with its answer, never a claim without
one. A concurrent twin's claim waits on the first (PostgreSQL: the unique (scope, key)
index; SQLite: the write lock), then finds the first's answer and replays it. An answer that
is not a 2xx rolls back everything the request did and is not stored: retrying runs it again.
"""

import hashlib
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.infra.asgi import ASGIApp, Message, Receive, Scope, Send, replaying, send_error
from app.infra.http_errors import RETRY_AFTER_SECONDS, is_unavailable
from app.models import IdempotencyKey

HEADER = b"idempotency-key"
KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, like a UUID or a ULID
RETENTION = timedelta(hours=24)
# A route declares that clients may retry it with `openapi_extra=IDEMPOTENT`; the middleware
# reads the declarations off the OpenAPI schema once. Not /auth/* nor anything that answers a
# secret once: a stored answer there would hold it.
MARK = "x-idempotent"
IDEMPOTENT: dict[str, Any] = {MARK: True}
# Who is calling, as a stable name ("user:7", "key:3"), from the Authorization header and
# the body; None when the credential does not authenticate. Set on app.state.principals
# (services/principals.py) when the app starts.
PrincipalOf = Callable[[str | None, bytes], Awaitable[str | None]]
UNAVAILABLE = ("The database is unavailable or restarting; retry with the same "
               "Idempotency-Key: the request is applied at most once")


def declared_paths(openapi: dict[str, Any]) -> list[str]:
    """The paths whose POST is declared idempotent."""
    return [path for path, operations in openapi.get("paths", {}).items()
            if operations.get("post", {}).get(MARK)]


def declared_routes(app: Any) -> list[str]:
    """The same paths, read off the app's routes (the declarations the schema is built from):
    building the whole OpenAPI schema for this took most of a second per app."""
    return [c.route.path for c in iter_route_contexts(app.routes)
            if isinstance(c.route, APIRoute) and "POST" in (c.route.methods or ())
            and (c.route.openapi_extra or {}).get(MARK)]


def _patterns(app: Any) -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] | None = getattr(app.state, "idempotent_paths", None)
    if found is None:
        found = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$")
                 for p in declared_routes(app)]
        app.state.idempotent_paths = found
    return found


PURGE_ONE_IN = 200


@dataclass(frozen=True)
class Claim:
    scope: str  # the principal
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    status_code: int | None
    content_type: str | None
    body: str | None


async def _lookup(db: Database, scope: str, key: str) -> Stored | None:
    async with db.read() as session:
        row = await session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
        if row is None:
            return None
        expired = row.created_at < utcnow() - RETENTION
        stored = Stored(row.fingerprint, row.status_code, row.content_type, row.response_body)
    if expired:
        async with db.transaction() as session:
            await session.execute(delete(IdempotencyKey).where(
                IdempotencyKey.scope == scope, IdempotencyKey.key == key))
        return None
    return stored


async def _claim(session: AsyncSession, dialect: str, claim: Claim) -> bool:
    """Insert the claim; False when a twin's claim committed first. (PostgreSQL waits here
    while a twin's transaction holding the same key is still open.)"""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    claimed = await session.scalar(
        insert(IdempotencyKey)
        .values(scope=claim.scope, key=claim.key, fingerprint=claim.fingerprint,
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(IdempotencyKey.id))
    return claimed is not None


async def _purge_expired(db: Database) -> None:
    """Now and then, drop keys past their retention (a failure here costs nothing)."""
    try:
        async with db.transaction() as session:
            await session.execute(delete(IdempotencyKey).where(
                IdempotencyKey.created_at < utcnow() - RETENTION))
    except Exception:  # pragma: no cover - best effort housekeeping
        return


async def _unavailable(send: Send) -> None:
    await send_error(send, 503, "database_unavailable", UNAVAILABLE,
                     [(b"retry-after", RETRY_AFTER_SECONDS.encode())])


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: dict[bytes, bytes] = {}
        if scope["type"] == "http" and scope.get("method") == "POST" and any(
                p.match(scope.get("path", "")) for p in _patterns(scope["app"])):
            headers = dict(scope.get("headers", []))
        raw = headers.get(HEADER)
        if raw is None:
            await self.app(scope, receive, send)
            return
        key = raw.decode("latin-1")
        if not KEY_FORMAT.fullmatch(key):
            await send_error(send, 422, "idempotency_key_invalid",
                             "Idempotency-Key must be 1 to 255 visible ASCII "
                             "characters (a UUID is a good choice)")
            return
        body, receive = await _read_body(receive)
        authorization = headers.get(b"authorization")
        state = scope["app"].state
        principal_of: PrincipalOf = state.principals
        db: Database = state.db
        sent = False

        async def tracked(message: Message) -> None:
            nonlocal sent
            sent = sent or message["type"] == "http.response.start"
            await send(message)

        try:
            principal = await principal_of(
                None if authorization is None else authorization.decode("latin-1"), body)
            if principal is None:  # no caller to scope by: the route refuses it (401/403)
                await self.app(scope, receive, tracked)
                return
            fingerprint = hashlib.sha256(b"\n".join([
                scope["method"].encode(), scope.get("path", "").encode(),
                scope.get("query_string", b""), body])).hexdigest()
            claim = Claim(principal, key, fingerprint)
            stored = await _lookup(db, principal, key)
            if stored is None and await self._first(db, claim, scope, receive, tracked):
                return
            stored = stored or await _lookup(db, principal, key)
            await _answer(stored, fingerprint, tracked)
        except Exception as exc:
            if sent or not is_unavailable(exc):
                raise
            await _unavailable(send)

    async def _first(self, db: Database, claim: Claim, scope: Scope, receive: Receive,
                     send: Send) -> bool:
        """Run the request with its claim, store a 2xx answer with the change, then send
        it. False when a twin's claim committed first (nothing was run)."""
        messages: list[Message] = []

        async def hold(message: Message) -> None:
            messages.append(message)

        async with db.unit() as unit:
            if not await _claim(unit.session, db.dialect, claim):
                return False
            await self.app(scope, receive, hold)
            start = next((m for m in messages if m["type"] == "http.response.start"), None)
            status = start["status"] if start is not None else 500
            if 200 <= status < 300:
                assert start is not None
                content_type = dict(start.get("headers", [])).get(b"content-type")
                body = b"".join(m.get("body", b"") for m in messages
                                if m["type"] == "http.response.body")
                await unit.session.execute(
                    update(IdempotencyKey)
                    .where(IdempotencyKey.scope == claim.scope, IdempotencyKey.key == claim.key)
                    .values(status_code=status,
                            content_type=content_type.decode("latin-1") if content_type else None,
                            response_body=body.decode("utf-8", errors="replace")))
                await unit.commit()
            # anything else rolls back with the unit: nothing changed, nothing stored
        for message in messages:
            await send(message)
        if random.randrange(PURGE_ONE_IN) == 0:
            await _purge_expired(db)
        return True


async def _answer(stored: Stored | None, fingerprint: str, send: Send) -> None:
    if stored is not None and stored.fingerprint != fingerprint:
        await send_error(send, 422, "idempotency_key_reused",
                         "This Idempotency-Key was already used for a different "
                         "request (method, path or body); use a new key")
        return
    if stored is None or stored.status_code is None:
        # Only a claim left by an older version of this server (which stored answers after
        # the commit) can lack its answer: the change it made is in, its answer is lost.
        await send_error(send, 409, "idempotency_in_progress",
                         "A request with this Idempotency-Key was accepted but its answer "
                         "was not kept; use a new key only if the change is not there")
        return
    body = (stored.body or "").encode()
    headers = [(b"content-length", str(len(body)).encode()),
               (b"idempotent-replayed", b"true")]
    if stored.content_type:
        headers.append((b"content-type", stored.content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": stored.status_code,
                "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, replaying(body, receive)


def document(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the Idempotency-Key header, and the 409/422 it can answer, to the POST operations
    clients are expected to retry; and the body cap's 413 to every operation with a body."""
    parameter = {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "description": "Any unique string (a UUID): a retry with the same key and body gets "
                       "the first answer back and creates nothing twice; the same key with "
                       "another body is 422",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                   "pattern": "^[\\x21-\\x7e]+$"},
    }
    error = {"description": "", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("413", {
                    **error, "description": "Request body too large (the limit is named)"})
    for path in declared_paths(openapi):
        operation = openapi["paths"][path]["post"]
        params = operation.setdefault("parameters", [])
        if not any(p.get("name") == "Idempotency-Key" for p in params):
            params.append(parameter)
        responses = operation.setdefault("responses", {})
        responses.setdefault("409", {**error, "description": "A workflow rule refused the "
                                     "change, or a request with this key is still running"})
        responses.setdefault("422", {**error, "description": "The body or query failed "
                                     "validation, or the key was used for another request"})
    return openapi
