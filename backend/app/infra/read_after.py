"""Read-your-writes across API replicas: the commit position travels with the client.

A request that committed a write (through `Database.transaction()` or a unit of work) is
answered with the primary's WAL position after that commit, as `X-Read-After: <lsn>` and as
the `ic_read_after` cookie (browsers and curl cookie jars carry it with no code; the console
also echoes the header). A read sends it back; infra/replica.py then reads from the replica
only once it has replayed that far. Nothing is kept on the server, so whichever API replica
takes the next request honours it. Without DATABASE_READ_URL this does nothing at all.
"""

import logging
import re
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.infra.asgi import ASGIApp, Message, Receive, Scope, Send
from app.infra.replica import ReadRouting
from app.infra.replica_rows import DOWN

HEADER = "X-Read-After"
COOKIE = "ic_read_after"
# PostgreSQL's text form of an LSN: two hexadecimal halves of 32 bits.
LSN_PATTERN = r"^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$"
_LSN = re.compile(LSN_PATTERN)
# Long enough for any lag worth reading through; an old position costs one comparison.
COOKIE_SECONDS = 3600
log = logging.getLogger(__name__)


def parse_lsn(text: str) -> int:
    """'16/B374D848' -> its byte position; ValueError if it is not an LSN."""
    if not _LSN.fullmatch(text.strip()):
        raise ValueError(f"not a WAL position: {text!r}")
    high, low = text.strip().split("/")
    return (int(high, 16) << 32) | int(low, 16)


def valid(text: str) -> bool:
    return _LSN.fullmatch(text.strip()) is not None


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def latest(*given: str | None) -> int | None:
    """The furthest of the positions a request carries (header, cookie); None if none."""
    positions = [parse_lsn(g) for g in given if g]
    return max(positions) if positions else None


@dataclass
class _Writes:
    committed: bool = False


_WRITES: ContextVar[_Writes | None] = ContextVar("request_writes", default=None)


def note_commit(_session: AsyncSession) -> None:
    """An `after_commit` hook (db.py): the current request wrote something."""
    writes = _WRITES.get()
    if writes is not None:
        writes.committed = True


def _replayed(message: Message) -> bool:
    """An Idempotency-Key replay: the first answer (and its position) may never have arrived."""
    return any(name == b"idempotent-replayed" for name, _ in message.get("headers", []))


class ReadAfterWrites:
    """Adds the commit position to the answer of every request that committed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reads: ReadRouting | None = getattr(getattr(scope.get("app"), "state", None), "reads", None)
        if scope["type"] != "http" or reads is None or not reads.enabled:
            await self.app(scope, receive, send)
            return
        writes = _Writes()
        token = _WRITES.set(writes)
        secure = scope.get("scheme") == "https"

        async def send_with_position(message: Message) -> None:
            if message["type"] == "http.response.start" and (
                    writes.committed or _replayed(message)):
                try:
                    lsn = format_lsn(await reads.written_position())
                except DOWN as exc:  # the write stands; this caller may read it a little late
                    log.warning("read-after position unavailable: %s", exc)
                else:
                    cookie = (f"{COOKIE}={lsn}; Path=/; Max-Age={COOKIE_SECONDS}; HttpOnly; "
                              f"SameSite=Lax{'; Secure' if secure else ''}")
                    message["headers"] = [*message.get("headers", []),
                                          (HEADER.lower().encode(), lsn.encode()),
                                          (b"set-cookie", cookie.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_position)
        finally:
            _WRITES.reset(token)
