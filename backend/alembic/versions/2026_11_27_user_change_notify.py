"""Every change to a user is announced with NOTIFY, so each replica can keep the users behind
verified tokens in memory and drop one the moment it is disabled, deleted or re-keyed
(services/callers.py). PostgreSQL only: SQLite runs in one process and reads the row.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 13:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "incident_console_users"  # services/live.py USERS_CHANNEL

UPGRADE = [
    f"""CREATE OR REPLACE FUNCTION users_notify_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('{CHANNEL}', '*');
    ELSE
        PERFORM pg_notify('{CHANNEL}', OLD.id::text);
        IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
            PERFORM pg_notify('{CHANNEL}', NEW.id::text);
        END IF;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER users_notify_change AFTER UPDATE OR DELETE ON users "
    "FOR EACH ROW EXECUTE FUNCTION users_notify_change()",
    "CREATE TRIGGER users_notify_truncate AFTER TRUNCATE ON users "
    "FOR EACH STATEMENT EXECUTE FUNCTION users_notify_change()",
]
DOWNGRADE = [
    "DROP TRIGGER IF EXISTS users_notify_truncate ON users",
    "DROP TRIGGER IF EXISTS users_notify_change ON users",
    "DROP FUNCTION IF EXISTS users_notify_change()",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
