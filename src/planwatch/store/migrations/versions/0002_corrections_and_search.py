"""Extraction corrections find their indicator again; full-text search over source lines.

``indicators.extracted_name`` keeps the name extraction read (stored rows so far were never
corrected, so it is their name). ``search_entries`` holds each source line with its jieba
words; SQLite indexes them in the FTS5 table ``search_fts`` (external content, filled by
the search service), PostgreSQL in a GIN index on ``to_tsvector('simple', tokens)``.
Existing files are indexed when the web app opens the database (and after a restore).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extracted_name', sa.Text(), nullable=True))
    op.execute("UPDATE indicators SET extracted_name = name WHERE kind <> 'manual'")
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_files.id'],
                            name=op.f('fk_search_entries_source_file_id_source_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_source_file_id'), ['source_file_id'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_entries', content_rowid='id')")
    else:
        op.execute("CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (to_tsvector('simple', tokens))")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE search_fts")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_source_file_id'))
    op.drop_table('search_entries')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('extracted_name')
