"""Shared schema pieces: strict input models, bounded strings, the error body."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Strict, StringConstraints

MAX_TEXT = 20_000


class Input(BaseModel):
    """Request bodies refuse fields they do not know, rather than silently ignoring them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Ids and versions in request bodies: a JSON number, never `true` or "7" coerced into one.
Id = Annotated[int, Strict()]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
]


class ErrorBody(BaseModel):
    detail: str | list[Any]


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
