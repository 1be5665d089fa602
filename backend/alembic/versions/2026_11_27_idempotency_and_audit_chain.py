"""Idempotency keys, and the timeline's hash chain with an append-only guard.

Existing events are chained in id order per incident. A trigger then refuses UPDATE and
DELETE on incident_events (PostgreSQL: a plpgsql function; SQLite: two RAISE triggers).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 11:05:00.000000
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_GUARD = ["""
CREATE OR REPLACE FUNCTION incident_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'incident_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql""", """
CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION incident_events_append_only()"""]
PG_UNGUARD = ["DROP TRIGGER IF EXISTS incident_events_append_only ON incident_events",
              "DROP FUNCTION IF EXISTS incident_events_append_only()"]
SQLITE_GUARD = [
    "CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events "
    "BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events "
    "BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: DELETE refused'); END",
]
SQLITE_UNGUARD = ["DROP TRIGGER IF EXISTS incident_events_no_update",
                  "DROP TRIGGER IF EXISTS incident_events_no_delete"]


# The chain as this revision defined it (app/domain/audit.py today), frozen here: a migration
# must give the same result however the application's code changes after it.
GENESIS = "0" * 64


def _event_hash(prev_hash: str, *, incident_id: int, type: str, body: str, data: Any,
                created_by: int | None, created_at: datetime) -> str:
    at = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    content = {"incident_id": incident_id, "type": type, "body": body, "data": data,
               "created_by": created_by,
               "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           allow_nan=False).encode()
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical).hexdigest()


def _chain_existing_events() -> None:
    events = sa.table(
        'incident_events', sa.column('id', sa.Integer()), sa.column('incident_id', sa.Integer()),
        sa.column('type', sa.String()), sa.column('body', sa.Text()),
        sa.column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')), sa.column('created_by', sa.Integer()),
        sa.column('created_at', sa.DateTime(timezone=True)), sa.column('prev_hash', sa.String()),
        sa.column('hash', sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(events).order_by(events.c.incident_id, events.c.id)).all()
    heads: dict[int, str] = {}
    for r in rows:
        prev = heads.get(r.incident_id, GENESIS)
        digest = _event_hash(prev, incident_id=r.incident_id, type=r.type, body=r.body,
                             data=r.data, created_by=r.created_by, created_at=r.created_at)
        bind.execute(sa.update(events).where(events.c.id == r.id)
                     .values(prev_hash=prev, hash=digest))
        heads[r.incident_id] = digest


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_idempotency_keys_scope_key'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    _chain_existing_events()
    dialect = op.get_bind().dialect.name
    for statement in PG_GUARD if dialect == 'postgresql' else SQLITE_GUARD if dialect == 'sqlite' else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in PG_UNGUARD if dialect == 'postgresql' else SQLITE_UNGUARD if dialect == 'sqlite' else []:
        op.execute(statement)
    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')

    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))

    op.drop_table('idempotency_keys')
