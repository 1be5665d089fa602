"""Domain errors, and the one table that maps them to HTTP answers."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


STATUS_FOR: dict[type[Exception], int] = {
    NotFound: 404,
    Conflict: 409,
    IllegalTransition: 409,
    ClosureBlocked: 409,
    Unprocessable: 422,
    InvalidPolicy: 422,
    Unauthenticated: 401,
    Forbidden: 403,
}


def _detail(exc: Exception) -> Any:
    return str(exc)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next(code for kind, code in STATUS_FOR.items() if isinstance(exc, kind))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": _detail(exc)}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    for kind in STATUS_FOR:
        app.add_exception_handler(kind, _domain_error)
