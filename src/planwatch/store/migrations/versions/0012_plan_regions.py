"""Plan regions: the district a plan belongs to, and unit names mapped by an administrator.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_org_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('region_name', sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plans_region_org_unit_id_org_units'), 'org_units',
                                    ['region_org_unit_id'], ['id'])
    op.create_table('unit_name_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=255), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_unit_name_mappings_created_by_id_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_unit_name_mappings_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_name_mappings')),
    sa.UniqueConstraint('plan_key', 'printed_name', name='uq_unit_name_mappings_plan_name')
    )
    with op.batch_alter_table('unit_name_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_name_mappings_org_unit_id'), ['org_unit_id'], unique=False)


def downgrade() -> None:
    op.drop_table('unit_name_mappings')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plans_region_org_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_column('region_name')
        batch_op.drop_column('region_org_unit_id')
