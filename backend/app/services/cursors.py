"""Opaque keyset cursors for newest-first lists: (created_at, id) of the last row sent."""

import base64
import binascii
import json
from datetime import UTC, datetime

from app.errors import Unprocessable


def encode_cursor(created_at: datetime, ident: int) -> str:
    raw = json.dumps([created_at.isoformat(), ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, ident = json.loads(raw)
        created_at = datetime.fromisoformat(stamp)
        if created_at.tzinfo is None or not isinstance(ident, int) or isinstance(ident, bool):
            raise ValueError(cursor)
        return created_at.astimezone(UTC), ident
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise Unprocessable("cursor is not one this server issued; start again without it")
