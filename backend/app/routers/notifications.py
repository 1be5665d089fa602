"""Notification channels (webhook, Slack, Teams), their deliveries, a test and a retry: admins only."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.deps import DB, Admin
from app.infra.idempotency import IDEMPOTENT
from app.schemas.common import IdParam, error_responses
from app.schemas.notifications import (
    DeliveryPage,
    DeliveryRead,
    NotificationChannelCreate,
    NotificationChannelRead,
    NotificationChannelUpdate,
)
from app.services.notifications import deliveries
from app.services.notifications.channels import Channels

router = APIRouter(tags=["notifications"])


async def get_channels(request: Request) -> Channels:
    channels: Channels = request.app.state.channels
    return channels


Chans = Annotated[Channels, Depends(get_channels)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=36, pattern="^[0-9a-f-]+$")]


@router.get("/notification-channels", response_model=list[NotificationChannelRead],
            responses=error_responses(401, 403))
async def list_channels(_: Admin, channels: Chans) -> list[NotificationChannelRead]:
    return await channels.list()


@router.post("/notification-channels", status_code=201, response_model=NotificationChannelRead,
             openapi_extra=IDEMPOTENT, responses=error_responses(401, 403, 409, 422))
async def create_channel(_: Admin, body: NotificationChannelCreate,
                         channels: Chans) -> NotificationChannelRead:
    """Add a channel. Its secret is never shown again; a Slack or Teams URL is shown only as
    its host. A URL reaching a loopback, link-local or cloud metadata address is refused
    outside development (422 naming `url`) unless NOTIFICATION_ALLOWED_NETWORKS allows it."""
    return await channels.create(body)


@router.get("/notification-channels/{channel_id}", response_model=NotificationChannelRead,
            responses=error_responses(401, 403, 404, 422))
async def get_channel(_: Admin, channel_id: IdParam, channels: Chans) -> NotificationChannelRead:
    return await channels.get(channel_id)


@router.patch("/notification-channels/{channel_id}", response_model=NotificationChannelRead,
              responses=error_responses(401, 403, 404, 409, 422))
async def update_channel(_: Admin, channel_id: IdParam, body: NotificationChannelUpdate,
                         channels: Chans) -> NotificationChannelRead:
    """Change what is given; `secret: null` removes the secret. A new URL ends any rest the
    channel was taking after failures."""
    return await channels.update(channel_id, body)


@router.delete("/notification-channels/{channel_id}", status_code=204, response_class=Response,
               responses=error_responses(401, 403, 404, 409, 422))
async def delete_channel(_: Admin, channel_id: IdParam, channels: Chans) -> Response:
    """The channel and its deliveries (pending ones are not sent). Refused (409) while a
    service's escalation policy names it."""
    await channels.delete(channel_id)
    return Response(status_code=204)


@router.post("/notification-channels/{channel_id}/test", status_code=202, response_model=DeliveryRead,
             openapi_extra=IDEMPOTENT, responses=error_responses(401, 403, 404, 422))
async def test_channel(_: Admin, db: DB, channel_id: IdParam) -> DeliveryRead:
    """Send a `test` notification (no incident) through the outbox; follow its outcome in
    the channel's deliveries."""
    return await deliveries.send_test(db, channel_id)


@router.get("/notification-channels/{channel_id}/deliveries", response_model=DeliveryPage,
            responses=error_responses(401, 403, 404, 422))
async def list_deliveries(
    _: Admin, db: DB, channel_id: IdParam,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """Newest first. Delivered ones are kept NOTIFICATION_RETENTION_DAYS (30), failed ones
    until retried."""
    return await deliveries.page(db, channel_id, cursor, limit)


@router.post("/notification-channels/{channel_id}/deliveries/{delivery_id}/retry",
             response_model=DeliveryRead, openapi_extra=IDEMPOTENT,
             responses=error_responses(401, 403, 404, 409, 422))
async def retry_delivery(_: Admin, db: DB, channel_id: IdParam,
                         delivery_id: DeliveryId) -> DeliveryRead:
    """Try a failed (or still pending) delivery again now, same id and body, with a fresh
    set of attempts; 409 if it was delivered."""
    return await deliveries.retry(db, channel_id, delivery_id)
