"""Issue 14, item 11 from the command line: passwords, deactivation, tokens with an end,
revocation, the four-eyes switch; each one audited, each one effective at once."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import ApiToken, AuditEvent, utcnow
from planwatch.web import create_app
from tests.security.conftest import PASSWORD
from tests.security.helpers import log_in, try_log_in

runner = CliRunner()


def _run(database: Database, *args: str, code: int = 0, password: str = "other-pass-3") -> str:
    result = runner.invoke(app, [*args, "--db", database.url], env={"PLANWATCH_PASSWORD": password})
    assert result.exit_code == code, result.output
    return result.output


def _token(output: str) -> str:
    match = re.search(r"pw_[\w-]+", output)
    assert match, output
    return match.group(0)


def _audited(database: Database) -> list[tuple[str, str]]:
    with database.session(readonly=True) as session:
        return [(e.action, e.entity) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_password_deactivation_and_tokens(database: Database) -> None:
    with TestClient(create_app(database.url, secret_key="cli-suite")) as browser:
        log_in(browser, "wjw")
        token = _token(_run(database, "users", "token", "wjw", "--label", "报表脚本", "--expires-days", "30"))
        api = {"Authorization": f"Bearer {token}"}
        assert browser.get("/api/v1/plans", headers=api).status_code == 200

        assert "已更改" in _run(database, "users", "passwd", "wjw")
        assert browser.get("/dashboard", follow_redirects=False).status_code == 303  # the session ended
        assert try_log_in(browser, "wjw", PASSWORD).status_code == 401
        log_in(browser, "wjw", "other-pass-3")

        assert "已停用" in _run(database, "users", "deactivate", "wjw")
        assert browser.get("/dashboard", follow_redirects=False).status_code == 303
        assert browser.get("/api/v1/plans", headers=api).status_code == 401
        assert "已启用" in _run(database, "users", "reactivate", "wjw")
        assert browser.get("/api/v1/plans", headers=api).status_code == 401  # deactivation revoked it (issue 24)
        token = _token(_run(database, "users", "token", "wjw", "--label", "报表脚本", "--expires-days", "30"))
        api = {"Authorization": f"Bearer {token}"}
        assert browser.get("/api/v1/plans", headers=api).status_code == 200

        listing = _run(database, "users", "tokens", "wjw")
        assert "报表脚本" in listing and "有效" in listing and token not in listing
        with database.session(readonly=True) as session:
            token_id = session.scalars(select(ApiToken.id).where(ApiToken.revoked.is_(False))).one()
        assert "已吊销" in _run(database, "users", "revoke-token", str(token_id))
        assert browser.get("/api/v1/plans", headers=api).status_code == 401
        assert "已吊销" in _run(database, "users", "tokens", "wjw")
    assert [a for a in _audited(database) if a[0] != "create" or a[1] != "users"] == [
        ("create", "api_tokens"), ("set_password", "users"), ("deactivate", "users"), ("activate", "users"),
        ("create", "api_tokens"), ("revoke", "api_tokens")]


def test_a_token_stops_at_its_expiry(database: Database) -> None:
    token = _token(_run(database, "users", "token", "wjw", "--expires-days", "1"))
    with database.session() as session:
        assert users.user_for_token(session, token) is not None
        session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with database.session(readonly=True) as session:
        assert users.user_for_token(session, token) is None
    assert "已过期" in _run(database, "users", "tokens", "wjw")


def test_bad_input_is_one_line_and_changes_nothing(database: Database) -> None:
    assert "至少两类" in _run(database, "users", "passwd", "wjw", code=2, password="onlyletters")
    assert "不能包含登录名" in _run(database, "users", "passwd", "jiance", code=2, password="JiAnce-12345")
    assert "没有用户 nobody" in _run(database, "users", "deactivate", "nobody", code=2)
    assert "没有编号为 99 的 API 令牌" in _run(database, "users", "revoke-token", "99", code=2)
    assert "expires-days" in _run(database, "users", "token", "wjw", "--expires-days", "0", code=2)
    assert _audited(database) == [("create", "users")] * 3


def test_the_four_eyes_switch_is_audited(database: Database) -> None:
    assert "已关闭" in _run(database, "settings", "four-eyes", "off", "--reason", "监测组仅一人")
    with database.session(readonly=True) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "settings")).one()
    assert (event.actor_login, event.new, event.reason) == ("cli", {"required": False}, "监测组仅一人")
