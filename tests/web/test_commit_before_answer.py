"""A change is committed before its answer leaves: the browser that follows the 303 of a
form reads the page after the change, never before it (the default of FastAPI ends a
dependency after the response is sent, which let a new user be missing from the list the
form redirected to)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi.testclient import TestClient

from planwatch.web import create_app
from planwatch.web.app_state import database_turn, db_session
from planwatch.web.boundary import route_rules
from tests.web.client import login


def _uses(dependant: Any, call: Any) -> list[Any]:
    found = []
    for sub in getattr(dependant, "dependencies", ()):
        if sub.call is call:
            found.append(sub)
        found.extend(_uses(sub, call))
    return found


def test_every_route_with_a_database_session_ends_it_before_answering(database_url: str) -> None:
    routes = [entry.route for entry in route_rules(create_app(database_url, secret_key="commit-order"))]
    with_session = [r for r in routes if _uses(getattr(r, "dependant", None), db_session)]
    assert len(with_session) > 100  # the pages, the API and the public site
    for route in with_session:
        for call in (db_session, database_turn):
            scopes = {sub.scope for sub in _uses(route.dependant, call)}
            assert scopes == {"function"}, f"{route.path} {sorted(route.methods)}: {call.__name__} ends {scopes}"


def test_the_answer_to_a_form_leaves_after_its_commit(database_url: str) -> None:
    app = create_app(database_url, secret_key="commit-order")
    seen_when_answered: list[int] = []
    engine = sa.create_engine(database_url)

    async def post_new_user(csrf: str, cookie: str) -> None:
        body = urlencode({"login": "later", "password": "Qingchuan-2026!", "role": "clerk", "name": "后来的填报员",
                          "org_unit": "青川区林业局", "csrf_token": csrf}).encode()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/admin/users", "raw_path": b"/admin/users", "query_string": b"",
                 "root_path": "", "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
                 "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode()),
                             (b"content-type", b"application/x-www-form-urlencoded"),
                             (b"content-length", str(len(body)).encode())]}
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 303
                with engine.connect() as other:  # another connection: what a next request would read
                    seen_when_answered.append(other.scalar(
                        sa.text("SELECT count(*) FROM users WHERE login = 'later'")) or 0)

        await app(scope, receive, send)

    with TestClient(app) as client:
        csrf = login(client, "admin")
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        assert client.portal is not None
        client.portal.call(post_new_user, csrf, cookie)
    engine.dispose()
    assert seen_when_answered == [1]
