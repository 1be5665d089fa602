"""The incident lifecycle: one transition table and the timestamps each move sets."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from app.domain.errors import DomainError


class Status(StrEnum):
    NEW = "New"
    INVESTIGATING = "Investigating"
    MITIGATED = "Mitigated"
    RESOLVED = "Resolved"
    CLOSED = "Closed"


OPEN_STATUSES: tuple[Status, ...] = (Status.NEW, Status.INVESTIGATING, Status.MITIGATED)

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.INVESTIGATING,),
    Status.INVESTIGATING: (Status.MITIGATED,),
    Status.MITIGATED: (Status.RESOLVED, Status.INVESTIGATING),
    Status.RESOLVED: (Status.CLOSED, Status.INVESTIGATING),
    Status.CLOSED: (),
}


class IllegalTransition(DomainError):
    """The workflow does not allow moving from `current` to `target`."""

    code = "illegal_transition"

    def __init__(self, current: Status, target: Status) -> None:
        self.current = current
        self.target = target
        self.allowed = TRANSITIONS[current]
        allowed = ", ".join(s.value for s in self.allowed) or "none (Closed is final)"
        super().__init__(
            f"Cannot move an incident from {current.value} to {target.value}; "
            f"allowed from {current.value}: {allowed}",
            current=current.value, target=target.value, allowed=[s.value for s in self.allowed],
        )


class ClosureBlocked(DomainError):
    """Closing needs a complete RCA (and, where the service asks, an owned follow-up);
    `missing` names the blank RCA fields and `action_items` (domain/rca.close_blockers)."""

    code = "closure_blocked"

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            "Cannot close the incident yet; missing: " + ", ".join(missing),
            missing=list(missing),
        )


@dataclass(frozen=True)
class Timestamps:
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


def allowed_transitions(current: Status) -> tuple[Status, ...]:
    return TRANSITIONS[current]


def is_reopen(current: Status, target: Status) -> bool:
    return target is Status.INVESTIGATING and current in (Status.MITIGATED, Status.RESOLVED)


def transition(
    current: Status,
    target: Status,
    times: Timestamps,
    now: datetime,
    close_blockers: list[str],
) -> Timestamps:
    """Return the timestamps after moving `current` -> `target`, or raise why it cannot."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    if target is Status.CLOSED and close_blockers:
        raise ClosureBlocked(close_blockers)
    updated = times
    if current is Status.NEW and times.acknowledged_at is None:
        updated = replace(updated, acknowledged_at=now)
    if target is Status.MITIGATED:
        updated = replace(updated, mitigated_at=now)
    elif target is Status.RESOLVED:
        updated = replace(updated, resolved_at=now)
    elif target is Status.CLOSED:
        updated = replace(updated, closed_at=now)
    elif is_reopen(current, target):
        updated = replace(updated, resolved_at=None)
    return updated
