"""Reading alerts: the filtered list, newest first with keyset pages, and an incident's own."""

from dataclasses import dataclass

from sqlalchemy import select, tuple_

from app.db import Database
from app.models import Alert
from app.schemas.alerts import AlertPage, AlertRead
from app.services.cursors import decode_cursor, encode_cursor
from app.services.incidents.guards import ensure_exists
from app.services.sla import filters as sla_filters


@dataclass
class AlertFilter:
    status: list[str]
    incident_id: int | None = None
    fingerprint: str | None = None
    source: str | None = None


async def list_alerts(db: Database, f: AlertFilter, limit: int, cursor: str | None) -> AlertPage:
    stmt = select(Alert)
    if f.status:
        stmt = stmt.where(Alert.status.in_(f.status))
    if f.incident_id is not None:
        stmt = stmt.where(Alert.incident_id == f.incident_id)
    if f.fingerprint:
        stmt = stmt.where(Alert.fingerprint == f.fingerprint)
    if f.source:
        stmt = stmt.where(Alert.source == f.source)
    if cursor:
        seen_at, ident = decode_cursor(cursor)
        stmt = stmt.where(tuple_(Alert.first_seen_at, Alert.id) < tuple_(sla_filters.utc_literal(seen_at), ident))
    stmt = stmt.order_by(Alert.first_seen_at.desc(), Alert.id.desc()).limit(limit + 1)
    async with db.read() as session:
        if f.incident_id is not None:
            await ensure_exists(session, f.incident_id)
        rows = list((await session.scalars(stmt)).all())
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(rows[limit - 1].first_seen_at, rows[limit - 1].id)
    return AlertPage(items=[AlertRead.model_validate(a) for a in rows[:limit]], next_cursor=next_cursor)
