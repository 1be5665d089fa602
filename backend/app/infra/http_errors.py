"""The one table from errors to HTTP answers, and the handlers that write them.

Every error body is `{"detail": <for people>, "code": <stable, for programs>, ...facts}`
(schemas/common.py `ErrorBody`): the console reads `code` and the facts, never the prose.
"""

import re
from typing import Any

import asyncpg
from asyncpg.exceptions import DataError as PgDataError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import (
    DataError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.business_hours import InvalidCalendar
from app.domain.errors import DomainError
from app.domain.lifecycle import ClosureBlocked, IllegalTransition
from app.domain.sla import InvalidPolicy
from app.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    TooManyAttempts,
    Unauthenticated,
    Unprocessable,
)
from app.infra.input_guard import InvalidInput
from app.infra.rows import BROKEN
from app.schemas.common import PATTERN_MESSAGES

STATUS_FOR: dict[type[Exception], int] = {
    NotFound: 404,
    Conflict: 409,
    IllegalTransition: 409,
    ClosureBlocked: 409,
    Unprocessable: 422,
    InvalidPolicy: 422,
    InvalidCalendar: 422,
    Unauthenticated: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
    PayloadTooLarge: 413,
    OverflowError: 422,
}
OUT_OF_RANGE = "A number or date in the request is out of the range this server stores"
DATABASE_UNAVAILABLE = "The database is unavailable or restarting; nothing was changed, retry shortly"
RETRY_AFTER_SECONDS = "1"
# Codes of answers written outside a DomainError (FastAPI's own, the database's, the guards').
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
              500: "internal_error"}


def error_body(detail: Any, code: str, **facts: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, **facts}


def error_response(status: int, detail: Any, code: str, headers: dict[str, str] | None = None,
                   **facts: Any) -> JSONResponse:
    return JSONResponse(jsonable_encoder(error_body(detail, code, **facts)), status_code=status,
                        headers=headers)


def _is_out_of_range(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OverflowError, PgDataError, DataError)):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


# Straight from asyncpg (the hot reads, infra/rows.py): a connection that broke, a server
# shutting down, starting up or out of connection slots.
PG_UNAVAILABLE = (*BROKEN, asyncpg.exceptions.OperatorInterventionError,
                  asyncpg.exceptions.InsufficientResourcesError)
# SQLAlchemy's own: a connection found dead, the pool exhausted while the database is slow.
SA_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def _causes(exc: BaseException | None) -> list[BaseException]:
    """The error and what it wraps: SQLAlchemy's `orig`, then the driver's cause."""
    found: list[BaseException] = []
    while exc is not None and len(found) < 10 and exc not in found:
        found.append(exc)
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return found


def is_unavailable(exc: BaseException) -> bool:
    """The database is down, restarting, unreachable or dropped the connection: nothing the
    caller did, so a 503 to retry. SQLAlchemy wraps asyncpg's errors in a bare DBAPIError
    ("the database system is shutting down" / "starting up"), so the chain is searched."""
    return any(getattr(e, "connection_invalidated", False)
               or isinstance(e, (*SA_UNAVAILABLE, *PG_UNAVAILABLE))
               for e in _causes(exc))


def unavailable_response() -> JSONResponse:
    return error_response(503, DATABASE_UNAVAILABLE, "database_unavailable",
                          headers={"Retry-After": RETRY_AFTER_SECONDS})


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    """An id past the integer column, a date past year 9999: the caller's value, so a 422.
    The driver's own message names SQL, not the request, so it is not passed on.
    A lost or refused database connection is a 503 to retry: the transaction rolled back."""
    if _is_out_of_range(exc):
        return error_response(422, OUT_OF_RANGE, "out_of_range")
    if is_unavailable(exc):
        return unavailable_response()
    raise exc


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next(code for kind, code in STATUS_FOR.items() if isinstance(exc, kind))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, OverflowError):
        return error_response(status, OUT_OF_RANGE, "out_of_range")
    assert isinstance(exc, DomainError)
    return error_response(status, str(exc), exc.code, headers=headers, **exc.facts)


def _encodable(value: Any) -> Any:
    """The value with lone surrogates replaced, so that the answer encodes as UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encodable(v) for v in value]
    return value


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's list of failures (each names its field in `loc`), with the code added; the
    echoed input made encodable (a lone surrogate in it would otherwise fail the answer)."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for error in errors:
        said = (PATTERN_MESSAGES.get((error.get("ctx") or {}).get("pattern", ""))
                if error.get("type") == "string_pattern_mismatch" else None)
        if said is not None:  # the pattern itself is in the OpenAPI schema
            error["msg"] = f"Value {said}"
            error.pop("ctx", None)
    return error_response(422, _encodable(jsonable_encoder(errors)), "validation_failed")


def _allowed_methods(request: Request) -> str | None:
    """Every method the OpenAPI documents at this path (Starlette names only the methods of
    the first route that matched the path), or None for a path it does not document."""
    app = request.app
    table: list[tuple[re.Pattern[str], str]] | None = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"),
                  ", ".join(sorted(m.upper() for m in operations if m.upper() in HTTP_METHODS)))
                 for path, operations in app.openapi().get("paths", {}).items()]
        app.state.allowed_methods = table
    path = request.url.path
    return next((methods for pattern, methods in table if pattern.match(path)), None)


HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH"}


async def _http_error(request: Request, exc: Exception) -> Any:
    """FastAPI answers a body it cannot decode (not UTF-8, say) with a bare 400; the contract
    says a body that fails validation is a 422, so it is one."""
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, InvalidInput):
        return error_response(422, exc.errors, "validation_failed")
    if exc.status_code == 405:
        allow = _allowed_methods(request) or (exc.headers or {}).get("Allow", "")
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        return error_response(405, exc.detail, "method_not_allowed", headers={"Allow": allow})
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return error_response(422, "The body could not be decoded: send UTF-8 JSON",
                              "validation_failed")
    if exc.status_code in HTTP_CODES:
        return error_response(exc.status_code, exc.detail, HTTP_CODES[exc.status_code],
                              headers=getattr(exc, "headers", None))
    return await http_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    for kind in STATUS_FOR:
        app.add_exception_handler(kind, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(asyncpg.PostgresError, _database_error)
    app.add_exception_handler(asyncpg.InterfaceError, _database_error)
    app.add_exception_handler(asyncpg.InternalClientError, _database_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
