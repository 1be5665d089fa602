"""Integration keys: per-service secrets for machines, shown once and kept only as a hash,
and telling who sent an alert (a key, or a responder's or admin's own token)."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from app.clock import utcnow
from app.db import Database
from app.domain import roles
from app.errors import Forbidden, NotFound, Unauthenticated
from app.models import IntegrationKey, Service, User
from app.schemas.integration_keys import IntegrationKeyCreate, IntegrationKeyCreated, IntegrationKeyRead
from app.services.records import get_or_404
from app.services.users.accounts import Accounts
from app.services.users.tokens import is_api_token

ALERT_SENDER_ROLES = roles.WORKERS
NO_CREDENTIALS = (
    "Not authenticated: send an integration key as `Authorization: Bearer <key>` "
    "(or PagerDuty's routing_key), or a responder's token"
)


@dataclass(frozen=True)
class AlertSender:
    """Who delivered alerts: an integration key fixes the service; a user names it."""

    user: User | None = None
    service_id: int | None = None
    key_name: str | None = None


def key_hash(key: str) -> str:
    """SHA-256 suffices: keys are 128 random bits, not guessable passwords."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(
    db: Database, service_id: int, body: IntegrationKeyCreate, actor: User
) -> IntegrationKeyCreated:
    key = secrets.token_hex(16)
    async with db.transaction() as session:
        await get_or_404(session, Service, service_id, "Service")
        record = IntegrationKey(service_id=service_id, name=body.name, key_hash=key_hash(key),
                                key_last4=key[-4:], created_at=utcnow(), created_by=actor.id)
        session.add(record)
        await session.flush()
        return IntegrationKeyCreated(id=record.id, name=record.name, key=key,
                                     created_at=record.created_at)


async def list_keys(db: Database, service_id: int) -> list[IntegrationKeyRead]:
    async with db.read() as session:
        await get_or_404(session, Service, service_id, "Service")
        rows = await session.scalars(
            select(IntegrationKey).where(IntegrationKey.service_id == service_id)
            .order_by(IntegrationKey.id)
        )
        return [IntegrationKeyRead.model_validate(k) for k in rows]


async def revoke_key(db: Database, service_id: int, key_id: int) -> None:
    """Idempotent: revoking a revoked key changes nothing."""
    async with db.transaction() as session:
        record = await session.get(IntegrationKey, key_id)
        if record is None or record.service_id != service_id:
            raise NotFound("Integration key", key_id)
        await session.execute(
            update(IntegrationKey)
            .where(IntegrationKey.id == key_id, IntegrationKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


async def identify_sender(
    db: Database, accounts: Accounts, bearer: str | None, routing_key: str | None = None
) -> AlertSender:
    """A user's token (a JWT, so it has dots, or an `icp_` API token) or an integration key
    (hex, no dots)."""
    credential = bearer or routing_key
    if not credential:
        raise Unauthenticated(NO_CREDENTIALS)
    if "." in credential or is_api_token(credential):
        user = await accounts.authenticate(credential)
        if user.role not in ALERT_SENDER_ROLES:
            raise Forbidden(f"Your role ({user.role}) may not send alerts; it needs: "
                            + " or ".join(ALERT_SENDER_ROLES))
        return AlertSender(user=user)
    async with db.read() as session:
        row = (await session.execute(
            select(IntegrationKey.service_id, IntegrationKey.name)
            .where(IntegrationKey.key_hash == key_hash(credential),
                   IntegrationKey.revoked_at.is_(None))
        )).first()
    if row is None:
        raise Unauthenticated("Unknown or revoked integration key")
    return AlertSender(service_id=row.service_id, key_name=row.name)
