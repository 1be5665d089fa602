"""API tokens for automation, and timeline events that name the token that wrote them.

`api_tokens` keeps a keyed hash of each token (HMAC-SHA256, services/users/tokens.py), never
the token. `incident_events.created_by_token_id` names the token behind an event ("by token
'deploy-bot' of Avery"); `stream_tickets.token_id` the token a stream ticket was asked with.
On PostgreSQL a trigger announces a revoked, re-roled or deleted token on the users channel
of revision 0006 with its user's id, so every replica drops that user's cached tokens at once.

Revision ID: 0016_people_tokens
Revises: 0016_oidc
Create Date: 2026-11-28 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_people_tokens'
down_revision: str | None = '0016_oidc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "incident_console_users"  # infra/live.py USERS_CHANNEL, as in revision 0006

PG_NOTIFY = [
    f"""CREATE OR REPLACE FUNCTION api_tokens_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', OLD.user_id::text);
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
    # Not on last_used_at: that moves once a minute per token and changes no right.
    "CREATE TRIGGER api_tokens_notify_change AFTER UPDATE OF revoked_at, role, expires_at, "
    "user_id OR DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION api_tokens_notify_change()",
]
PG_UNNOTIFY = [
    "DROP TRIGGER IF EXISTS api_tokens_notify_change ON api_tokens",
    "DROP FUNCTION IF EXISTS api_tokens_notify_change()",
]
# Revision 0003's append-only guard: SQLite drops a table's triggers when batch mode rebuilds
# the table (adding a foreign key does), so they are put back after each rebuild.
SQLITE_GUARD = [
    "CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events "
    "BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events "
    "BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: DELETE refused'); END",
]
SQLITE_UNGUARD = ["DROP TRIGGER IF EXISTS incident_events_no_update",
                  "DROP TRIGGER IF EXISTS incident_events_no_delete"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens') as batch:
        batch.create_index(batch.f('ix_api_tokens_user_id'), ['user_id'], unique=False)
    if dialect == 'sqlite':
        for statement in SQLITE_UNGUARD:
            op.execute(statement)
    with op.batch_alter_table('incident_events') as batch:
        batch.add_column(sa.Column('created_by_token_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_incident_events_created_by_token_id_api_tokens'),
                                 'api_tokens', ['created_by_token_id'], ['id'])
    if dialect == 'sqlite':
        for statement in SQLITE_GUARD:
            op.execute(statement)
    with op.batch_alter_table('stream_tickets') as batch:
        batch.add_column(sa.Column('token_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_stream_tickets_token_id_api_tokens'),
                                 'api_tokens', ['token_id'], ['id'], ondelete='CASCADE')
    if dialect == 'postgresql':
        for statement in PG_NOTIFY:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for statement in PG_UNNOTIFY:
            op.execute(statement)
    with op.batch_alter_table('stream_tickets') as batch:
        batch.drop_constraint(batch.f('fk_stream_tickets_token_id_api_tokens'), type_='foreignkey')
        batch.drop_column('token_id')
    if dialect == 'sqlite':
        for statement in SQLITE_UNGUARD:
            op.execute(statement)
    with op.batch_alter_table('incident_events') as batch:
        batch.drop_constraint(batch.f('fk_incident_events_created_by_token_id_api_tokens'),
                              type_='foreignkey')
        batch.drop_column('created_by_token_id')
    if dialect == 'sqlite':
        for statement in SQLITE_GUARD:
            op.execute(statement)
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_index(batch.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
