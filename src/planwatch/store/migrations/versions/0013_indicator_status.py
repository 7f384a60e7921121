"""Retired and merged indicators: columns on indicators, decisions kept by key for re-imports.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retired_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_indicators_merged_into_id_indicators'), 'indicators',
                                    ['merged_into_id'], ['id'])
    op.create_table('indicator_dispositions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=255), nullable=False),
    sa.Column('indicator_key', sa.String(length=255), nullable=False),
    sa.Column('merged_into_key', sa.String(length=255), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_indicator_dispositions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_dispositions')),
    sa.UniqueConstraint('plan_key', 'indicator_key', name='uq_indicator_dispositions_plan_indicator')
    )


def downgrade() -> None:
    op.drop_table('indicator_dispositions')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicators_merged_into_id_indicators'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('retired_reason')
        batch_op.drop_column('retired_at')
