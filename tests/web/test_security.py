from __future__ import annotations

from typing import Any

from planwatch.web.security import LoginThrottle, csrf_token, csrf_valid, start_session


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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
    session: dict[str, Any] = {"uid": 9, "planted": "by attacker"}
    old = csrf_token(session)
    start_session(session, 3)
    assert session["uid"] == 3
    assert "planted" not in session
    assert csrf_token(session) != old


def test_throttle_blocks_after_five_failures_for_the_window() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window=300, clock=clock)
    for _ in range(4):
        throttle.record_failure("10.0.0.1", "zhangsan")
        clock.now += 10
    assert throttle.retry_after("10.0.0.1", "zhangsan") is None
    throttle.record_failure("10.0.0.1", "ZhangSan")
    wait = throttle.retry_after("10.0.0.1", "zhangsan")
    assert wait is not None and 250 < wait <= 301
    # other IPs and other logins are not affected
    assert throttle.retry_after("10.0.0.2", "zhangsan") is None
    assert throttle.retry_after("10.0.0.1", "lisi") is None
    clock.now += 300
    assert throttle.retry_after("10.0.0.1", "zhangsan") is None


def test_throttle_reset_after_success() -> None:
    throttle = LoginThrottle(max_failures=2, window=60, clock=FakeClock())
    throttle.record_failure("ip", "wang")
    throttle.record_failure("ip", "wang")
    assert throttle.retry_after("ip", "wang") is not None
    throttle.reset("ip", "wang")
    assert throttle.retry_after("ip", "wang") is None


def test_next_only_goes_to_paths_on_this_site() -> None:
    from planwatch.web.security import safe_next

    assert safe_next("/plans/3?year=2024") == "/plans/3?year=2024"
    for bad in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""]:
        assert safe_next(bad) == "/"
