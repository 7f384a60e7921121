"""The plan's ledger: task kinds, numbers, sections, deadlines and own targets; major projects.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='task', nullable=False))
        batch_op.add_column(sa.Column('number', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('section', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('deadline', sa.String(length=7), nullable=True))
    op.create_table('task_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('comparator', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_targets_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_targets'))
    )
    with op.batch_alter_table('task_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_targets_task_id'), ['task_id'], unique=False)
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('investment', sa.Double(), nullable=True),
    sa.Column('period_investment', sa.Double(), nullable=True),
    sa.Column('start_year', sa.Integer(), nullable=True),
    sa.Column('end_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_projects_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_plan_id'), ['plan_id'], unique=False)
    op.create_table('project_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_project_units_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_units_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_units')),
    sa.UniqueConstraint('project_id', 'org_unit_id', name='uq_project_units_project_unit')
    )
    with op.batch_alter_table('project_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_units_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_units_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    op.drop_table('project_units')
    op.drop_table('projects')
    op.drop_table('task_targets')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('deadline')
        batch_op.drop_column('section')
        batch_op.drop_column('number')
        batch_op.drop_column('kind')
