"""Who is calling, as a stable name: the scope of an Idempotency-Key (infra/idempotency.py).

A user's every token names the same principal (`user:<id>`), so a fresh sign-in replays what
the old token created; an API token names itself (`token:<id>`: it may hold fewer rights than
its user, so it never replays what the person or another token created, nor they its
answers); an integration key names itself (`key:<id>`), whether it came as
`Authorization: Bearer <key>` or as PagerDuty's `routing_key` in the body, so two senders
never share a scope. A credential that does not authenticate names nobody (None).
"""

import orjson
from sqlalchemy import select

from app.db import Database
from app.errors import Unauthenticated
from app.models import IntegrationKey
from app.services.alerts.integration_keys import key_hash
from app.services.users.accounts import Accounts
from app.services.users.tokens import is_api_token


def bearer_token(authorization: str | None) -> str | None:
    """The credential of `Authorization: Bearer <token>`; the scheme is case-insensitive."""
    scheme, _, credential = (authorization or "").strip().partition(" ")
    credential = credential.strip()
    return credential if scheme.lower() == "bearer" and credential else None


def routing_key(body: bytes) -> str | None:
    """PagerDuty's `routing_key`, for senders that authenticate in the body."""
    if b"routing_key" not in body:
        return None
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    found = parsed.get("routing_key") if isinstance(parsed, dict) else None
    return found if isinstance(found, str) and found else None


class Principals:
    def __init__(self, db: Database, accounts: Accounts) -> None:
        self.db, self.accounts = db, accounts

    async def __call__(self, authorization: str | None, body: bytes) -> str | None:
        credential = bearer_token(authorization) or routing_key(body)  # as the intake reads them
        if credential is None:
            return None
        if is_api_token(credential):
            try:
                caller = await self.accounts.authenticate(credential)
            except Unauthenticated:
                return None
            return f"token:{caller.via_token.id}" if caller.via_token else None
        if "." in credential:  # a user's token (a JWT); integration keys are hex
            try:
                user = await self.accounts.authenticate(credential)
            except Unauthenticated:
                return None
            return f"user:{user.id}"
        async with self.db.read() as session:
            key_id = await session.scalar(
                select(IntegrationKey.id).where(IntegrationKey.key_hash == key_hash(credential),
                                                IntegrationKey.revoked_at.is_(None)))
        return None if key_id is None else f"key:{key_id}"
