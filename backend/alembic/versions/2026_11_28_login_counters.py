"""Sign-in throttle counters in the database, so every replica counts the same failures.

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_at', sa.Float(), server_default='0', nullable=False),
        sa.Column('ticket', sa.Float(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_counters')),
    )
    op.create_index(op.f('ix_login_counters_last_at'), 'login_counters', ['last_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_login_counters_last_at'), table_name='login_counters')
    op.drop_table('login_counters')
