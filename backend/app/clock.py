"""The one place the app reads the wall clock, so tests can move time."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
