"""Revoke the API tokens of users already deactivated: deactivation revokes them now (issue
24), and a database made before must not bring them back when such a user is reactivated.

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE api_tokens SET revoked = TRUE "
               "WHERE revoked = FALSE AND user_id IN (SELECT id FROM users WHERE active = FALSE)")


def downgrade() -> None:
    pass  # which tokens were live before cannot be told apart; revoked tokens stay revoked
