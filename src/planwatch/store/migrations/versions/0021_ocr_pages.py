"""Which pages of an imported PDF were scans read by OCR (and which were left unread), for the viewer.

Revision ID: 0021
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ocr', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.drop_column('ocr')
