"""Issue 14, item 11 on the web: the administrator's users page, each action effective at
once and audited; other roles are refused."""

from __future__ import annotations

import re

from sqlalchemy import select

from planwatch.store.models import ApiToken, AuditEvent, User
from tests.security.conftest import PASSWORD, Site
from tests.security.helpers import csrf_of, log_in, try_log_in


def _id(site: Site, login: str) -> int:
    with site.database.session(readonly=True) as session:
        return session.scalars(select(User.id).where(User.login == login)).one()


def test_only_administrators_reach_the_users_page(site: Site) -> None:
    log_in(site.client, "jiance")
    assert site.client.get("/admin/users").status_code == 403
    assert 'href="/admin/users"' not in site.client.get("/dashboard").text
    token = csrf_of(site.client)
    refused = site.client.post(f"/admin/users/{_id(site, 'wjw')}/active", data={"active": "off", "csrf_token": token})
    assert refused.status_code == 403
    with site.database.session(readonly=True) as session:
        assert session.scalars(select(User.active).where(User.login == "wjw")).one()


def test_the_administrator_manages_users_and_tokens(site: Site) -> None:
    admin, wjw = site.client, site.new_client()
    log_in(admin, "guanli")
    log_in(wjw, "wjw")
    token = csrf_of(admin)
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "wjw" in page.text and 'href="/admin/users"' in page.text

    weak = admin.post("/admin/users", data={"login": "zhao", "password": "abcdefgh", "role": "viewer",
                                            "csrf_token": token})
    assert weak.status_code == 422 and "至少两类" in weak.text
    added = admin.post("/admin/users", data={"login": "zhao", "password": "pass-1x-Q7", "role": "viewer",
                                             "name": "赵", "csrf_token": token}, follow_redirects=False)
    assert added.status_code == 303
    log_in(site.new_client(), "zhao", "pass-1x-Q7")

    wjw_id = _id(site, "wjw")
    created = admin.post(f"/admin/users/{wjw_id}/tokens", data={"label": "报表脚本", "expires_days": "30",
                                                                 "csrf_token": token})
    match = re.search(r'<code id="new-token">(pw_[^<]+)</code>', created.text)
    assert created.status_code == 200 and match
    api = {"Authorization": f"Bearer {match.group(1)}"}
    assert wjw.get("/api/v1/plans", headers=api).status_code == 200
    assert match.group(1) not in admin.get(f"/admin/users/{wjw_id}").text  # shown once only

    reset = admin.post(f"/admin/users/{wjw_id}/password", data={"password": "fresh-pass-4", "csrf_token": token})
    assert reset.status_code == 200 and "密码已重设" in reset.text
    assert wjw.get("/dashboard", follow_redirects=False).status_code == 303
    assert try_log_in(wjw, "wjw", PASSWORD).status_code == 401
    log_in(wjw, "wjw", "fresh-pass-4")

    admin.post(f"/admin/users/{wjw_id}/logout", data={"csrf_token": token})
    assert wjw.get("/dashboard", follow_redirects=False).status_code == 303
    log_in(wjw, "wjw", "fresh-pass-4")

    off = admin.post(f"/admin/users/{wjw_id}/active", data={"active": "off", "csrf_token": token})
    assert off.status_code == 200 and "已停用" in off.text
    assert wjw.get("/dashboard", follow_redirects=False).status_code == 303
    assert wjw.get("/api/v1/plans", headers=api).status_code == 401
    admin.post(f"/admin/users/{wjw_id}/active", data={"active": "on", "csrf_token": token})
    assert wjw.get("/api/v1/plans", headers=api).status_code == 401  # deactivation revoked it (issue 24)
    created = admin.post(f"/admin/users/{wjw_id}/tokens", data={"label": "新脚本", "csrf_token": token})
    match = re.search(r'<code id="new-token">(pw_[^<]+)</code>', created.text)
    assert match
    api = {"Authorization": f"Bearer {match.group(1)}"}
    assert wjw.get("/api/v1/plans", headers=api).status_code == 200

    with site.database.session(readonly=True) as session:
        token_id = session.scalars(select(ApiToken.id).where(ApiToken.revoked.is_(False))).one()
    revoked = admin.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 200 and "已吊销" in revoked.text
    assert wjw.get("/api/v1/plans", headers=api).status_code == 401

    switched = admin.post("/admin/settings/four-eyes", data={"required": "off", "reason": "试运行", "csrf_token": token})
    assert switched.status_code == 200 and "已关闭" in switched.text

    with site.database.session(readonly=True) as session:
        trail = [(e.actor_login, e.action, e.entity) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.actor_login == "guanli").order_by(AuditEvent.id))]
    assert trail == [("guanli", "create", "users"), ("guanli", "create", "api_tokens"),
                     ("guanli", "set_password", "users"), ("guanli", "end_sessions", "users"),
                     ("guanli", "deactivate", "users"), ("guanli", "activate", "users"),
                     ("guanli", "create", "api_tokens"), ("guanli", "revoke", "api_tokens"),
                     ("guanli", "configure", "settings")]


def test_an_administrator_cannot_deactivate_themself(site: Site) -> None:
    log_in(site.client, "guanli")
    token = csrf_of(site.client)
    refused = site.client.post(f"/admin/users/{_id(site, 'guanli')}/active", data={"active": "off", "csrf_token": token})
    assert refused.status_code == 422 and "不能停用自己的账号" in refused.text
