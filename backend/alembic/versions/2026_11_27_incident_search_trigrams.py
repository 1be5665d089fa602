"""Free-text search by trigrams on PostgreSQL: a rare word no longer reads every incident.

`q` is an ILIKE '%term%' over title and description. A common term is found from the newest
end of the created_at index in a millisecond; a rare one read the whole table (1.8 s at a
million incidents for a word nobody wrote). A GIN index of trigrams (pg_trgm, a trusted
extension shipped with PostgreSQL) answers ILIKE for terms of three characters or more:
1.5 ms for that same search. Where the extension cannot be created (not installed, or no
right to), the migration leaves search as it was and says so; SQLite has no such index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 15:00:00.000000
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_incidents_search_trgm"  # models/base.py OUTSIDE_MODELS
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        log.warning("pg_trgm unavailable (%s): free-text search stays a table scan",
                    str(exc).splitlines()[0])
        return
    savepoint.commit()
    bind.execute(sa.text(f"CREATE INDEX {NAME} ON incidents "
                         "USING gin (title gin_trgm_ops, description gin_trgm_ops)"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {NAME}")
