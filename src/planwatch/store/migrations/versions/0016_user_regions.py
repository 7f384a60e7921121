"""User regions: each user may be bound to a district (an org-unit subtree).

Existing users get no region, which means every district: they keep the view they had
until an administrator binds them (planwatch users region LOGIN CODE, or /admin/users).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_org_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_region_org_unit_id_org_units'), 'org_units',
                                    ['region_org_unit_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_region_org_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_column('region_org_unit_id')
