"""notification subscriptions and locale

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 23:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.* without importing it)
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'notification_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest_enabled', sa.Boolean(), nullable=False),
        sa.Column('categories', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('regions', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('reminders_enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_notification_subscription_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_subscription')),
        sa.UniqueConstraint('user_id', name=op.f('uq_notification_subscription_user_id')),
    )
    # Existing accounts read mail in Chinese, as they always have: server_default fills the column.
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8),
                                      server_default='zh_CN', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('locale')
    op.drop_table('notification_subscription')
