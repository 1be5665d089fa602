"""The errors services raise, each with a stable `code` and the facts a program needs.

Pure like the domain: nothing here knows HTTP. `app/infra/http_errors.py` maps each class to
its status in one table and writes `{"detail", "code", ...facts}`.
"""

from typing import Any

from app.domain.errors import DomainError


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found", resource=what, id=ident)


class Conflict(DomainError):
    """A workflow rule refused the change (duplicate name, ...)."""

    code = "conflict"


class StaleVersion(Conflict):
    """The caller's version (If-Match) is not the incident's: someone changed it first."""

    code = "stale_version"

    def __init__(self, message: str, current_version: int | None) -> None:
        super().__init__(message, current_version=current_version)


class IncidentClosed(Conflict):
    """A Closed incident accepts no more edits."""

    code = "incident_closed"


class SlaPauseRefused(Conflict):
    """Pausing a clock already paused, resuming one that runs, or pausing an incident whose
    status has nothing to wait for (New: acknowledge first; Resolved)."""

    code = "sla_pause_refused"


class DuplicateName(Conflict):
    code = "duplicate_name"


class LastAdmin(Conflict):
    """The change would leave no active admin to manage people and settings."""

    code = "last_admin"


class Unprocessable(DomainError):
    """The request is well-formed but names things that do not fit together; `field` names
    the part of the request at fault when there is one."""

    code = "invalid_request"

    def __init__(self, message: str, field: str | None = None, **facts: Any) -> None:
        super().__init__(message, **({"field": field} if field else {}), **facts)


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class PasswordLoginDisabled(Forbidden):
    """PASSWORD_LOGIN=false: people sign in through the identity provider (single sign-on)."""

    code = "password_login_disabled"


class TooManyAttempts(DomainError):
    """Throttled: try again after `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
