"""The timeline's hash chain: pure functions, no I/O.

Each event's hash is SHA-256 over the previous event's hash (of the same incident) and a
canonical JSON of the event's content, so changing, removing or reordering any stored event
breaks every link after it. The first event of an incident chains from GENESIS.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainedEvent:
    id: int
    incident_id: int
    type: str
    body: str
    data: dict[str, Any]
    created_by: int | None
    created_at: datetime
    prev_hash: str | None
    hash: str | None


def canonical(
    *, incident_id: int, type: str, body: str, data: dict[str, Any], created_by: int | None,
    created_at: datetime,
) -> bytes:
    stamp = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = {"incident_id": incident_id, "type": type, "body": body, "data": data,
               "created_by": created_by, "created_at": stamp}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def link(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def event_hash(prev_hash: str, **content: Any) -> str:
    return link(prev_hash, canonical(**content))


@dataclass(frozen=True)
class Verdict:
    verified: bool
    event_count: int
    head_hash: str
    first_broken_event_id: int | None = None
    reason: str | None = None


def verify(events: Sequence[ChainedEvent]) -> Verdict:
    """Walk one incident's events in id order; name the first link that does not hold."""
    expected_prev = GENESIS
    count = len(events)
    for e in events:
        if e.hash is None or e.prev_hash is None:
            return Verdict(False, count, expected_prev, e.id, "event carries no hash")
        if e.prev_hash != expected_prev:
            return Verdict(False, count, expected_prev, e.id,
                           "previous-hash does not match the event before it "
                           "(an event was removed, inserted or reordered)")
        recomputed = event_hash(e.prev_hash, incident_id=e.incident_id, type=e.type,
                                body=e.body, data=e.data, created_by=e.created_by,
                                created_at=e.created_at)
        if recomputed != e.hash:
            return Verdict(False, count, expected_prev, e.id,
                           "content does not match its hash (the event was altered)")
        expected_prev = e.hash
    return Verdict(True, count, expected_prev)
