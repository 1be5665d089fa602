"""Sealing timeline events into each incident's hash chain, and verifying a chain.

Writers lock the incidents they append to (row locks in id order) before reading the
chain heads, so two transactions never chain from the same head; on SQLite the write lock
(BEGIN IMMEDIATE) already serialises them.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.domain.audit import GENESIS, ChainedEvent, Verdict, event_hash, verify
from app.models import Incident, IncidentEvent
from app.schemas.audit import AuditReport
from app.services.records import get_or_404


async def chain_heads(session: AsyncSession, incident_ids: list[int]) -> dict[int, str]:
    ids = sorted(set(incident_ids))
    # FOR NO KEY UPDATE, like the version compare-and-set's UPDATE: it serialises chain
    # writers, yet never waits on the KEY SHARE locks that foreign-key checks take (inserting
    # an alert or an event for the incident), which FOR UPDATE would turn into deadlocks.
    await session.execute(
        select(Incident.id).where(Incident.id.in_(ids)).order_by(Incident.id)
        .with_for_update(key_share=True)
    )
    last = (
        select(func.max(IncidentEvent.id).label("id"))
        .where(IncidentEvent.incident_id.in_(ids))
        .group_by(IncidentEvent.incident_id)
        .subquery()
    )
    rows = await session.execute(
        select(IncidentEvent.incident_id, IncidentEvent.hash).join(last, IncidentEvent.id == last.c.id)
    )
    heads = dict.fromkeys(ids, GENESIS)
    heads.update({r.incident_id: r.hash or GENESIS for r in rows})
    return heads


async def seal(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Add prev_hash and hash to event rows about to be inserted, in the order given."""
    if not rows:
        return
    heads = await chain_heads(session, [r["incident_id"] for r in rows])
    for row in rows:
        prev = heads[row["incident_id"]]
        row["prev_hash"] = prev
        row["hash"] = heads[row["incident_id"]] = event_hash(
            prev, incident_id=row["incident_id"], type=row["type"], body=row["body"],
            data=row["data"], created_by=row["created_by"], created_at=row["created_at"],
        )


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
        rows = await session.scalars(
            select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id)
        )
        events = [ChainedEvent(id=e.id, incident_id=e.incident_id, type=e.type, body=e.body,
                               data=e.data, created_by=e.created_by, created_at=e.created_at,
                               prev_hash=e.prev_hash, hash=e.hash) for e in rows]
    return _verdict_report(incident_id, verify(events))
