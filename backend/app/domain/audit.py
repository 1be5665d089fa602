"""The timeline's hash chain: pure functions, no I/O.

Each event's hash is SHA-256 over the previous event's hash (of the same incident) and a
canonical JSON of the event's content, so changing, removing or reordering any stored event
breaks every link after it. The first event of an incident chains from GENESIS.

Since revision 0015 an event's content also carries `state`: a digest of the incident's
status, lifecycle times and RCA text as the event left them, so the newest event vouches for
the incident row (events chained before carry no state and keep their old hash). The incident
row keeps a checkpoint, its chain's head hash and event count, which shows events removed from
the end (truncation); signed with an HMAC key held outside the database, it also shows a chain
recomputed by someone without the key (re-chaining).
"""

import hashlib
import hmac
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
    state_hash: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    """What the incident row records of its chain (NULL head: no event yet)."""

    head: str | None
    event_count: int
    mac: str | None


def _stamp(at: datetime) -> str:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(content: Any) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def canonical(
    *, incident_id: int, type: str, body: str, data: dict[str, Any], created_by: int | None,
    created_at: datetime, state_hash: str | None = None,
) -> bytes:
    content = {"incident_id": incident_id, "type": type, "body": body, "data": data,
               "created_by": created_by, "created_at": _stamp(created_at)}
    if state_hash is not None:
        content["state"] = state_hash
    return _json(content)


def state_digest(
    *, status: str, created_at: datetime, acknowledged_at: datetime | None,
    mitigated_at: datetime | None, resolved_at: datetime | None, closed_at: datetime | None,
    rca: dict[str, str] | None,
) -> str:
    """The incident's status, lifecycle times (what MTTA and MTTR are made of) and RCA text."""
    times = {"created_at": created_at, "acknowledged_at": acknowledged_at,
             "mitigated_at": mitigated_at, "resolved_at": resolved_at, "closed_at": closed_at}
    content = {"status": status, "rca": rca,
               **{name: _stamp(at) if at is not None else None for name, at in times.items()}}
    return hashlib.sha256(_json(content)).hexdigest()


def link(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def event_hash(prev_hash: str, **content: Any) -> str:
    return link(prev_hash, canonical(**content))


def checkpoint_mac(key: bytes, incident_id: int, event_count: int, head: str | None) -> str:
    message = f"incident-console checkpoint\n{incident_id}\n{event_count}\n{head or GENESIS}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def checkpoint_signed(key: bytes, incident_id: int, checkpoint: Checkpoint) -> bool:
    return checkpoint.mac is not None and hmac.compare_digest(
        checkpoint.mac, checkpoint_mac(key, incident_id, checkpoint.event_count, checkpoint.head))


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
                                created_at=e.created_at, state_hash=e.state_hash)
        if recomputed != e.hash:
            return Verdict(False, count, expected_prev, e.id,
                           "content does not match its hash (the event was altered)")
        expected_prev = e.hash
    return Verdict(True, count, expected_prev)


def verify_incident(
    incident_id: int, events: Sequence[ChainedEvent], checkpoint: Checkpoint, state: str,
    key: bytes | None,
) -> Verdict:
    """`verify`, then the incident row against the chain: its checkpoint against the chain's
    length and head, (with the key) the checkpoint's signature, and its state against the
    newest event's."""
    verdict = verify(events)
    if not verdict.verified:
        return verdict
    count, head = verdict.event_count, verdict.head_hash
    newest = events[-1] if events else None
    if checkpoint.event_count > count:
        return Verdict(False, count, head, None,
                       f"truncated: the incident's checkpoint records {checkpoint.event_count} "
                       f"events, the timeline holds {count} (its newest events were removed)")
    if checkpoint.event_count < count:
        return Verdict(False, count, head, events[checkpoint.event_count].id,
                       f"the timeline holds {count} events, the incident's checkpoint records "
                       f"{checkpoint.event_count} (events were added outside the app)")
    if (checkpoint.head or GENESIS) != head:
        return Verdict(False, count, head, newest.id if newest else None,
                       "the chain does not end at the head the incident's checkpoint records "
                       "(it was re-chained or cut short)")
    if key is not None:
        if checkpoint.mac is None:
            return Verdict(False, count, head, None,
                           "the incident's checkpoint is not signed (written before "
                           "AUDIT_CHECKPOINT_KEY was set, or its signature was removed)")
        if not checkpoint_signed(key, incident_id, checkpoint):
            return Verdict(False, count, head, None,
                           "the checkpoint's signature does not match: the chain and its "
                           "checkpoint were rewritten (re-chained or truncated) by someone "
                           "without the checkpoint key")
    if newest is not None and newest.state_hash is not None and newest.state_hash != state:
        return Verdict(False, count, head, newest.id,
                       "the incident's status, lifecycle times or RCA text do not match its "
                       "newest event (they were changed outside the timeline)")
    return verdict
