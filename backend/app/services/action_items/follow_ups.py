"""Adding, editing and completing follow-ups. Each change is an `action_item` event on the
incident's timeline, written through the incidents' one writer in the same transaction, so it
reaches the live stream, the notification outbox and the audit chain with the change.

Follow-ups outlive their incident: a Closed incident still takes new ones, and its items can
still be edited, completed and reopened (ServiceNow allows problem tasks after closure; a
postmortem's actions are mostly done weeks after the incident closed). None of this moves the
incident's version: the follow-ups are their own records, as comments are.
"""

from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.db import Database
from app.domain.action_items import ItemStatus
from app.domain.events import EventType
from app.models import ActionItem, User
from app.schemas.action_items import ActionItemCreate, ActionItemRead, ActionItemUpdate
from app.services.action_items.views import item_read
from app.services.incidents.guards import ensure_exists
from app.services.incidents.writer import NewEvent, check_owner, record_events
from app.services.records import get_or_404

# The fields an edit may change, in the order an event names them.
FIELDS = ("title", "kind", "owner_id", "due_date", "url", "status")
CLEARABLE = ("owner_id", "due_date", "url")


async def _owner(session: AsyncSession, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    return check_owner(owner_id, await session.get(User, owner_id), field="owner_id")


def item_event(item: ActionItem, change: str, owner: User | None, fields: list[str],
               at: Any = None) -> NewEvent:
    """The timeline's record of a follow-up change (the console and the demo history write the
    same). Its due date is data, not text: each reader shows it in their own way."""
    return NewEvent(item.incident_id, EventType.ACTION_ITEM, f"Follow-up {change}: {item.title}", {
        "action_item_id": item.id, "change": change, "title": item.title, "kind": item.kind,
        "status": item.status, "owner_id": item.owner_id, "owner_name": owner.name if owner else None,
        "due_date": item.due_date.isoformat() if item.due_date else None, "url": item.url,
        "fields": fields}, at)


async def add(db: Database, incident_id: int, body: ActionItemCreate, actor: User) -> ActionItemRead:
    async with db.transaction() as session:
        await ensure_exists(session, incident_id)
        owner = await _owner(session, body.owner_id)
        now = utcnow()
        item = ActionItem(incident_id=incident_id, title=body.title, kind=body.kind.value,
                          owner_id=body.owner_id, due_date=body.due_date, url=body.url,
                          status=ItemStatus.OPEN.value, created_at=now, created_by=actor.id)
        session.add(item)
        await session.flush()
        await record_events(session, [item_event(item, "added", owner, [])], actor, now)
        return await item_read(session, item.id, now.date())


def _changes(item: ActionItem, body: ActionItemUpdate) -> dict[str, Any]:
    sent = body.model_fields_set
    wanted: dict[str, Any] = {}
    for name in FIELDS:
        if name not in sent:
            continue
        value = getattr(body, name)
        if value is None and name not in CLEARABLE:
            continue
        value = value.value if isinstance(value, Enum) else value
        if value != getattr(item, name):
            wanted[name] = value
    return wanted


def _change_kind(changes: dict[str, Any]) -> str:
    if changes.get("status") == ItemStatus.DONE:
        return "completed"
    if changes.get("status") == ItemStatus.OPEN:
        return "reopened"
    return "edited"


async def edit(db: Database, item_id: int, body: ActionItemUpdate, actor: User) -> ActionItemRead:
    """Change what was sent; nothing sent differs -> no event, the item as it is."""
    async with db.transaction() as session:
        item = await get_or_404(session, ActionItem, item_id, "Action item")
        now = utcnow()
        changes = _changes(item, body)
        if not changes:
            return await item_read(session, item_id, now.date())
        if "owner_id" in changes:
            owner = await _owner(session, changes["owner_id"])
        else:  # an owner deactivated since keeps the item: other edits still go through
            owner = await session.get(User, item.owner_id) if item.owner_id is not None else None
        for name, value in changes.items():
            setattr(item, name, value)
        if "status" in changes:
            item.completed_at = now if item.status == ItemStatus.DONE else None
        await session.flush()
        await record_events(session, [item_event(item, _change_kind(changes), owner, list(changes))],
                            actor, now)
        return await item_read(session, item_id, now.date())


def today() -> date:
    """The UTC date: what `overdue` is judged against."""
    return utcnow().date()
