"""Alert identity per service: the unique key becomes (source, fingerprint, service_id).

Before, (source, fingerprint) was unique across services, so one service's integration key
could acknowledge, resolve or overwrite another service's alert, and two services sending the
same fingerprint shared one alert and one incident.

Going down, alerts that share (source, fingerprint) across services must become unique again:
every one but the oldest gets `@service-<id>` appended to its fingerprint (kept within 255
characters), so no alert is lost.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = 'uq_alerts_source_fingerprint'
NEW = 'uq_alerts_source_fingerprint_service_id'


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint(OLD, type_='unique')
        batch_op.create_unique_constraint(NEW, ['source', 'fingerprint', 'service_id'])


def downgrade() -> None:
    op.execute(sa.text(
        "UPDATE alerts SET fingerprint = substr(fingerprint, 1, 255 - length('@service-' || service_id))"
        " || '@service-' || service_id"
        " WHERE EXISTS (SELECT 1 FROM alerts AS older WHERE older.source = alerts.source"
        " AND older.fingerprint = alerts.fingerprint AND older.id < alerts.id)"))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint(NEW, type_='unique')
        batch_op.create_unique_constraint(OLD, ['source', 'fingerprint'])
