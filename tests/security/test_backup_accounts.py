"""The tables of migration 0004 in backups: settings and token expiry are kept, live
sessions and log-in counters (transient) are not, and the restore works on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from planwatch.services import backup, settings, users
from planwatch.services.login_throttle import LoginThrottle
from planwatch.services.web_sessions import SessionPolicy, start_session
from planwatch.store import Database
from planwatch.store.models import ApiToken, LoginCounter, WebSession


def test_backup_keeps_settings_and_tokens_but_not_sessions(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        settings.set_four_eyes(session, None, False, "试运行")
        wjw = users.find_user(session, "wjw")
        token = users.create_token(session, wjw, "脚本", expires_days=30)
        start_session(session, wjw.id, SessionPolicy())
        LoginThrottle().attempt(session, "10.0.0.1", "wjw")
    summary = backup.backup(database, tmp_path / "pw.jsonl.gz")
    assert summary.rows["settings"] == 1 and "web_sessions" not in summary.rows
    assert "login_counters" not in summary.rows

    target = Database(f"sqlite:///{tmp_path / 'restored.db'}")
    try:
        backup.restore(target, summary.path)
        with target.session() as session:
            assert not settings.four_eyes_required(session)
            assert users.user_for_token(session, token) is not None
            assert session.scalar(select(ApiToken.expires_at)) is not None
            assert session.scalar(select(func.count()).select_from(WebSession)) == 0
            assert session.scalar(select(func.count()).select_from(LoginCounter)) == 0
    finally:
        target.dispose()
