"""Issue 14, item 2: a session ends on the server, at once, for every copy of its cookie."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from planwatch.services import users
from planwatch.services.periods import utc
from planwatch.store.models import WebSession, utcnow
from tests.security.conftest import PASSWORD, Site
from tests.security.helpers import csrf_of, log_in, try_log_in


def _logged_out(client: TestClient) -> bool:
    response = client.get("/dashboard", follow_redirects=False)
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def _copy(site: Site, client: TestClient) -> TestClient:
    return TestClient(site.client.app, cookies=dict(client.cookies))


def test_a_cookie_copied_before_log_out_neither_reads_nor_writes_after(site: Site) -> None:
    browser = site.client
    log_in(browser, "jiance")
    token = csrf_of(browser)
    stolen = _copy(site, browser)
    assert not _logged_out(stolen)
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 200
    assert _logged_out(stolen)
    write = stolen.post("/review", data={"decision": "approve"}, headers={"x-csrf-token": token},
                        follow_redirects=False)
    assert write.status_code == 303 and write.headers["location"].startswith("/login")
    fragment = stolen.post("/review", data={"decision": "approve"},
                           headers={"x-csrf-token": token, "x-requested-with": "fetch"})
    assert fragment.status_code == 401


def test_a_password_change_ends_the_users_sessions(site: Site) -> None:
    log_in(site.client, "wjw")
    other = site.new_client()
    log_in(other, "jiance")
    with site.database.session() as session:
        users.set_password(session, None, users.find_user(session, "wjw"), "new-pass-22")
    assert _logged_out(site.client)
    assert not _logged_out(other)  # only that user's sessions end
    assert try_log_in(site.new_client(), "wjw", PASSWORD).status_code == 401
    log_in(site.new_client(), "wjw", "new-pass-22")


def test_deactivation_ends_sessions_and_tokens_at_once(site: Site) -> None:
    log_in(site.client, "wjw")
    with site.database.session() as session:
        token = users.create_token(session, users.find_user(session, "wjw"), "script")
    api = {"Authorization": f"Bearer {token}"}
    assert site.client.get("/api/v1/plans", headers=api).status_code == 200
    with site.database.session() as session:
        users.set_active(session, None, users.find_user(session, "wjw"), False)
    assert _logged_out(site.client)
    assert site.client.get("/api/v1/plans", headers=api).status_code == 401
    assert try_log_in(site.new_client(), "wjw", PASSWORD).status_code == 401


def test_log_out_everywhere_ends_every_browser_of_the_user(site: Site) -> None:
    first, second = site.client, site.new_client()
    log_in(first, "wjw")
    log_in(second, "wjw")
    with site.database.session() as session:
        assert users.log_out_everywhere(session, None, users.find_user(session, "wjw")) == 2
    assert _logged_out(first) and _logged_out(second)


def test_idle_and_absolute_expiry(site: Site) -> None:
    idle, long_lived = site.client, site.new_client()
    log_in(idle, "wjw")
    log_in(long_lived, "jiance")
    now = utcnow()
    with site.database.session() as session:
        wjw, jiance = users.find_user(session, "wjw").id, users.find_user(session, "jiance").id
        session.execute(update(WebSession).where(WebSession.user_id == wjw)
                        .values(last_seen_at=now - timedelta(minutes=31)))
        session.execute(update(WebSession).where(WebSession.user_id == jiance)
                        .values(created_at=now - timedelta(hours=8, minutes=1)))
    assert _logged_out(idle)
    assert _logged_out(long_lived)


def test_requests_keep_a_session_alive(site: Site) -> None:
    log_in(site.client, "wjw")
    with site.database.session() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    assert not _logged_out(site.client)  # a page read moves the idle clock
    with site.database.session(readonly=True) as session:
        last_seen = session.scalars(select(WebSession.last_seen_at)).one()
    assert utc(last_seen) > utcnow() - timedelta(minutes=1)
