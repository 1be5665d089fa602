"""Domain errors, and the one table that maps them to HTTP answers."""

from typing import Any

import asyncpg
from asyncpg.exceptions import DataError as PgDataError
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db_rows import BROKEN
from app.domain.lifecycle import ClosureBlocked, IllegalTransition
from app.domain.sla import InvalidPolicy


class NotFound(Exception):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")


class Conflict(Exception):
    """A workflow rule refused the change (stale version, duplicate name...)."""


class Unprocessable(Exception):
    """The request is well-formed but names things that do not fit together."""


class Unauthenticated(Exception):
    pass


class Forbidden(Exception):
    pass


class TooManyAttempts(Exception):
    """Throttled: try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(Exception):
    pass


STATUS_FOR: dict[type[Exception], int] = {
    NotFound: 404,
    Conflict: 409,
    IllegalTransition: 409,
    ClosureBlocked: 409,
    Unprocessable: 422,
    InvalidPolicy: 422,
    Unauthenticated: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
    PayloadTooLarge: 413,
    OverflowError: 422,
}
OUT_OF_RANGE = "A number or date in the request is out of the range this server stores"


def _detail(exc: Exception) -> Any:
    if isinstance(exc, OverflowError):
        return OUT_OF_RANGE
    return str(exc)


def _is_out_of_range(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OverflowError, PgDataError, DataError)):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


DATABASE_UNAVAILABLE = "The database is unavailable or restarting; nothing was changed, retry shortly"


# Straight from asyncpg (the hot reads, db_rows.py): a connection that broke, a server
# shutting down or out of connection slots.
PG_UNAVAILABLE = (*BROKEN, asyncpg.exceptions.OperatorInterventionError,
                  asyncpg.exceptions.InsufficientResourcesError)


def _is_unavailable(exc: Exception) -> bool:
    return (
        getattr(exc, "connection_invalidated", False)
        or isinstance(exc, (OperationalError, InterfaceError, *PG_UNAVAILABLE))
    )


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    """An id past the integer column, a date past year 9999: the caller's value, so a 422.
    The driver's own message names SQL, not the request, so it is not passed on.
    A lost or refused database connection is a 503 to retry: the transaction rolled back."""
    if _is_out_of_range(exc):
        return JSONResponse({"detail": OUT_OF_RANGE}, status_code=422)
    if _is_unavailable(exc):
        return JSONResponse({"detail": DATABASE_UNAVAILABLE}, status_code=503,
                            headers={"Retry-After": "1"})
    raise exc


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next(code for kind, code in STATUS_FOR.items() if isinstance(exc, kind))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse({"detail": _detail(exc)}, status_code=status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Any:
    """FastAPI answers a body it cannot decode (not UTF-8, say) with a bare 400; the contract
    says a body that fails validation is a 422, so it is one."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return JSONResponse({"detail": "The body could not be decoded: send UTF-8 JSON"},
                            status_code=422)
    return await http_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    for kind in STATUS_FOR:
        app.add_exception_handler(kind, _domain_error)
    app.add_exception_handler(StatementError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(asyncpg.PostgresError, _database_error)
    app.add_exception_handler(asyncpg.InterfaceError, _database_error)
    app.add_exception_handler(asyncpg.InternalClientError, _database_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
