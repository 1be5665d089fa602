"""The one shape of a refused request: a stable `code` a program can read, the sentence a
person reads, and the facts behind it (`missing`, `allowed`, `current_version`, ...).

Pure: no web framework and no database here. `app/infra/http_errors.py` maps each error to
its HTTP status in one table.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error the application raises on purpose."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, **facts: Any) -> None:
        super().__init__(message)
        self.facts: dict[str, Any] = facts
