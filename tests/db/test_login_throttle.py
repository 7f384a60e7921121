"""The log-in throttle counts failures in the database, shared by every app process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from planwatch.services.login_throttle import LoginThrottle
from planwatch.store import Database
from planwatch.store.models import LoginFailure


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_throttle_blocks_after_five_failures_for_the_window(database: Database) -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window=300, clock=clock)
    for _ in range(4):
        with database.session() as session:
            throttle.record_failure(session, "10.0.0.1", "zhangsan")
        clock.advance(10)
    with database.session() as session:
        assert throttle.retry_after(session, "10.0.0.1", "zhangsan") is None
        throttle.record_failure(session, "10.0.0.1", "ZhangSan")  # logins are case-insensitive
    with database.session() as session:
        wait = throttle.retry_after(session, "10.0.0.1", "zhangsan")
        assert wait is not None and 250 < wait <= 301
        # other IPs and other logins are not affected
        assert throttle.retry_after(session, "10.0.0.2", "zhangsan") is None
        assert throttle.retry_after(session, "10.0.0.1", "lisi") is None
    clock.advance(300)
    with database.session() as session:
        assert throttle.retry_after(session, "10.0.0.1", "zhangsan") is None
        throttle.record_failure(session, "10.0.0.9", "x" * 500)  # an absurd login still fits the column
    with database.session(readonly=True) as session:
        # the failures outside the window went when the next one was recorded
        assert session.scalars(select(LoginFailure.ip)).all() == ["10.0.0.9"]


def test_throttle_reset_after_success(database: Database) -> None:
    throttle = LoginThrottle(max_failures=2, window=60, clock=FakeClock())
    with database.session() as session:
        throttle.record_failure(session, "ip", "wang")
        throttle.record_failure(session, "ip", "wang")
        throttle.record_failure(session, "ip", "li")
        assert throttle.retry_after(session, "ip", "wang") is not None
        throttle.reset(session, "ip", "wang")
        assert throttle.retry_after(session, "ip", "wang") is None
        assert throttle.retry_after(session, "ip", "li") is None  # one failure of two
