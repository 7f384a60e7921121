"""The public site: publication decisions with their snapshots and files, public opinions,
and the counters that limit opinions per client address.

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('public_post_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_post_counters')),
    sa.UniqueConstraint('address', name=op.f('uq_public_post_counters_address')),
    info={'transient': True}
    )
    with op.batch_alter_table('public_post_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_post_counters_started_at'), ['started_at'], unique=False)
    op.create_table('publication_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_publication_files_sha256'))
    )
    op.create_table('public_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=255), nullable=False),
    sa.Column('indicator_code', sa.String(length=32), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('contact_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_public_opinions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_public_opinions_moderated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_opinions'))
    )
    with op.batch_alter_table('public_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_opinions_plan_key'), ['plan_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_opinions_received_at'), ['received_at'], unique=False)
    op.create_table('publication_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=255), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('office', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_publication_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_publication_decisions_plan_id_plans')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_publication_decisions_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_decisions')),
    sa.UniqueConstraint('plan_key', 'number', name='uq_publication_decisions_plan_key_number')
    )
    with op.batch_alter_table('publication_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_decisions_plan_key'), ['plan_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('publication_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_decisions_plan_key'))
    op.drop_table('publication_decisions')
    with op.batch_alter_table('public_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_opinions_received_at'))
        batch_op.drop_index(batch_op.f('ix_public_opinions_plan_key'))
    op.drop_table('public_opinions')
    op.drop_table('publication_files')
    with op.batch_alter_table('public_post_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_post_counters_started_at'))
    op.drop_table('public_post_counters')
