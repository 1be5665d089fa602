"""Follow-ups (action items): on an incident, and across incidents ("My follow-ups")."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.deps import DB, AnyUser, Responder
from app.domain.action_items import ItemStatus
from app.infra.idempotency import IDEMPOTENT
from app.schemas.action_items import ActionItemCreate, ActionItemPage, ActionItemRead, ActionItemUpdate
from app.schemas.common import IdParam, error_responses
from app.services.action_items import follow_ups, views

router = APIRouter(tags=["action items"])


@router.post("/incidents/{incident_id}/action-items", status_code=201, response_model=ActionItemRead,
             responses=error_responses(401, 403, 404, 422), openapi_extra=IDEMPOTENT)
async def add_action_item(db: DB, user: Responder, incident_id: IdParam,
                          body: ActionItemCreate) -> ActionItemRead:
    """Add a follow-up (an `action_item` timeline event). A Closed incident still takes them."""
    return await follow_ups.add(db, incident_id, body, user)


@router.get("/incidents/{incident_id}/action-items", response_model=list[ActionItemRead],
            responses=error_responses(401, 404, 422))
async def incident_action_items(db: DB, _: AnyUser, incident_id: IdParam) -> list[ActionItemRead]:
    """The incident's follow-ups, in the order they were added."""
    return await views.of_incident(db, incident_id, follow_ups.today())


@router.patch("/action-items/{item_id}", response_model=ActionItemRead,
              responses=error_responses(401, 403, 404, 422))
async def edit_action_item(db: DB, user: Responder, item_id: IdParam,
                           body: ActionItemUpdate) -> ActionItemRead:
    """Edit, complete (`status: done`) or reopen a follow-up; a change is an `action_item`
    timeline event on its incident, sending nothing new is no change and no event."""
    return await follow_ups.edit(db, item_id, body, user)


@router.get("/action-items", response_model=ActionItemPage, responses=error_responses(401, 422))
async def list_action_items(
    db: DB, user: AnyUser,
    status: Annotated[ItemStatus | None, Query()] = None,
    owner_id: Annotated[IdParam | Literal["me"] | None, Query(
        description="A user id, or `me` (the caller)")] = None,
    overdue: Annotated[bool, Query(description="Only open follow-ups past their due date")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
) -> ActionItemPage:
    """Follow-ups across incidents, earliest due date first (so the overdue ones lead), those
    without a due date last. "My follow-ups": `owner_id=me&status=open`."""
    f = views.FollowUpFilter(status=status, owner_id=user.id if owner_id == "me" else owner_id,
                             overdue=overdue)
    return await views.listing(db, f, limit, cursor, follow_ups.today())
