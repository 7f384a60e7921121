"""Progress reports on tasks and projects per period, with evidence files.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Double(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('investment_period', sa.Double(), nullable=True),
    sa.Column('investment_cumulative', sa.Double(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.CheckConstraint('(task_id IS NULL) <> (project_id IS NULL)', name=op.f('ck_ledger_reports_task_or_project')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_ledger_reports_entered_by_id_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_ledger_reports_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_ledger_reports_period_id_reporting_periods')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ledger_reports_project_id_projects')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_ledger_reports_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_ledger_reports_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_ledger_reports_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_reports')),
    sa.UniqueConstraint('project_id', 'period_id', 'org_unit_id', name='uq_ledger_reports_project_period_unit'),
    sa.UniqueConstraint('task_id', 'period_id', 'org_unit_id', name='uq_ledger_reports_task_period_unit')
    )
    with op.batch_alter_table('ledger_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_reports_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_reports_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_reports_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_reports_task_id'), ['task_id'], unique=False)
    op.create_table('ledger_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['ledger_reports.id'], name=op.f('fk_ledger_evidence_report_id_ledger_reports')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_ledger_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_evidence'))
    )
    with op.batch_alter_table('ledger_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_evidence_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    op.drop_table('ledger_evidence')
    op.drop_table('ledger_reports')
