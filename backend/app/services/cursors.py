"""Opaque keyset cursors for newest-first lists: (created_at, id) of the last row sent."""

import base64
import binascii
import json
from datetime import UTC, datetime

from app.errors import Unprocessable

MAX_ID = 2**31 - 1  # the integer id columns (PostgreSQL's `integer`): past it, no row exists
MAX_TOTAL = 2**53 - 1  # a count the console's JavaScript numbers hold exactly


def encode_cursor(created_at: datetime, ident: int, total: int | None = None) -> str:
    """`total`, when given, rides along so that later pages need not count again."""
    values: list[object] = [created_at.isoformat(), ident]
    if total is not None:
        values.append(total)
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def decode_cursor_with_total(cursor: str) -> tuple[datetime, int, int | None]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, ident, *rest = json.loads(raw)
        created_at = datetime.fromisoformat(stamp)
        total = rest[0] if rest else None
        if (created_at.tzinfo is None or not _is_int(ident) or not 0 < ident <= MAX_ID
                or len(rest) > 1
                or (total is not None and (not _is_int(total) or not 0 <= total <= MAX_TOTAL))):
            raise ValueError(cursor)
        return created_at.astimezone(UTC), ident, total
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise Unprocessable("cursor is not one this server issued; start again without it", field="cursor")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    created_at, ident, _ = decode_cursor_with_total(cursor)
    return created_at, ident
