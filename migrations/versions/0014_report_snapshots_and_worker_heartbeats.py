"""report snapshots and worker heartbeats

Report sections the worker precomputes for scopes where a live query is too slow (reports/snapshots.py),
and one heartbeat row per running worker, read by /readyz and /metrics (operations/heartbeat.py); indexes
for the search catch-up (outbox creation time), 邮件队列 (a mail's region, copied out of its payload
into a column) and 需求管理 (need.updated_at).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 08:39:03
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.* without importing it)
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('scope_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('params_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('computed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshot')),
    sa.UniqueConstraint('section', 'scope_code', 'params_key', name=op.f('uq_report_snapshot_section'))
    )
    with op.batch_alter_table('report_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_snapshot_scope_code'), ['scope_code'], unique=False)

    op.create_table('worker_heartbeat',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('beat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeat'))
    )
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeat_beat_at'), ['beat_at'], unique=False)
    # Each node's search catch-up re-reads the last minute of events: by time, not by scanning the topic.
    op.create_index('ix_outbox_created', 'outbox', ['created_at'], unique=False)
    # 邮件队列 filters by the recipient's region: a column and an index instead of a look into the JSON.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
        batch_op.create_index('ix_outbox_mail_scope', ['topic', 'region', 'status', 'next_attempt_at'], unique=False)
    _fill_mail_regions()
    # 需求管理 lists needs by their latest change.
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_updated_at'), ['updated_at'], unique=False)



def _fill_mail_regions() -> None:
    """The region already kept in each queued mail's payload, copied into the new column."""
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('topic', sa.String),
                      sa.column('payload', sa.JSON), sa.column('region', sa.String))
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.select(outbox.c.id, outbox.c.payload)
                            .where(outbox.c.topic == 'mail', outbox.c.id > last)
                            .order_by(outbox.c.id).limit(5000)).all()
        if not rows:
            return
        updates = [{'row_id': row.id, 'region': (row.payload or {}).get('region')} for row in rows
                   if (row.payload or {}).get('region')]
        if updates:
            bind.execute(outbox.update().where(outbox.c.id == sa.bindparam('row_id'))
                         .values(region=sa.bindparam('region')), updates)
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_updated_at'))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mail_scope')
        batch_op.drop_column('region')
    op.drop_index('ix_outbox_created', table_name='outbox')
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeat_beat_at'))

    op.drop_table('worker_heartbeat')
    with op.batch_alter_table('report_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_snapshot_scope_code'))

    op.drop_table('report_snapshot')
