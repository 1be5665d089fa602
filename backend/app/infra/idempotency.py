"""Idempotency-Key on POST: a retried request gets the first answer back and changes nothing
twice, even when the retries arrive at the same time.

How: the key is claimed by a row in `idempotency_keys` inserted inside the request's own
write transaction (a session hook adds it just before that transaction commits), so the
claim and the change commit together or not at all. A concurrent duplicate runs its change
too, but its claim hits the unique (scope, key) constraint, its whole transaction rolls
back, and it answers with the first request's stored response. The response is stored right
after the first request finishes; a duplicate that arrives before that waits for it.

Keys are scoped by the caller's credential (a hash of the Authorization header), so one
caller's key never answers another caller's request; the same key with a different method,
path or body is a 422. Answers that were errors before anything committed are not stored:
retrying them runs the request again.
"""

import asyncio
import hashlib
import json
import random
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session

from app.clock import utcnow
from app.db import Database
from app.infra.asgi import ASGIApp, Message, Receive, Scope, Send, replaying
from app.models import IdempotencyKey

HEADER = b"idempotency-key"
KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, like a UUID or a ULID
WAIT_FOR_FIRST_SECONDS = 10.0
POLL_SECONDS = 0.05
RETENTION = timedelta(hours=24)
# A route declares that clients may retry it with `openapi_extra=IDEMPOTENT`; the middleware
# reads the declarations off the OpenAPI schema once. Not /auth/* nor anything that answers a
# secret once: a stored answer there would hold it.
MARK = "x-idempotent"
IDEMPOTENT: dict[str, Any] = {MARK: True}


def declared_paths(openapi: dict[str, Any]) -> list[str]:
    """The paths whose POST is declared idempotent."""
    return [path for path, operations in openapi.get("paths", {}).items()
            if operations.get("post", {}).get(MARK)]


def _patterns(app: Any) -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] | None = getattr(app.state, "idempotent_paths", None)
    if found is None:
        found = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$")
                 for p in declared_paths(app.openapi())]
        app.state.idempotent_paths = found
    return found


PURGE_ONE_IN = 200


@dataclass
class Claim:
    scope: str
    key: str
    fingerprint: str
    committed: bool = False


_claim: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)
_WROTE, _CLAIMED = "idempotency_wrote", "idempotency_claimed"


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _on_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def _before_commit(session: Session) -> None:
    claim = _claim.get()
    if claim is None or claim.committed or not session.info.get(_WROTE):
        return
    if session.info.get(_CLAIMED):
        return
    session.info[_CLAIMED] = True
    session.execute(insert(IdempotencyKey).values(
        scope=claim.scope, key=claim.key, fingerprint=claim.fingerprint, created_at=utcnow()))


def _after_commit(session: Session) -> None:
    claim = _claim.get()
    if session.info.pop(_CLAIMED, False) and claim is not None:
        claim.committed = True
    session.info.pop(_WROTE, None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_CLAIMED, None)
    session.info.pop(_WROTE, None)


_installed = False


def install_session_hooks() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_flush", _on_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _installed = True


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
        expired = row.created_at < utcnow() - RETENTION and row.status_code is not None
        stored = Stored(row.fingerprint, row.status_code, row.content_type, row.response_body)
    if expired:
        async with db.transaction() as session:
            await session.execute(delete(IdempotencyKey).where(
                IdempotencyKey.scope == scope, IdempotencyKey.key == key))
        return None
    return stored


async def _remember(db: Database, claim: Claim, status: int, content_type: str | None,
                    body: bytes) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.scope == claim.scope, IdempotencyKey.key == claim.key)
            .values(status_code=status, content_type=content_type,
                    response_body=body.decode("utf-8", errors="replace"))
        )
    if random.randrange(PURGE_ONE_IN) == 0:
        await _purge_expired(db)


async def _purge_expired(db: Database) -> None:
    """Now and then, drop answered keys past their retention (a failure here costs nothing)."""
    try:
        async with db.transaction() as session:
            await session.execute(delete(IdempotencyKey).where(
                IdempotencyKey.created_at < utcnow() - RETENTION,
                IdempotencyKey.status_code.is_not(None)))
    except Exception:  # pragma: no cover - best effort housekeeping
        return


async def _send_json(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"detail": detail, "code": code}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        install_session_hooks()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = None
        if scope["type"] == "http" and scope.get("method") == "POST" and any(
                p.match(scope.get("path", "")) for p in _patterns(scope["app"])):
            raw = dict(scope.get("headers", [])).get(HEADER)
        if raw is None:
            await self.app(scope, receive, send)
            return
        key = raw.decode("latin-1")
        if not KEY_FORMAT.fullmatch(key):
            await _send_json(send, 422, "idempotency_key_invalid",
                             "Idempotency-Key must be 1 to 255 visible ASCII "
                             "characters (a UUID is a good choice)")
            return
        body, receive = await _read_body(receive)
        headers = dict(scope.get("headers", []))
        caller = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        fingerprint = hashlib.sha256(b"\n".join([
            scope["method"].encode(), scope.get("path", "").encode(),
            scope.get("query_string", b""), body])).hexdigest()
        db: Database = scope["app"].state.db

        stored = await _lookup(db, caller, key)
        if stored is not None:
            await self._answer(db, caller, key, fingerprint, stored, send)
            return
        claim = Claim(caller, key, fingerprint)
        captured: dict[str, Any] = {"chunks": []}
        started = False

        async def capture(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                captured["status"] = message["status"]
                captured["content_type"] = dict(message.get("headers", [])).get(b"content-type")
            elif message["type"] == "http.response.body":
                captured["chunks"].append(message.get("body", b""))
            await send(message)

        token = _claim.set(claim)
        try:
            await self.app(scope, receive, capture)
        except IntegrityError:
            # Our claim lost to a concurrent twin (its change rolled back with it).
            stored = await _lookup(db, caller, key)
            if stored is None or started:
                raise
            await self._answer(db, caller, key, fingerprint, stored, send)
            return
        finally:
            _claim.reset(token)
        if claim.committed and "status" in captured:
            content_type = captured["content_type"]
            await _remember(db, claim, captured["status"],
                            content_type.decode("latin-1") if content_type else None,
                            b"".join(captured["chunks"]))

    async def _answer(self, db: Database, caller: str, key: str, fingerprint: str,
                      stored: Stored, send: Send) -> None:
        if stored.fingerprint != fingerprint:
            await _send_json(send, 422, "idempotency_key_reused",
                             "This Idempotency-Key was already used for a different "
                             "request (method, path or body); use a new key")
            return
        waited = 0.0
        current: Stored | None = stored
        while current is not None and current.status_code is None \
                and waited < WAIT_FOR_FIRST_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            waited += POLL_SECONDS
            current = await _lookup(db, caller, key)
        if current is None or current.status_code is None:
            await _send_json(send, 409, "idempotency_in_progress",
                             "A request with this Idempotency-Key was accepted but "
                             "its answer is not stored yet; retry in a moment")
            return
        body = (current.body or "").encode()
        headers = [(b"content-length", str(len(body)).encode()),
                   (b"idempotent-replayed", b"true")]
        if current.content_type:
            headers.append((b"content-type", current.content_type.encode("latin-1")))
        await send({"type": "http.response.start", "status": current.status_code,
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
