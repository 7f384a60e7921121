"""The assessment of units: schemes per plan and year, bonus and deduction items.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assessment_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_assessment_schemes_plan_id_plans')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_assessment_schemes_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_schemes')),
    sa.UniqueConstraint('plan_id', 'year', name='uq_assessment_schemes_plan_year')
    )
    with op.batch_alter_table('assessment_schemes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_schemes_plan_id'), ['plan_id'], unique=False)
    op.create_table('assessment_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessment_adjustments_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_assessment_adjustments_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_assessment_adjustments_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_adjustments'))
    )
    with op.batch_alter_table('assessment_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_adjustments_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_adjustments_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_table('assessment_adjustments')
    op.drop_table('assessment_schemes')
