"""Every change /metrics reads is announced with NOTIFY, so each replica can keep its last
answers while nothing they read has changed (services/metrics/answers.py).

Statement-level triggers on `incidents` (the figures) and `services` (the names in the
answer) send one notification per statement, with no payload; PostgreSQL folds the repeats of
one transaction into one and delivers it at commit, to every replica LISTENing. Through the
API or from a SQL console, a bulk load included. PostgreSQL only: SQLite runs in one process,
which learns of changes from the database file's own data version.

Revision ID: 0021_metrics_notify
Revises: 0020_similar_titles
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0021_metrics_notify'
down_revision: str | None = '0020_similar_titles'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "incident_console_metrics"  # services/metrics/answers.py CHANNEL
TABLES = ("incidents", "services")

UPGRADE = [
    f"""CREATE OR REPLACE FUNCTION metrics_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
    *(f"CREATE TRIGGER {t}_metrics_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t} "
      "FOR EACH STATEMENT EXECUTE FUNCTION metrics_notify_change()" for t in TABLES),
]
DOWNGRADE = [
    *(f"DROP TRIGGER IF EXISTS {t}_metrics_notify ON {t}" for t in TABLES),
    "DROP FUNCTION IF EXISTS metrics_notify_change()",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
