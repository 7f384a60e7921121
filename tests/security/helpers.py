"""Logging in the way a browser does, and API tokens, for the security suite."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import User
from tests.security.conftest import PASSWORD

__all__ = ["api_token", "csrf_of", "log_in", "try_log_in"]


def csrf_of(client: TestClient) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text)
    assert match
    return match.group(1)


def try_log_in(client: TestClient, login: str, password: str, token: str | None = None) -> Response:
    return client.post("/login", data={"login": login, "password": password, "next": "/dashboard",
                                       "csrf_token": token or csrf_of(client)}, follow_redirects=False)


def log_in(client: TestClient, login: str, password: str = PASSWORD) -> None:
    response = try_log_in(client, login, password)
    assert response.status_code == 303, response.text


def api_token(url: str, login: str) -> str:
    """A new API token of ``login``, made in the database as an administrator would."""
    database = Database(url)
    with database.session() as session:
        token = users.create_token(session, session.scalars(select(User).where(User.login == login)).one())
    database.dispose()
    return token
