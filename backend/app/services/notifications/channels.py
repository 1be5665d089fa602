"""Notification channels: create, list, change and delete them, with the URL and the signing
secret encrypted at rest.

Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from NOTIFICATION_KEY, or from
JWT_SECRET when that is unset. A Slack or Teams URL is a credential (whoever has it can post),
so answers show only its scheme and host; a webhook's URL is shown whole; a secret never.
"""

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.config import Settings
from app.db import Database
from app.errors import Conflict, DuplicateName, NotFound, Unprocessable
from app.models import NotificationChannel, Service
from app.schemas.notifications import (
    NotificationChannelCreate,
    NotificationChannelRead,
    NotificationChannelUpdate,
)
from app.services import catalog
from app.services.notifications.outbox import channels_changed
from app.services.notifications.urls import check_channel_url, display_host
from app.services.records import get_or_404

HIDDEN_URL_KINDS = ("slack", "teams")


class Vault:
    """Encrypts and decrypts channel URLs and secrets."""

    def __init__(self, settings: Settings) -> None:
        source = settings.notification_key or f"notification-key:{settings.jwt_secret}"
        key = base64.urlsafe_b64encode(hashlib.sha256(source.encode()).digest())
        self._fernet = Fernet(key)

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str) -> str:
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise RuntimeError("a channel's URL or secret cannot be decrypted: was "
                               "NOTIFICATION_KEY (or JWT_SECRET) changed?") from None


def channel_read(channel: NotificationChannel, vault: Vault) -> NotificationChannelRead:
    shown = (f"{channel.url_host}/…" if channel.kind in HIDDEN_URL_KINDS
             else vault.open(channel.url))
    return NotificationChannelRead(
        id=channel.id, name=channel.name, kind=channel.kind,  # type: ignore[arg-type]
        url=shown, events=channel.events, min_severity=channel.min_severity,  # type: ignore[arg-type]
        service_ids=channel.service_ids, has_secret=channel.secret is not None,
        failing_since=channel.failing_since, paused_until=channel.paused_until,
        created_at=channel.created_at)


async def _check_services(session: AsyncSession, service_ids: list[int]) -> None:
    if not service_ids:
        return
    found = set((await session.scalars(select(Service.id).where(Service.id.in_(service_ids)))).all())
    for ident in service_ids:
        if ident not in found:
            raise Unprocessable(f"service_ids: service {ident} is not a known service",
                                field="service_ids")


class Channels:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings, self.vault = db, settings, Vault(settings)

    async def list(self) -> list[NotificationChannelRead]:
        async with self.db.read() as session:
            rows = await session.scalars(select(NotificationChannel).order_by(
                func.lower(NotificationChannel.name), NotificationChannel.id))
            return [channel_read(c, self.vault) for c in rows]

    async def get(self, channel_id: int) -> NotificationChannelRead:
        async with self.db.read() as session:
            return channel_read(await get_or_404(session, NotificationChannel, channel_id, "Channel"),
                                self.vault)

    async def create(self, body: NotificationChannelCreate) -> NotificationChannelRead:
        await check_channel_url(body.url, self.settings)
        now = utcnow()
        try:
            async with self.db.transaction() as session:
                await _check_services(session, body.service_ids)
                channel = NotificationChannel(
                    name=body.name, kind=body.kind, url=self.vault.seal(body.url),
                    url_host=display_host(body.url),
                    secret=self.vault.seal(body.secret) if body.secret else None,
                    events=list(dict.fromkeys(body.events)),
                    min_severity=body.min_severity.value if body.min_severity else None,
                    service_ids=list(dict.fromkeys(body.service_ids)),
                    consecutive_failures=0, created_at=now, updated_at=now)
                session.add(channel)
                await session.flush()
                await channels_changed(session)
                return channel_read(channel, self.vault)
        except IntegrityError:
            raise DuplicateName(f"A channel named '{body.name}' already exists", field="name")

    async def update(self, channel_id: int, body: NotificationChannelUpdate) -> NotificationChannelRead:
        given = body.model_fields_set
        if "url" in given and body.url is not None:
            await check_channel_url(body.url, self.settings)
        for name in ("name", "url", "events", "service_ids"):
            if name in given and getattr(body, name) is None:
                raise Unprocessable(f"{name} may not be null", field=name)
        try:
            async with self.db.transaction() as session:
                channel = await get_or_404(session, NotificationChannel, channel_id, "Channel")
                changes: dict[str, Any] = {}
                if body.name is not None:
                    changes["name"] = body.name
                if body.url is not None:
                    changes.update(url=self.vault.seal(body.url), url_host=display_host(body.url),
                                   failing_since=None, consecutive_failures=0, paused_until=None)
                if "secret" in given:
                    changes["secret"] = self.vault.seal(body.secret) if body.secret else None
                if body.events is not None:
                    changes["events"] = list(dict.fromkeys(body.events))
                if "min_severity" in given:
                    changes["min_severity"] = body.min_severity.value if body.min_severity else None
                if body.service_ids is not None:
                    await _check_services(session, body.service_ids)
                    changes["service_ids"] = list(dict.fromkeys(body.service_ids))
                for name, value in changes.items():
                    setattr(channel, name, value)
                channel.updated_at = utcnow()
                await session.flush()
                await channels_changed(session)
                return channel_read(channel, self.vault)
        except IntegrityError:
            raise DuplicateName(f"A channel named '{body.name}' already exists", field="name")

    async def delete(self, channel_id: int) -> None:
        """Refused (409) while an escalation policy names the channel: a policy step must
        not lose its audience silently. The row lock orders this against a policy change."""
        async with self.db.transaction() as session:
            channel = await session.scalar(select(NotificationChannel)
                                           .where(NotificationChannel.id == channel_id).with_for_update())
            if channel is None:
                raise NotFound("Channel", channel_id)
            if used_by := await catalog.services_escalating_to(session, channel_id):
                raise Conflict(f"This channel is a step of the escalation policy of "
                               f"{', '.join(used_by)}: take it out there first")
            await session.delete(channel)
            await session.flush()
            await channels_changed(session)
