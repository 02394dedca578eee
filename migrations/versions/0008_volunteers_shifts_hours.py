"""volunteers, shifts and hours: volunteer profiles (name and phone as ciphertext), shifts on service
needs, sign-ups with their waitlist and attendance, and the hours entries they earn.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 23:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.* without importing it)
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('volunteer_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name_enc', sa.LargeBinary(), nullable=True),
    sa.Column('phone_enc', sa.LargeBinary(), nullable=True),
    sa.Column('skills', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('availability', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_volunteer_profile_organization_id_organization')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_volunteer_profile_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_profile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_volunteer_profile_user_id'))
    )
    op.create_index(op.f('ix_volunteer_profile_organization_id'), 'volunteer_profile', ['organization_id'], unique=False)
    op.create_table('shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('required_skills', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('signup_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_shift_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_shift_need_id_need')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_shift_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift'))
    )
    op.create_index(op.f('ix_shift_need_id'), 'shift', ['need_id'], unique=False)
    op.create_index(op.f('ix_shift_organization_id'), 'shift', ['organization_id'], unique=False)
    op.create_table('shift_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('checked_in_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('checked_out_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_signup_shift_id_shift')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_shift_signup_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_signup')),
    sa.UniqueConstraint('shift_id', 'user_id', name='uq_shift_signup_shift_user')
    )
    op.create_index(op.f('ix_shift_signup_shift_id'), 'shift_signup', ['shift_id'], unique=False)
    op.create_index(op.f('ix_shift_signup_status'), 'shift_signup', ['status'], unique=False)
    op.create_index(op.f('ix_shift_signup_user_id'), 'shift_signup', ['user_id'], unique=False)
    op.create_table('hours_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('auto_checkout', sa.Boolean(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decline_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_hours_entry_decided_by_id_app_user')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_hours_entry_shift_id_shift')),
    sa.ForeignKeyConstraint(['signup_id'], ['shift_signup.id'], name=op.f('fk_hours_entry_signup_id_shift_signup')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_hours_entry_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_entry')),
    sa.UniqueConstraint('signup_id', name=op.f('uq_hours_entry_signup_id'))
    )
    op.create_index(op.f('ix_hours_entry_shift_id'), 'hours_entry', ['shift_id'], unique=False)
    op.create_index(op.f('ix_hours_entry_status'), 'hours_entry', ['status'], unique=False)
    op.create_index(op.f('ix_hours_entry_user_id'), 'hours_entry', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('hours_entry')
    op.drop_table('shift_signup')
    op.drop_table('shift')
    op.drop_table('volunteer_profile')
