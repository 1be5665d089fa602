"""Similar past incidents: an index over incident titles by trigrams, on both databases.

PostgreSQL: a GiST trigram index on `lower(title)` (pg_trgm; trigrams are lower-case anyway),
which answers "the titles nearest this one" (`lower(title) % :t ORDER BY lower(title) <-> :t`,
the threshold SET LOCAL per query) as an index scan.
The extension is created if it is missing: a superuser can, and on managed PostgreSQL (RDS,
Cloud SQL, Azure) pg_trgm is on the allow list and a database owner may create it (it is a
trusted extension since PostgreSQL 13); elsewhere run `CREATE EXTENSION pg_trgm` once as an
administrator before migrating. Only the title is indexed: a GiST index over title,
description and impact together took 0.9-1.7 s per lookup at a million incidents, because the
text every incident shares (the words of alert descriptions) fills the index's signatures.

SQLite: an FTS5 table of titles with the trigram tokenizer (SQLite 3.34 or later; older ones
get the unicode61 word tokenizer), external content over `incidents`, kept in step by
triggers, so every writer (the app's, the demo history's direct updates, a bulk load) lands
in it. A migration that later rebuilds `incidents` on SQLite (batch mode's copy-and-rename)
drops these triggers and must create them again.

Revision ID: 0018_similar
Revises: 0017_escalation
Create Date: 2026-11-28 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_similar'
down_revision: str | None = '0018_calendars_pause'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_incidents_title_trgm"  # models/base.py OUTSIDE_MODELS
FTS = "incident_titles_fts"  # models/base.py OUTSIDE_MODELS (and its shadow tables)
TRIGGERS = {
    "incident_titles_ai": f"AFTER INSERT ON incidents BEGIN "
                          f"INSERT INTO {FTS}(rowid, title) VALUES (new.id, new.title); END",
    "incident_titles_ad": f"AFTER DELETE ON incidents BEGIN "
                          f"INSERT INTO {FTS}({FTS}, rowid, title) VALUES ('delete', old.id, old.title); END",
    "incident_titles_au": f"AFTER UPDATE OF title ON incidents BEGIN "
                          f"INSERT INTO {FTS}({FTS}, rowid, title) VALUES ('delete', old.id, old.title); "
                          f"INSERT INTO {FTS}(rowid, title) VALUES (new.id, new.title); END",
}


def _tokenizer(bind: sa.engine.Connection) -> str:
    version = bind.execute(sa.text("SELECT sqlite_version()")).scalar_one()
    return "trigram" if tuple(int(p) for p in str(version).split(".")[:2]) >= (3, 34) else "unicode61"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # On lower(title), which only this index holds: on plain `title` the planner may pick
        # free-text search's GIN index (0009) for `%` instead, 2.5 s at a million incidents.
        op.execute(f"CREATE INDEX {INDEX} ON incidents USING gist ((lower(title)) gist_trgm_ops)")
        return
    op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, content='incidents', "
               f"content_rowid='id', tokenize='{_tokenizer(bind)}')")
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {FTS}")
