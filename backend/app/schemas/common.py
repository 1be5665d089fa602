"""Shared schema pieces: strict input models, bounded strings, the error body."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

from app.domain.lifecycle import Status

MAX_TEXT = 20_000


class Input(BaseModel):
    """Request bodies refuse fields they do not know, rather than silently ignoring them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# The integer id columns (PostgreSQL's `integer`) end here: a larger id names no row on either
# database, so the schema says so and both answer 422 alike.
MAX_ID = 2**31 - 1
# What no URL here may hold: control characters and every Unicode space, listed rather than
# written `\s`, whose meaning differs between pydantic's regex engine and the ones clients and
# fuzzers read the schema with (NEL, U+0085, was a space to one and not to the other).
NOT_IN_URL = r"\x00-\x20\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# What a 422 says for a value that fails one of these patterns, instead of the pattern itself
# (infra/http_errors.py): a person reads "String should match pattern '^[Hh][Tt]...'" as noise.
PATTERN_MESSAGES: dict[str, str] = {}
HTTP_URL = "must be an http:// or https:// URL with a host, and no spaces or control characters"


def described(pattern: str, message: str) -> str:
    """`pattern`, its failures answered with `message`."""
    PATTERN_MESSAGES[pattern] = message
    return pattern


def whole_number(value: Any) -> Any:
    """JSON Schema's `integer` includes 7.0 and 7e0; `true` and "7" stay refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Integers in request bodies: a JSON number, never `true` or "7" coerced into one.
WHOLE = (Strict(), BeforeValidator(whole_number))
# Ids in request bodies.
Id = Annotated[int, Field(ge=1, le=MAX_ID), *WHOLE]
# Versions and indexes in request bodies: the same column width, from 0.
Count = Annotated[int, Field(ge=0, le=MAX_ID), *WHOLE]
# Ids in paths and query strings (text there, so not strict).
IdParam = Annotated[int, Field(ge=1, le=MAX_ID)]

# Date-times as RFC 3339 text only (pydantic alone also takes numbers and "0.5" as Unix
# times, which the schema's `date-time` calls invalid); no offset means UTC where documented.
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?")


def _iso_text(value: Any) -> Any:
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value):
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("must be an RFC 3339 date-time such as 2026-01-31T09:00:00Z")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
]


ErrorCode = Literal[
    "not_found", "conflict", "stale_version", "incident_closed", "duplicate_name",
    "last_admin", "illegal_transition", "closure_blocked", "invalid_request", "invalid_sla_policy",
    "validation_failed", "out_of_range", "unauthenticated", "forbidden", "too_many_attempts",
    "payload_too_large", "database_unavailable", "idempotency_key_invalid",
    "idempotency_key_reused", "idempotency_in_progress", "bad_request", "method_not_allowed",
    "unsupported_media_type", "password_login_disabled", "invalid_calendar", "sla_pause_refused",
    "internal_error",
]


class ErrorBody(BaseModel):
    """Every refusal: `detail` for people, `code` for programs, and the facts behind it."""

    detail: str | list[Any] = Field(description="For people: a sentence, or FastAPI's list of "
                                    "failed fields (each with its `loc`)")
    code: ErrorCode = Field(description="Stable, for programs: branch on this, never on `detail`")
    missing: list[str] | None = Field(
        default=None, description=(
        "closure_blocked: the RCA fields still blank, and `action_items` when the service "
        "requires a follow-up with an owner and a due date at this severity and there is none"))
    allowed: list[Status] | None = Field(
        default=None, description="illegal_transition: where the incident may move from here")
    current: Status | None = Field(default=None, description="illegal_transition: its status now")
    target: Status | None = Field(default=None, description="illegal_transition: the refused one")
    current_version: int | None = Field(
        default=None, description="stale_version: the incident's version now (send it as If-Match)")
    field: str | None = Field(default=None, description="invalid_request: the field at fault")
    retry_after: int | None = Field(default=None, description="too_many_attempts: seconds to wait")
    resource: str | None = Field(default=None, description="not_found: what was looked for")
    id: Any = Field(default=None, description="not_found: the id that was not found")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses an operation can answer."""
    text = {
        401: "Missing, malformed, expired or forged token",
        403: "Your role may not do this",
        404: "Unknown id",
        409: "A workflow rule refused the change",
        413: "Request body too large",
        422: "The body or query failed validation",
        429: "Too many attempts",
    }
    headers = {
        401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
        429: {"Retry-After": {"description": "Seconds to wait before trying again",
                              "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
    }
    return {code: {"model": ErrorBody, "description": text[code],
                   **({"headers": headers[code]} if code in headers else {})}
            for code in codes}
