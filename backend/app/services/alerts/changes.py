"""Alert changes as timeline events: one per incident, kind and delivery, however many alerts
it covers, so an alert storm or a sender's retry loop cannot flood a timeline."""

from dataclasses import dataclass
from typing import Any

from app.domain.events import EventType
from app.services.incidents.writer import NewEvent

MAX_LISTED = 50
VERBS = {"fired": "fired", "refired": "fired again", "resolved": "resolved"}


@dataclass(frozen=True)
class AlertChange:
    incident_id: int
    kind: str
    alert_id: int
    fingerprint: str
    source: str
    summary: str


def summarised(changes: list[AlertChange], verb_suffix: str = "") -> list[NewEvent]:
    """`Alert fired: <summary>`, or `3 alerts fired: <summary> and 2 more`."""
    grouped: dict[tuple[int, str], list[AlertChange]] = {}
    for change in changes:
        grouped.setdefault((change.incident_id, change.kind), []).append(change)
    events = []
    for (incident_id, kind), items in grouped.items():
        first, verb = items[0], VERBS.get(kind, kind) + verb_suffix
        body = (f"Alert {verb}: {first.summary}" if len(items) == 1 else
                f"{len(items)} alerts {verb}: {first.summary} and {len(items) - 1} more")
        data: dict[str, Any] = {
            "kind": kind, "count": len(items), "source": first.source,
            "fingerprint": first.fingerprint, "alert_id": first.alert_id,
            "alert_ids": [c.alert_id for c in items[:MAX_LISTED]],
            "fingerprints": [c.fingerprint for c in items[:MAX_LISTED]],
        }
        events.append(NewEvent(incident_id, EventType.ALERT, body, data))
    return events
