"""Upload jobs in the database: progress shared by every process and host, cleanup after a crash.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('pages_done', sa.Integer(), nullable=False),
        sa.Column('pages_total', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('upload_dir', sa.String(length=1000), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_import_jobs_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_jobs_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_jobs_heartbeat_at'), ['heartbeat_at'], unique=False)


def downgrade() -> None:
    op.drop_table('import_jobs')
