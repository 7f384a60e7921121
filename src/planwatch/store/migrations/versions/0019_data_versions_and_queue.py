"""Evaluation by data version with a stored snapshot, the session key in the database, the
upload job table as a queue that extraction workers on any host take jobs from, and the
index a page of a plan's indicators (in code order) reads (the review queue's is 0017's).

Revision ID: 0019
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from planwatch.store.evaluation_triggers import ddl

revision: str = '0019'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'evaluation_versions',
        sa.Column('plan_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('plan_id', 'year', name=op.f('pk_evaluation_versions')),
    )
    op.create_table(
        'evaluation_changes',
        sa.Column('plan_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('plan_id', 'indicator_id', 'year', name=op.f('pk_evaluation_changes')),
    )
    op.create_index('ix_evaluation_changes_plan_version', 'evaluation_changes', ['plan_id', 'version'])
    op.create_table(
        'evaluation_pending',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_pending')),
    )
    op.create_table(
        'evaluation_snapshots',
        sa.Column('plan_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('pending', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('warnings', sa.JSON(), nullable=False),
        sa.Column('warning_count', sa.Integer(), nullable=False),
        sa.Column('completeness', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('plan_id', 'year', 'pending', name=op.f('pk_evaluation_snapshots')),
    )
    op.create_table(
        'evaluation_results',
        sa.Column('plan_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('pending', sa.Boolean(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('severity', sa.Integer(), nullable=False),
        sa.Column('binding', sa.Boolean(), nullable=False),
        sa.Column('shortfall', sa.Double(), nullable=False),
        sa.Column('latest', sa.Double(), nullable=True),
        sa.Column('warning', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('plan_id', 'year', 'pending', 'indicator_id', name=op.f('pk_evaluation_results')),
    )
    op.create_index('ix_evaluation_results_status', 'evaluation_results',
                    ['plan_id', 'year', 'pending', 'status', 'binding'])
    op.create_index('ix_evaluation_results_warnings', 'evaluation_results',
                    ['plan_id', 'year', 'pending', 'severity', 'binding', 'shortfall'])
    op.create_table(
        'session_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_keys')),
    )
    op.create_table(
        'import_job_files',
        sa.Column('job_id', sa.String(length=32), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], name=op.f('fk_import_job_files_job_id_import_jobs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_import_job_files')),
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_import_jobs_stage'), ['stage'], unique=False)
    op.create_index('ix_indicators_plan_code', 'indicators', ['plan_id', 'code'])
    for statement in ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    from planwatch.store.evaluation_triggers import trigger_names

    for table, name in trigger_names(bind.dialect.name):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if bind.dialect.name == "postgresql" else ""))
    op.drop_index('ix_indicators_plan_code', table_name='indicators')
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_jobs_stage'))
        batch_op.drop_column('attempts')
    for table in ('import_job_files', 'session_keys', 'evaluation_results', 'evaluation_snapshots',
                  'evaluation_pending', 'evaluation_changes', 'evaluation_versions'):
        op.drop_table(table)
