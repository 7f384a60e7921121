"""Logging a test client in the way a browser does: form, CSRF token, session cookie."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from planwatch.demo.seed import DEMO_PASSWORD

__all__ = ["csrf_token", "login"]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


def login(client: TestClient, name: str, password: str = DEMO_PASSWORD) -> str:
    """Log in; returns the session's CSRF token for later POSTs."""
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"login": name, "password": password, "csrf_token": token, "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_token(client.get("/dashboard").text)
