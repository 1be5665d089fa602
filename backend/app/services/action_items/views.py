"""How follow-ups read: one statement shape for the incident's list, one item, and the
keyset-paginated list across incidents ("My follow-ups": overdue first, then by due date)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import Date

from app.db import Database
from app.domain.action_items import ItemStatus, is_overdue
from app.errors import NotFound, Unprocessable
from app.models import ActionItem, Incident, User
from app.schemas.action_items import ActionItemPage, ActionItemRead
from app.services.cursors import decode_sort_cursor, encode_sort_cursor
from app.services.incidents.guards import ensure_exists

_owner, _author = aliased(User), aliased(User)
# No due date sorts after every due date.
NEVER = date(9999, 12, 31)
DUE_KEY = func.coalesce(ActionItem.due_date, literal(NEVER, Date))
ORDER = "follow_ups"


def _rows() -> Select[ActionItem, str, str, str, str]:
    return (select(ActionItem, _owner.name.label("owner_name"), _author.name.label("created_by_name"),
                   Incident.title.label("incident_title"), Incident.severity.label("incident_severity"))
            .join(Incident, Incident.id == ActionItem.incident_id)
            .outerjoin(_owner, _owner.id == ActionItem.owner_id)
            .outerjoin(_author, _author.id == ActionItem.created_by))


def _read(row: Any, today: date) -> ActionItemRead:
    item: ActionItem = row[0]
    return ActionItemRead(
        id=item.id, incident_id=item.incident_id, incident_title=row.incident_title,
        incident_severity=row.incident_severity, title=item.title, kind=item.kind,
        owner_id=item.owner_id, owner_name=row.owner_name, due_date=item.due_date, url=item.url,
        status=item.status, overdue=is_overdue(item.status, item.due_date, today),
        created_at=item.created_at, completed_at=item.completed_at, created_by=item.created_by,
        created_by_name=row.created_by_name)


async def item_read(session: AsyncSession, item_id: int, today: date) -> ActionItemRead:
    row = (await session.execute(_rows().where(ActionItem.id == item_id))).first()
    if row is None:
        raise NotFound("Action item", item_id)
    return _read(row, today)


async def items_of(session: AsyncSession, incident_id: int, today: date) -> list[ActionItemRead]:
    """The incident's follow-ups in the order they were added."""
    rows = await session.execute(_rows().where(ActionItem.incident_id == incident_id).order_by(ActionItem.id))
    return [_read(r, today) for r in rows]


async def of_incident(db: Database, incident_id: int, today: date) -> list[ActionItemRead]:
    async with db.read() as session:
        await ensure_exists(session, incident_id)
        return await items_of(session, incident_id, today)


@dataclass(frozen=True)
class FollowUpFilter:
    status: ItemStatus | None = None
    owner_id: int | None = None
    overdue: bool = False  # open and past the due date


async def listing(db: Database, f: FollowUpFilter, limit: int, cursor: str | None,
                  today: date) -> ActionItemPage:
    """Follow-ups across incidents, earliest due first (so the overdue ones lead), those with
    no due date last, then by id; keyset pages carry the last row's (due date, id)."""
    stmt = _rows()
    if f.status is not None:
        stmt = stmt.where(ActionItem.status == f.status.value)
    if f.owner_id is not None:
        stmt = stmt.where(ActionItem.owner_id == f.owner_id)
    if f.overdue:
        stmt = stmt.where(ActionItem.status == ItemStatus.OPEN.value, ActionItem.due_date < today)
    if cursor is not None:
        _, (due_text, last_id), _ = decode_sort_cursor(cursor, ORDER, ("text", "id"))
        try:
            due = date.fromisoformat(str(due_text))
        except ValueError:
            raise Unprocessable("cursor is not one this server issued for this order; "
                                "start again without it", field="cursor")
        stmt = stmt.where(tuple_(DUE_KEY, ActionItem.id) > tuple_(literal(due, Date), last_id))
    async with db.read() as session:
        rows = (await session.execute(stmt.order_by(DUE_KEY, ActionItem.id).limit(limit + 1))).all()
    items = [_read(r, today) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_sort_cursor(ORDER, None, ((last.due_date or NEVER).isoformat(), last.id), None)
    return ActionItemPage(items=items, next_cursor=next_cursor)
