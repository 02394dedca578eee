"""pledges: partial pledges on money and goods needs, and the live pledged sum on the need

Existing needs get a pledged sum of 0 through server_default, so the NOT NULL columns need no backfill.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 23:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.* without importing it)
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pledged_fen', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pledged_quantity', sa.Integer(), server_default='0', nullable=False))

    op.create_table('pledge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('pledger_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('pledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entry.id'], name=op.f('fk_pledge_ledger_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_pledge_need_id_need')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_pledge_organization_id_organization')),
    sa.ForeignKeyConstraint(['pledger_id'], ['app_user.id'], name=op.f('fk_pledge_pledger_id_app_user')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['app_user.id'], name=op.f('fk_pledge_reviewed_by_id_app_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['app_user.id'], name=op.f('fk_pledge_submitted_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge'))
    )
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledge_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledge_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pledge_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledge_status'))
        batch_op.drop_index(batch_op.f('ix_pledge_organization_id'))
        batch_op.drop_index(batch_op.f('ix_pledge_need_id'))

    op.drop_table('pledge')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('pledged_quantity')
        batch_op.drop_column('pledged_fen')
