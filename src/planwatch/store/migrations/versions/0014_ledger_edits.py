"""Ledger edits that survive re-import: stable keys, retirement, milestones, annual investment
plans, and the milestones and task target values a progress report states.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('annual_investment', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE tasks SET key = 'x:' || title")
    op.execute("UPDATE projects SET key = 'x:' || name")
    with op.batch_alter_table('ledger_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('milestones_reached', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('target_values', sa.JSON(), nullable=True))
    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('due', sa.String(length=7), nullable=False),
    sa.CheckConstraint('(task_id IS NULL) <> (project_id IS NULL)', name=op.f('ck_milestones_task_or_project')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestones_project_id_projects')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_milestones_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_task_id'), ['task_id'], unique=False)
    op.create_table('ledger_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=255), nullable=False),
    sa.Column('entity', sa.String(length=8), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.Text(), nullable=False),
    sa.Column('subject_line', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ledger_edits_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_edits'))
    )
    with op.batch_alter_table('ledger_edits', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_edits_plan_key', ['plan_key'], unique=False)


def downgrade() -> None:
    op.drop_table('ledger_edits')
    op.drop_table('milestones')
    with op.batch_alter_table('ledger_reports', schema=None) as batch_op:
        batch_op.drop_column('target_values')
        batch_op.drop_column('milestones_reached')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('retired')
        batch_op.drop_column('key')
        batch_op.drop_column('annual_investment')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('retired')
        batch_op.drop_column('key')
