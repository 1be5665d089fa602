"""Sealing timeline events into each incident's hash chain, keeping the incident's checkpoint,
and verifying a chain.

Writers lock the incidents they append to (row locks in id order) before reading the
checkpoints, so two transactions never chain from the same head; on SQLite the write lock
(BEGIN IMMEDIATE) already serialises them. A writer whose own statement already holds the row
(the version compare-and-set's UPDATE, the INSERT that opened the incident) passes the state
that statement returned (`HELD` columns), and the checkpoint is not read a second time.
`seal` moves each incident's checkpoint (head hash and event count) in the same transaction as
its events, and hashes the incident's status, lifecycle times and RCA text as they stand into
each new event. Just before the transaction
commits, `install_checkpoints`' hook signs the new checkpoints with AUDIT_CHECKPOINT_KEY (held
outside the database), provided the checkpoint it extends carried a valid signature: a
checkpoint someone rewrote without the key is never signed over, so the break stays visible.
"""

import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.domain.audit import (
    GENESIS,
    ChainedEvent,
    Checkpoint,
    Verdict,
    checkpoint_mac,
    checkpoint_signed,
    event_hash,
    state_digest,
    verify_incident,
)
from app.domain.rca import RCA_FIELDS
from app.errors import NotFound
from app.infra.rows import dialect_of, in_transaction, member_of
from app.models import Incident, IncidentEvent, Rca
from app.schemas.audit import AuditReport
from app.services.records import get_or_404

INCIDENTS = cast(Table, Incident.__table__)
PENDING = "audit_checkpoints"  # session.info: incident id -> the checkpoint before this transaction
MOVED = "audit_heads"  # session.info: incident id -> (head, count) as this transaction leaves it
LIFECYCLE = ("status", "created_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at")
# What sealing needs of an incident: its checkpoint and the lifecycle state hashed into events.
HELD = ("id", "chain_head", "event_count", "chain_mac", *LIFECYCLE)
HELD_COLUMNS = tuple(INCIDENTS.c[name] for name in HELD)
log = logging.getLogger(__name__)
_keys: "weakref.WeakKeyDictionary[Database, bytes | None]" = weakref.WeakKeyDictionary()


# The incident's RCA as it stands, returned by the compare-and-set's UPDATE (PostgreSQL):
# one statement fewer than reading it after. `rca_present` tells "no RCA" from an empty one.
# Its subqueries read the statement's snapshot, which is enough here: an RCA edit moves the
# version, so one committed after that snapshot makes the compare-and-set fail (re-checked
# once the row lock is had), and the RCA read is never older than the version matched.
_RCA_OF_ROW = Rca.incident_id == INCIDENTS.c.id
RCA_NOW = (exists().where(_RCA_OF_ROW).label("rca_present"),
           *(select(getattr(Rca, name)).where(_RCA_OF_ROW).scalar_subquery().label(f"rca_{name}")
             for name in RCA_FIELDS))
HELD_WITH_RCA = (*HELD_COLUMNS, *RCA_NOW)


def _carries_rca(row: Any) -> bool:
    return hasattr(row, "rca_present")


def _rca_of(row: Any) -> Any:
    """The RCA a row read with RCA_NOW carries (None: the incident has none)."""
    if not row.rca_present:
        return None
    return SimpleNamespace(**{name: getattr(row, f"rca_{name}") for name in RCA_FIELDS})


def _state(incident: Any, rca: Any) -> str:
    return state_digest(
        **{name: getattr(incident, name) for name in LIFECYCLE},
        rca={name: getattr(rca, name) for name in RCA_FIELDS} if rca is not None else None,
    )


@lru_cache(maxsize=4)
def _reads(dialect: str) -> tuple[Any, Any, Any]:
    """The incidents' states, locked or not, and their RCAs, for a list of ids: built once
    per database (a statement built per call pays its construction and cache key every time).
    FOR NO KEY UPDATE, like the version compare-and-set's UPDATE: it serialises chain writers,
    yet never waits on the KEY SHARE locks that foreign-key checks take (inserting an alert or
    an event for the incident), which FOR UPDATE would turn into deadlocks.
    Not with RCA_NOW: a subquery in a locking SELECT is read in the snapshot taken before it
    waited for the lock, so an RCA edit committed meanwhile would be missed; the RCA is read
    by a statement of its own once the lock is held."""
    states = (select(*HELD_COLUMNS).where(member_of(INCIDENTS.c.id, "ids", Integer(), dialect))
              .order_by(INCIDENTS.c.id))
    rcas = (select(Rca.incident_id, *(getattr(Rca, name) for name in RCA_FIELDS))
            .where(member_of(Rca.incident_id, "ids", Integer(), dialect)))
    return states, states.with_for_update(key_share=True), rcas


async def _incident_states(session: AsyncSession, ids: list[int], lock: bool) -> dict[int, Any]:
    states, locked, _ = _reads(dialect_of(session))
    return {r.id: r for r in await in_transaction(session, locked if lock else states, {"ids": ids})}


async def _rcas(session: AsyncSession, ids: list[int]) -> dict[int, Any]:
    return {r.incident_id: r for r in await in_transaction(session, _reads(dialect_of(session))[2],
                                                           {"ids": ids})}


# Moves the checkpoints `seal` returns (executed with its list as the parameters).
CHECKPOINTS = (update(INCIDENTS).where(INCIDENTS.c.id == bindparam("b_id"))
               .values(chain_head=bindparam("b_head"), event_count=bindparam("b_count")))


