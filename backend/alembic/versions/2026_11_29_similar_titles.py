"""Similar past incidents found through the distinct titles, not through every incident.

Incidents repeat their titles (an alert rule opens the same title again and again: the
benchmark's million incidents have 144), so "the titles nearest this one" is asked of a small
table of distinct lower-cased titles (`similar_titles`), and then, per title found, the most
recent earlier incidents with it are read from a B-tree on (lower(title), created_at). At a
million incidents the trigram walk over every incident's title (0018_similar) took 35-160 ms
under load; over the distinct titles it reads a few dozen entries.

- PostgreSQL: a GiST trigram index on `similar_titles.title_key`; a statement-level trigger
  adds the new titles of each INSERT (a batch of a thousand alerts: one statement), a row
  trigger those of a title edit. Concurrent writers of the same new title wait for each other
  only until the first commits (ON CONFLICT DO NOTHING), and titles go in sorted, so two
  batches cannot deadlock.
- SQLite: an FTS5 trigram table over `similar_titles`, kept by triggers; the FTS5 table over
  every incident's title (0018_similar) and its triggers are dropped: SQLite is the
  one-process laptop case, with no rolling upgrade to keep the previous code running.
- PostgreSQL's GiST index over every incident's title (0018_similar) is dropped too: no
  statement of this code reads it, and every incident UPDATE paid for it (an UPDATE that
  moves the status adds an entry to every index, and a trigram GiST entry is among the
  dearest). Only a lookup, never a write, of a previous release still running during a
  rolling upgrade reads it: that lookup works without it, slowly, until the rollout ends.
- A migration that later rebuilds `incidents` on SQLite (batch mode's copy-and-rename) drops
  the triggers on it and must create them again.

Titles are never removed from `similar_titles` (an edited title's old key finds no earlier
incident with it, and costs one index entry).

Revision ID: 0020_similar_titles
Revises: 0019_metric_rollups
Create Date: 2026-11-29 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020_similar_titles'
down_revision: str | None = '0019_metric_rollups'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "similar_titles"
BY_TITLE = "ix_incidents_title_created"  # models/base.py OUTSIDE_MODELS
KEY_TRGM = "ix_similar_titles_trgm"  # models/base.py OUTSIDE_MODELS
FTS = "similar_titles_fts"  # models/base.py OUTSIDE_MODELS_TABLES
OLD_FTS = "incident_titles_fts"
OLD_TRGM = "ix_incidents_title_trgm"  # 0018_similar's, on PostgreSQL
OLD_TRIGGERS = ("incident_titles_ai", "incident_titles_ad", "incident_titles_au")

PG_FUNCTIONS = {
    "similar_titles_inserted": f"""
        BEGIN
          INSERT INTO {TABLE} (title_key)
          SELECT DISTINCT lower(title) FROM new_rows ORDER BY 1 ON CONFLICT DO NOTHING;
          RETURN NULL;
        END""",
    "similar_titles_retitled": f"""
        BEGIN
          INSERT INTO {TABLE} (title_key) VALUES (lower(NEW.title)) ON CONFLICT DO NOTHING;
          RETURN NULL;
        END""",
}
PG_TRIGGERS = {
    "similar_titles_ai": "AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows "
                         "FOR EACH STATEMENT EXECUTE FUNCTION similar_titles_inserted()",
    "similar_titles_au": "AFTER UPDATE OF title ON incidents FOR EACH ROW "
                         "WHEN (OLD.title IS DISTINCT FROM NEW.title) "
                         "EXECUTE FUNCTION similar_titles_retitled()",
}
SQLITE_TRIGGERS = {
    "similar_titles_ai": f"AFTER INSERT ON incidents BEGIN "
                         f"INSERT OR IGNORE INTO {TABLE}(title_key) VALUES (lower(new.title)); END",
    "similar_titles_au": f"AFTER UPDATE OF title ON incidents BEGIN "
                         f"INSERT OR IGNORE INTO {TABLE}(title_key) VALUES (lower(new.title)); END",
    "similar_titles_fts_ai": f"AFTER INSERT ON {TABLE} BEGIN "
                             f"INSERT INTO {FTS}(rowid, title_key) VALUES (new.rowid, new.title_key); END",
}


def _tokenizer(bind: sa.engine.Connection) -> str:
    version = bind.execute(sa.text("SELECT sqlite_version()")).scalar_one()
    return "trigram" if tuple(int(p) for p in str(version).split(".")[:2]) >= (3, 34) else "unicode61"


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(TABLE, sa.Column("title_key", sa.String(200), primary_key=True))
    op.execute(f"INSERT INTO {TABLE} (title_key) SELECT DISTINCT lower(title) FROM incidents")
    op.execute(f"CREATE INDEX {BY_TITLE} ON incidents (lower(title), created_at)")
    if bind.dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {KEY_TRGM} ON {TABLE} USING gist (title_key gist_trgm_ops)")
        op.execute(f"DROP INDEX IF EXISTS {OLD_TRGM}")
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        for name, body in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    for name in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {OLD_FTS}")
    op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(title_key, content='{TABLE}', "
               f"content_rowid='rowid', tokenize='{_tokenizer(bind)}')")
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON incidents")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute(f"CREATE INDEX {OLD_TRGM} ON incidents USING gist ((lower(title)) gist_trgm_ops)")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
        # 0018_similar's index of every title, as it was
        op.execute(f"CREATE VIRTUAL TABLE {OLD_FTS} USING fts5(title, content='incidents', "
                   f"content_rowid='id', tokenize='{_tokenizer(bind)}')")
        op.execute(f"INSERT INTO {OLD_FTS}({OLD_FTS}) VALUES ('rebuild')")
        op.execute(f"CREATE TRIGGER {OLD_TRIGGERS[0]} AFTER INSERT ON incidents BEGIN "
                   f"INSERT INTO {OLD_FTS}(rowid, title) VALUES (new.id, new.title); END")
        op.execute(f"CREATE TRIGGER {OLD_TRIGGERS[1]} AFTER DELETE ON incidents BEGIN "
                   f"INSERT INTO {OLD_FTS}({OLD_FTS}, rowid, title) VALUES ('delete', old.id, old.title); END")
        op.execute(f"CREATE TRIGGER {OLD_TRIGGERS[2]} AFTER UPDATE OF title ON incidents BEGIN "
                   f"INSERT INTO {OLD_FTS}({OLD_FTS}, rowid, title) VALUES ('delete', old.id, old.title); "
                   f"INSERT INTO {OLD_FTS}(rowid, title) VALUES (new.id, new.title); END")
    op.execute(f"DROP INDEX IF EXISTS {BY_TITLE}")
    op.drop_table(TABLE)
