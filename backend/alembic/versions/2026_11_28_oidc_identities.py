"""Single sign-on: user_identities links a person's (issuer, subject) at an OpenID Connect
provider to their user, unique per provider; sign_in_codes holds the digest of each
single-use code the browser trades for its console token after signing in there.

Revision ID: 0016_oidc
Revises: 0016_timeline_stars
Create Date: 2026-11-28 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016_oidc'
down_revision: str | None = '0016_timeline_stars'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'user_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_user_identities_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_identities')),
        sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_user_identities_issuer_subject')),
    )
    op.create_index(op.f('ix_user_identities_user_id'), 'user_identities', ['user_id'])
    op.create_table(
        'sign_in_codes',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_version', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_sign_in_codes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_sign_in_codes')),
    )
    op.create_index(op.f('ix_sign_in_codes_expires_at'), 'sign_in_codes', ['expires_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_in_codes_expires_at'), table_name='sign_in_codes')
    op.drop_table('sign_in_codes')
    op.drop_index(op.f('ix_user_identities_user_id'), table_name='user_identities')
    op.drop_table('user_identities')
