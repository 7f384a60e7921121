"""The session key kept in the database: two ``planwatch serve`` hosts on one database accept
each other's sessions and a restart keeps people logged in, with no PLANWATCH_SECRET_KEY set;
``planwatch settings rotate-session-key`` ends every session, on every host, audited."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import select

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.store import Database
from planwatch.store.models import AuditEvent, SessionKey
from tests.conftest import ONE_AT_A_TIME
from tests.web.browser import PLANWATCH, free_port, planwatch_process

pytestmark = ONE_AT_A_TIME



@contextmanager
def _host(database_url: str) -> Iterator[str]:
    """One app host: its own process, its own port, no session key in its environment."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "PLANWATCH_SECRET_KEY"}
    base = f"http://127.0.0.1:{port}"
    with planwatch_process("serve", "--db", database_url, "--port", str(port), serving=base, env=environment):
        yield base


def _log_in(base: str) -> httpx.Cookies:
    form = httpx.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    answer = httpx.post(f"{base}/login", cookies=form.cookies, data={
        "login": "lingdao", "password": DEMO_PASSWORD, "csrf_token": token.group(1), "next": "/"})
    assert answer.status_code == 303
    return answer.cookies


def _logged_in(base: str, cookies: httpx.Cookies) -> bool:
    page = httpx.get(f"{base}/dashboard", cookies=cookies, follow_redirects=False)
    return page.status_code == 200 and "status-table" in page.text


def test_two_hosts_share_sessions_a_restart_keeps_them_and_rotation_ends_them(database_url: str) -> None:
    with _host(database_url) as first, _host(database_url) as second:
        cookies = _log_in(first)
        assert _logged_in(second, cookies) and _logged_in(first, cookies)
        other = _log_in(second)
        assert _logged_in(first, other)
    with _host(database_url) as restarted:  # both hosts went down and one came back
        assert _logged_in(restarted, cookies) and _logged_in(restarted, other)
        with _host(database_url) as second:
            rotated = subprocess.run([PLANWATCH, "settings", "rotate-session-key", "--db", database_url,
                                      "--reason", "密钥泄露演练"], capture_output=True, text=True, check=False)
            assert rotated.returncode == 0 and "会话密钥已更换" in rotated.stdout, rotated.stderr
            assert not _logged_in(restarted, cookies) and not _logged_in(second, cookies)
            fresh = _log_in(restarted)  # signed with the new key: the other host takes it at once
            assert _logged_in(second, fresh) and _logged_in(restarted, fresh)
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            assert len(session.scalars(select(SessionKey)).all()) == 1
            event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "session_keys")).one()
            assert event.action == "rotate" and event.reason == "密钥泄露演练" and event.new == {"sessions_ended": 2}
            key = session.scalars(select(SessionKey.secret)).one()
            assert key not in str(event.old) + str(event.new)
    finally:
        database.dispose()
