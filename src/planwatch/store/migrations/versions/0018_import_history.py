"""Import history: every file brought in or refused, by whom, how and with what result.

Plans imported before this revision are taken over from their audit events, so the history
of an upgraded database starts with its first import.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'import_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor_login', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('org_unit_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_import_records_org_unit_id_org_units')),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_import_records_plan_id_plans')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_records_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_records')),
    )
    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.create_index('ix_import_records_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_records_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_records_user_id'), ['user_id'], unique=False)
    _take_over_plan_imports()


def _take_over_plan_imports() -> None:
    """One record per plan file imported before: its audit event names the file and its plans."""
    connection = op.get_bind()
    events = connection.execute(sa.text(
        "SELECT e.at, e.actor_id, e.actor_login, e.new, f.size, f.sha256 FROM audit_events e "
        "LEFT JOIN source_files f ON CAST(f.id AS VARCHAR(64)) = e.entity_id "
        "WHERE e.action = 'import' AND e.entity = 'source_files' ORDER BY e.id")).all()
    # 'at' untyped: SQLite hands the stored text back, PostgreSQL a datetime; each goes back as it came
    records = sa.table('import_records', *(sa.column(name) for name in (
        'at', 'user_id', 'actor_login', 'channel', 'file_name', 'size', 'sha256', 'outcome', 'summary', 'plan_id')),
        sa.column('problems', sa.JSON()))
    stored_plans = set(connection.execute(sa.text("SELECT id FROM plans")).scalars())
    rows = []
    for at, actor_id, login, new, size, sha256 in events:
        new = json.loads(new) if isinstance(new, str) else (new or {})
        plans = new.get("plans") or []
        summary = "；".join(f"规划「{title}」第 {version} 版" for _, title, version in plans)
        rows.append({"at": at, "user_id": actor_id, "actor_login": login,
                     "channel": "web_upload" if actor_id is not None else "cli_import",
                     "file_name": str(new.get("name", ""))[:255], "size": size, "sha256": sha256,
                     "outcome": "imported", "summary": summary, "problems": [],
                     "plan_id": plans[0][0] if plans and plans[0][0] in stored_plans else None})
    if rows:
        op.bulk_insert(records, rows)


def downgrade() -> None:
    op.drop_table('import_records')
