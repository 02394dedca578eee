"""claim transfers and quota

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 23:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.* without importing it)
from alembic import op  # noqa: F401


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claim_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('from_organization_id', sa.Integer(), nullable=True),
    sa.Column('to_organization_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_claim_transfer_claim_id_claim')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_claim_transfer_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['from_organization_id'], ['organization.id'], name=op.f('fk_claim_transfer_from_organization_id_organization')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'], name=op.f('fk_claim_transfer_requested_by_id_app_user')),
    sa.ForeignKeyConstraint(['to_organization_id'], ['organization.id'], name=op.f('fk_claim_transfer_to_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_transfer'))
    )
    with op.batch_alter_table('claim_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_transfer_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_transfer_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_transfer_to_organization_id'), ['to_organization_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_transfer_to_organization_id'))
        batch_op.drop_index(batch_op.f('ix_claim_transfer_status'))
        batch_op.drop_index(batch_op.f('ix_claim_transfer_claim_id'))
    op.drop_table('claim_transfer')