async def seal(session: AsyncSession, rows: list[dict[str, Any]],
               held: Mapping[int, Any] | None = None, opened: bool = False) -> list[dict[str, Any]]:
    """Add prev_hash, state_hash and hash to event rows about to be inserted, in the order
    given, and return each incident's checkpoint moved past them (`CHECKPOINTS`' parameters),
    which the caller writes in the same transaction as the events. `held`: incidents this
    transaction's own UPDATE or INSERT already locked, as that statement returned them
    (`HELD` columns, lifecycle as it now stands); `opened`: those were inserted by it, so
    have no RCA yet. The others are locked and read here; an incident that does not exist
    is NotFound."""
    if not rows:
        return []
    ids = sorted({r["incident_id"] for r in rows})
    held = held or {}
    incidents = {i: held[i] for i in ids if i in held}
    unheld = [i for i in ids if i not in incidents]
    if unheld:
        incidents.update(await _incident_states(session, unheld, lock=True))
    for ident in ids:
        if ident not in incidents:
            raise NotFound("Incident", ident)
    # The RCA of each incident whose row did not bring it (an opened one has none).
    need_rca = [i for i in (unheld if opened else ids) if not _carries_rca(incidents[i])]
    rcas = await _rcas(session, need_rca) if need_rca else {}
    heads: dict[int, str] = {}
    counts: dict[int, int] = {}
    states: dict[int, str] = {}
    pending: dict[int, Checkpoint] = session.info.setdefault(PENDING, {})
    moved: dict[int, tuple[str, int]] = session.info.setdefault(MOVED, {})
    for ident in ids:
        found = incidents[ident]
        pending.setdefault(ident, Checkpoint(found.chain_head, found.event_count, found.chain_mac))
        # Sealed before in this transaction: that head is the row's (a held state may predate it).
        head, count = moved.get(ident) or (found.chain_head, found.event_count)
        heads[ident], counts[ident] = head or GENESIS, count
        states[ident] = _state(found, _rca_of(found) if _carries_rca(found) else rcas.get(ident))
    for row in rows:
        ident = row["incident_id"]
        row["prev_hash"] = heads[ident]
        row["state_hash"] = states[ident]
        row["hash"] = heads[ident] = event_hash(
            row["prev_hash"], incident_id=ident, type=row["type"], body=row["body"],
            data=row["data"], created_by=row["created_by"], created_at=row["created_at"],
            state_hash=states[ident],
        )
        counts[ident] += 1
    moves = [{"b_id": i, "b_head": heads[i], "b_count": counts[i]} for i in ids]
    moved.update({m["b_id"]: (m["b_head"], m["b_count"]) for m in moves})
    return moves


def _signer(key: bytes | None) -> Callable[[AsyncSession], Awaitable[None]]:
    async def sign(session: AsyncSession) -> None:
        before: dict[int, Checkpoint] = session.info.pop(PENDING, {})
        now: dict[int, tuple[str, int]] = session.info.pop(MOVED, {})  # what seal wrote
        if not before:
            return
        ids = sorted(before)
        macs: list[dict[str, Any]] = []
        for ident in ids:
            old = before[ident]
            if key is None:
                if old.mac is not None:
                    macs.append({"b_id": ident, "b_mac": None})
                continue
            fresh = old.event_count == 0 and old.head is None
            if ident in now and (fresh or checkpoint_signed(key, ident, old)):
                head, count = now[ident]
                macs.append({"b_id": ident, "b_mac": checkpoint_mac(key, ident, count, head)})
            # else: unsigned or not matching before this transaction; left as it is, so the
            # audit keeps saying so.
        if macs:
            await session.execute(
                update(INCIDENTS).where(INCIDENTS.c.id == bindparam("b_id"))
                .values(chain_mac=bindparam("b_mac")), macs)

    return sign


def install_checkpoints(db: Database, key: str | None) -> None:
    """Sign every transaction's new checkpoints with `key` (AUDIT_CHECKPOINT_KEY)."""
    secret = key.encode() if key else None
    _keys[db] = secret
    db.before_commit.append(_signer(secret))
    if secret is None:
        log.warning("AUDIT_CHECKPOINT_KEY is not set: timeline checkpoints are unsigned, so a "
                    "chain recomputed by someone with write access to the database cannot be "
                    "told from the original")


def _verdict_report(incident_id: int, verdict: Verdict) -> AuditReport:
    return AuditReport(
        incident_id=incident_id,
        verified=verdict.verified,
        event_count=verdict.event_count,
        head_hash=verdict.head_hash,
        first_broken_event_id=verdict.first_broken_event_id,
        reason=verdict.reason,
    )


async def audit(db: Database, incident_id: int) -> AuditReport:
    async with db.read() as session:
        await get_or_404(session, Incident, incident_id, "Incident")
        incident = (await _incident_states(session, [incident_id], lock=False))[incident_id]
        rca = (await _rcas(session, [incident_id])).get(incident_id)
        rows = await session.scalars(
            select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id)
        )
        events = [ChainedEvent(id=e.id, incident_id=e.incident_id, type=e.type, body=e.body,
                               data=e.data, created_by=e.created_by, created_at=e.created_at,
                               prev_hash=e.prev_hash, hash=e.hash, state_hash=e.state_hash)
                  for e in rows]
    checkpoint = Checkpoint(incident.chain_head, incident.event_count, incident.chain_mac)
    verdict = verify_incident(incident_id, events, checkpoint, _state(incident, rca),
                              _keys.get(db))
    return _verdict_report(incident_id, verdict)
