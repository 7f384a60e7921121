"""Target types as plans state them (level, change, rate, cumulative, qualitative) kept with
each target, so that a correction of the type is stored and applied again on re-import.

Targets stored before this revision keep NULL: evaluation classifies them by the same rules as
extraction, so plans already imported get their types without being imported again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_type', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_column('target_type')
