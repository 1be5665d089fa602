"""Every error the application raises carries a code the schema documents, and none is
shared by two kinds of refusal."""

import typing

import app.domain.lifecycle
import app.domain.sla
import app.errors  # noqa: F401  # imported for its error classes
from app.domain.errors import DomainError
from app.infra.http_errors import HTTP_CODES, STATUS_FOR
from app.schemas.common import ErrorCode


def _all(kind: type[DomainError]) -> list[type[DomainError]]:
    found = []
    for sub in kind.__subclasses__():
        found += [sub, *_all(sub)]
    return found


def test_every_error_code_is_documented_and_unique() -> None:
    kinds = _all(DomainError)
    assert len(kinds) >= 12
    documented = set(typing.get_args(ErrorCode))
    codes = [k.code for k in kinds]
    assert set(codes) <= documented, set(codes) - documented
    assert len(codes) == len(set(codes)), "two kinds of error share a code"
    assert set(HTTP_CODES.values()) <= documented


def test_every_error_has_a_status() -> None:
    for kind in _all(DomainError):
        assert any(issubclass(kind, mapped) for mapped in STATUS_FOR), kind
