"""Follow-ups (action items): their kinds and states, and when one is overdue."""

from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    CORRECTIVE = "corrective"  # fixes what broke this time
    PREVENTIVE = "preventive"  # keeps it (or its like) from happening again


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


def is_overdue(status: str, due_date: date | None, today: date) -> bool:
    """Open and past its due date (due today is not yet overdue). `today` is the UTC date."""
    return status == ItemStatus.OPEN and due_date is not None and due_date < today
