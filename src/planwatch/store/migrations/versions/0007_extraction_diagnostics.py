"""What extraction could not read, kept with the imported file for the viewer and the upload page.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diagnostics', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.drop_column('diagnostics')
