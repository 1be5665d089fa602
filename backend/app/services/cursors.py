"""Opaque keyset cursors: newest-first lists carry (created_at, id) of the last row sent;
other orders carry their sort key (`encode_sort_cursor`)."""

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


# Cursors of the other orders: the order's name, the `now` its first page was ordered at (the
# time-dependent orders keep it, so every page sorts the same way), the last row's sort key and
# the first page's total. Kinds of key values: "int" (small), "time" (a UTC time), "time?" (or
# null), "text", "id".
KeyKind = str


def _encode_value(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _decode_value(kind: KeyKind, value: object) -> object:
    if kind == "time?" and value is None:
        return None
    if kind in ("time", "time?"):
        if not isinstance(value, str):
            raise ValueError(value)
        stamp = datetime.fromisoformat(value)
        if stamp.tzinfo is None:
            raise ValueError(value)
        return stamp.astimezone(UTC)
    if isinstance(value, int) and not isinstance(value, bool) and (
            (kind == "int" and 0 <= value < 100) or (kind == "id" and 0 < value <= MAX_ID)):
        return value
    if kind == "text" and isinstance(value, str) and len(value) <= 100:
        return value
    raise ValueError(value)


def encode_sort_cursor(order: str, now: datetime | None, key: tuple[object, ...],
                       total: int | None) -> str:
    raw = json.dumps({"o": order, "n": now.isoformat() if now else None,
                      "k": [_encode_value(v) for v in key], "t": total}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_sort_cursor(cursor: str, order: str, kinds: tuple[KeyKind, ...]
                       ) -> tuple[datetime | None, tuple[object, ...], int | None]:
    """(now, key, total) of a cursor `encode_sort_cursor` made for `order`; a cursor of
    another order (or of none) is refused like a forged one."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, dict) or set(raw) != {"o", "n", "k", "t"} or raw["o"] != order:
            raise ValueError(cursor)
        now = _decode_value("time?", raw["n"])
        values, total = raw["k"], raw["t"]
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError(cursor)
        if total is not None and (not _is_int(total) or not 0 <= total <= MAX_TOTAL):
            raise ValueError(cursor)
        key = tuple(_decode_value(kind, v) for kind, v in zip(kinds, values, strict=True))
        return now if isinstance(now, datetime) else None, key, total
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise Unprocessable("cursor is not one this server issued for this order; "
                            "start again without it", field="cursor")
