"""The timeline's checkpoint on each incident, the incident's state in its events' hashes,
and single-use live-stream tickets.

incidents gets chain_head, event_count and chain_mac (filled here from the existing events;
chain_mac stays NULL: the key lives outside the database). incident_events gets state_hash
(NULL on existing events: their hashes keep the format they were made with). stream_tickets
holds a digest of each ticket the console trades its token for.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Revision 0003's append-only guard: SQLite drops a table's triggers when batch mode rebuilds
# the table, so a downgrade that rebuilds incident_events puts them back.
SQLITE_GUARD = [
    "CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events "
    "BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events "
    "BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: DELETE refused'); END",
]
SQLITE_UNGUARD = ["DROP TRIGGER IF EXISTS incident_events_no_update",
                  "DROP TRIGGER IF EXISTS incident_events_no_delete"]

BACKFILL = """
UPDATE incidents SET
    event_count = (SELECT count(*) FROM incident_events e WHERE e.incident_id = incidents.id),
    chain_head = (SELECT e.hash FROM incident_events e WHERE e.incident_id = incidents.id
                  ORDER BY e.id DESC LIMIT 1)
"""


def upgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('chain_head', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('event_count', sa.Integer(), nullable=False,
                                   server_default=sa.text('0')))
        batch.add_column(sa.Column('chain_mac', sa.String(length=64), nullable=True))
    with op.batch_alter_table('incident_events') as batch:
        batch.add_column(sa.Column('state_hash', sa.String(length=64), nullable=True))
    op.execute(BACKFILL)
    op.create_table(
        'stream_tickets',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_version', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stream_tickets_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_stream_tickets')),
    )
    with op.batch_alter_table('stream_tickets') as batch:
        batch.create_index(batch.f('ix_stream_tickets_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stream_tickets') as batch:
        batch.drop_index(batch.f('ix_stream_tickets_expires_at'))
    op.drop_table('stream_tickets')
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        for statement in SQLITE_UNGUARD:
            op.execute(statement)
    with op.batch_alter_table('incident_events') as batch:
        batch.drop_column('state_hash')
    if sqlite:
        for statement in SQLITE_GUARD:
            op.execute(statement)
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('chain_mac')
        batch.drop_column('event_count')
        batch.drop_column('chain_head')
