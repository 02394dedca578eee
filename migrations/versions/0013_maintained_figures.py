"""maintained figures: households per township and tier, organisation totals

Tables the public pages read instead of recounting the registry and the ledger per request, filled here
from the data already held; from then on the services keep them (registry/tier_counts.py,
ledger/org_totals.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 06:17:45
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.* without importing it)
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('region_tier_count',
    sa.Column('township', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('township', 'tier', name=op.f('pk_region_tier_count'))
    )
    op.create_table('organization_total',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_total_organization_id_organization')),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_total'))
    )
    # Data step: the figures as the per-request queries counted them, from the rows already there.
    from sqlmodel import Session

    from marketplace.ledger import org_totals
    from marketplace.registry import tier_counts

    with Session(bind=op.get_bind()) as session:
        tier_counts.recount(session)
        org_totals.recount(session)


def downgrade() -> None:
    op.drop_table('organization_total')
    op.drop_table('region_tier_count')
