"""Incidents get `impact`: the customer-impact statement, editable in triage and found by `q`.

Where PostgreSQL has the trigram index of free-text search (revision 0009), it is rebuilt to
cover `impact` too, so a search over three columns stays an index lookup.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEARCH_INDEX = "ix_incidents_search_trgm"


def _search_index(columns: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.execute(sa.text("SELECT to_regclass(:n)"), {"n": SEARCH_INDEX}).scalar() is None:
        return  # no pg_trgm here (see 0009): search stays as it was
    op.execute(f"DROP INDEX {SEARCH_INDEX}")
    op.execute(f"CREATE INDEX {SEARCH_INDEX} ON incidents USING gin ({columns})")


def upgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('impact', sa.Text(), nullable=False, server_default=''))
    _search_index("title gin_trgm_ops, description gin_trgm_ops, impact gin_trgm_ops")


def downgrade() -> None:
    _search_index("title gin_trgm_ops, description gin_trgm_ops")
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('impact')
