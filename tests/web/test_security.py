from __future__ import annotations

from typing import Any

from planwatch.web.security import csrf_token, csrf_valid, start_session


def test_csrf_token_is_stable_per_session_and_checked() -> None:
    session: dict[str, Any] = {}
    token = csrf_token(session)
    assert len(token) >= 40
    assert csrf_token(session) == token
    assert csrf_valid(session, token)
    assert not csrf_valid(session, token + "x")
    assert not csrf_valid(session, None)
    assert not csrf_valid({}, token)
    assert csrf_token({}) != token


def test_log_in_starts_a_fresh_session() -> None:
    session: dict[str, Any] = {"sid": "planted-id", "planted": "by attacker"}
    old = csrf_token(session)
    start_session(session, "fresh-id")
    assert session["sid"] == "fresh-id"
    assert "planted" not in session
    assert csrf_token(session) != old


def test_next_only_goes_to_paths_on_this_site() -> None:
    from planwatch.web.security import safe_next

    assert safe_next("/plans/3?year=2024") == "/plans/3?year=2024"
    for bad in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""]:
        assert safe_next(bad) == "/"
