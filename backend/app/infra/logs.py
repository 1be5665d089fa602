"""Logs as JSON lines (LOG_FORMAT=json; the default outside development), each carrying the
request id and, with tracing on, the trace id of the request it was written for.

The request id is the caller's `X-Request-ID` when it is a plain token (a proxy's or a load
balancer's), else a new one; every answer carries it back (infra/middleware.py). Uvicorn's
access lines are JSON too, with the method, path and status as fields; the token redaction
(log_redaction.py) filters the record before any formatter sees it.
"""

import json
import logging
import re
import sys
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# Set by infra/tracing.py when tracing is on: the current trace id (32 hex digits) or None.
trace_id_reader: Callable[[], str | None] | None = None
GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Uvicorn's access record: (client address, method, path with query, HTTP version, status).
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


def request_id_from(header: bytes | None) -> str:
    if header:
        try:
            given = header.decode("ascii")
        except UnicodeDecodeError:
            given = ""
        if GOOD_REQUEST_ID.fullmatch(given):
            return given
    return uuid.uuid4().hex


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request and trace ids."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        if trace_id_reader is not None and (trace_id := trace_id_reader()):
            entry["trace_id"] = trace_id
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) \
                and len(record.args) == len(ACCESS_FIELDS):
            entry.update(zip(ACCESS_FIELDS, record.args, strict=True))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


def install(as_json: bool) -> None:
    """JSON: every handler of the root and uvicorn loggers writes JSON lines, and the root
    logger gets one on stderr if it has none (so the app's own warnings are JSON too).
    Idempotent; text leaves the logging configuration as it is."""
    if not as_json:
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not isinstance(handler.formatter, JsonLines):
                handler.setFormatter(JsonLines())
