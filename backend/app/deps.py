"""Request dependencies: the app's services, the caller, and role guards."""

import copy
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import OAuth2PasswordBearer

from app.db import Database
from app.domain import roles
from app.errors import Forbidden, Unprocessable
from app.infra import read_after
from app.infra.input_guard import NO_NUL
from app.infra.replica import ReadRouting
from app.models import User
from app.services.users.accounts import Accounts

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


# async, not def: FastAPI runs a plain-def dependency in a worker thread (a thread hop each).
async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


# The header and cookie get_read_db reads, as the OpenAPI documents them on every route that
# reads through it. Read from the request, not declared as FastAPI
# parameters: their extraction and validation per request cost a tenth of a detail read's CPU
# (`document_own_reads`).
_READ_AFTER_DOC = "The `X-Read-After` of your last write's answer: read nothing older"
_COOKIE_DOC = "The same, as the cookie a write's answer sets"
READ_AFTER_PARAMETERS: tuple[dict[str, Any], ...] = (
    {"description": _READ_AFTER_DOC, "in": "header", "name": "x-read-after", "required": False,
     "schema": {"description": _READ_AFTER_DOC, "pattern": read_after.LSN_PATTERN,
                "title": "X-Read-After", "type": "string"}},
    {"description": _COOKIE_DOC, "in": "cookie", "name": read_after.COOKIE, "required": False,
     "schema": {"anyOf": [{"pattern": NO_NUL, "type": "string"}, {"type": "null"}],
                "description": _COOKIE_DOC, "pattern": read_after.LSN_PATTERN,
                "title": "Ic Read After"}},
)


async def get_read_db(request: Request) -> Database:
    """Where a read route reads: the replica when it has replayed the caller's last write
    (infra/replica.py), else the primary. Without DATABASE_READ_URL: the database.
    The caller's position: the `X-Read-After` header and the `ic_read_after` cookie."""
    headers = request.headers
    x_read_after = headers.get("x-read-after")
    ic_read_after = request.cookies.get(read_after.COOKIE) if "cookie" in headers else None
    for field, given in (("X-Read-After", x_read_after), ("ic_read_after", ic_read_after)):
        if given is not None and not read_after.valid(given):
            raise Unprocessable(f"{field} must be a WAL position such as 16/B374D848", field=field)
    reads: ReadRouting = request.app.state.reads
    if not reads.enabled:
        return await get_db(request)
    return await reads.for_reads(read_after.latest(x_read_after, ic_read_after))


async def get_accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


async def current_user(request: Request) -> User:
    """The caller of the bearer token. `oauth2_scheme` and get_accounts called, not declared:
    each dependency FastAPI solves costs every request (the scheme's, 7% of a detail read);
    `document_own_reads` puts the scheme's security requirement in the schema."""
    return await (await get_accounts(request)).authenticate(await oauth2_scheme(request))


async def stream_caller(
    accounts: Annotated[Accounts, Depends(get_accounts)],
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    ticket: Annotated[str | None, Query(
        max_length=128, description="A single-use ticket from POST /stream/ticket (the console's way)")] = None,
    access_token: Annotated[str | None, Query(
        max_length=4096, description="For EventSource clients without tickets; prefer `ticket`")] = None,
) -> User:
    """The live stream's caller. `EventSource` cannot send headers: a single-use `?ticket=`
    keeps the bearer token out of the URL; `?access_token=` is still taken (masked in logs)."""
    if ticket is not None:
        return await accounts.streams.redeem(ticket)
    return await accounts.authenticate(bearer or access_token)


def check_role(user: User, roles: Sequence[str]) -> User:
    """The user, if their role is one of `roles`; else 403 naming what it needs."""
    if user.role not in roles:
        raise Forbidden(f"Your role ({user.role}) may not do this; it needs: {' or '.join(roles)}")
    return user


def require_role(*roles: str) -> Callable[[Request], Awaitable[User]]:
    async def guard(request: Request) -> User:  # current_user called, not declared (as it)
        return check_role(await current_user(request), roles)

    guard.roles = roles  # type: ignore[attr-defined]  # read by the role-matrix test
    return guard


# ASCII digits only (str.isdigit() takes "²", which int() refuses), at most ten of them.
IF_MATCH = re.compile(r'(?:W/)?"?([0-9]{1,10})"?')


_IF_MATCH_DOC = "The incident version you last saw; 409 if it has moved on"
# The header if_match_version reads, as the schema documents it (`document_own_reads`).
IF_MATCH_PARAMETER: dict[str, Any] = {
    "description": _IF_MATCH_DOC, "in": "header", "name": "if-match", "required": False,
    "schema": {"description": _IF_MATCH_DOC, "pattern": '^(W/)?"?[0-9]{1,10}"?$',
               "title": "If-Match", "type": "string"}}


async def if_match_version(request: Request) -> int | None:
    """If-Match as a version, read from the request rather than declared (a declared header
    is extracted and validated by FastAPI on every request)."""
    if_match = request.headers.get("if-match")
    if if_match is None:
        return None
    found = IF_MATCH.fullmatch(if_match.strip())
    if found is None:
        raise Unprocessable("If-Match must be the incident's integer version", field="If-Match")
    return int(found.group(1))


DB = Annotated[Database, Depends(get_db)]
ReadDB = Annotated[Database, Depends(get_read_db)]  # lists, detail, timeline, metrics, reports
AnyUser = Annotated[User, Depends(current_user)]
Responder = Annotated[User, Depends(require_role(*roles.WORKERS))]
Admin = Annotated[User, Depends(require_role("admin"))]
IfMatch = Annotated[int | None, Depends(if_match_version)]
StreamCaller = Annotated[User, Depends(stream_caller)]


def document_own_reads(openapi: dict[str, Any], routes: Sequence[Any]) -> dict[str, Any]:
    """What the dependencies read from the request themselves, in the schema as FastAPI wrote
    it when they were declared: `READ_AFTER_PARAMETERS` (last) on every operation whose
    route reads through `get_read_db`, `IF_MATCH_PARAMETER` on those that take
    `if_match_version`, the bearer token's security requirement on every one that signs its
    caller in (`current_user`). main.py calls it once, on the schema FastAPI first builds;
    called again on the same schema it adds nothing."""
    for route in iter_route_contexts(routes):  # through the included routers
        original = route.original_route
        if not isinstance(original, APIRoute):
            continue
        reads = _through(original.dependant, lambda call: call is get_read_db)
        matches = _through(original.dependant, lambda call: call is if_match_version)
        signs_in = _through(original.dependant,  # require_role's guards call current_user
                            lambda call: call is current_user or hasattr(call, "roles"))
        for method in route.methods or ():
            operation = openapi.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            added = (*(READ_AFTER_PARAMETERS if reads else ()), *((IF_MATCH_PARAMETER,) if matches else ()))
            if added:
                parameters = operation.setdefault("parameters", [])
                named = {(p.get("in"), p.get("name")) for p in parameters}
                parameters.extend(copy.deepcopy(p) for p in added
                                  if (p["in"], p["name"]) not in named)
            if signs_in:
                operation.setdefault("security", [{oauth2_scheme.scheme_name: []}])
    schemes = openapi.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.setdefault(oauth2_scheme.scheme_name,
                       oauth2_scheme.model.model_dump(by_alias=True, exclude_none=True))
    return openapi


def _through(dependant: Any, found: Callable[[Any], bool]) -> bool:
    return found(dependant.call) or any(_through(d, found) for d in dependant.dependencies)

