"""What one delivery did to each of its alerts, and the two answers made of it.

The detailed answer lists every alert's outcome (`IntakeResult`); the summary answer
(`?answer=summary`) counts them (`IntakeSummary`) and builds no per-alert list. Outcomes are
plain slotted records, written straight to JSON by orjson in `IntakeResult`'s exact shape
(field for field, in order): a thousand pydantic models per delivery cost about a tenth of
its CPU, and the answer was then serialized a second time.
"""

from collections import Counter
from dataclasses import dataclass

from app.schemas.alert_intake import IntakeCounts, IntakeSummary

# (source, fingerprint, service id); the service is None only for a person's acknowledge or
# resolve that names none, which then applies in every service (intake.py). The source is
# an AlertSource or the stored text: a StrEnum hashes and compares as its value.
AlertKey = tuple[str, str, int | None]


@dataclass(slots=True)
class AlertOutcome:
    """`IntakeOutcome`'s fields, in its order."""

    fingerprint: str
    alert_id: int | None
    incident_id: int | None
    status: str | None
    outcome: str


@dataclass(slots=True)
class IntakeAnswer:
    """`IntakeResult`'s fields, in its order: the detailed answer."""

    created_incident_ids: list[int]
    attached_incident_ids: list[int]
    alerts: list[AlertOutcome]


def attached_incidents(outcomes: list[AlertOutcome], created: list[int]) -> list[int]:
    """The incidents the delivery's alerts went to that it did not open, first seen first."""
    opened = set(created)
    return [i for i in dict.fromkeys(o.incident_id for o in outcomes) if i is not None and i not in opened]


def summary(keys: list[AlertKey], outcomes: dict[AlertKey, AlertOutcome], created: list[int],
            attached: list[int], triggers: int, new_alerts: int) -> IntakeSummary:
    """The counts of the detailed answer: each alert of the delivery counted once, as the
    detailed answer lists it (copies of a key in one delivery share its outcome)."""
    counted = Counter(outcomes[k].outcome for k in keys)
    return IntakeSummary(
        received=len(keys), new_alerts=new_alerts, deduplicated=triggers - new_alerts,
        incidents_opened=len(created), incidents_attached=len(attached),
        outcomes=IntakeCounts(**{name: counted.get(name, 0) for name in IntakeCounts.model_fields}))
