"""The log-in throttle counts attempts in the database, shared by every app process."""

from __future__ import annotations

from sqlalchemy import select

from planwatch.services.login_throttle import LoginThrottle
from planwatch.store import Database
from planwatch.store.models import LoginCounter
from tests.db.fake_clock import FakeClock


def test_throttle_blocks_after_five_attempts_for_the_window(database: Database) -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window=300, clock=clock)
    for _ in range(4):
        with database.session() as session:
            assert throttle.attempt(session, "10.0.0.1", "zhangsan") is None
        clock.advance(10)
    with database.session() as session:
        assert throttle.attempt(session, "10.0.0.1", " ZhangSan\n") is None  # one login however typed
    with database.session() as session:
        wait = throttle.attempt(session, "10.0.0.1", "zhangsan")
        assert wait is not None and 250 < wait <= 301
        # other addresses and other logins are not affected
        assert throttle.attempt(session, "10.0.0.2", "zhangsan") is None
        assert throttle.attempt(session, "10.0.0.1", "lisi") is None
    clock.advance(300)
    with database.session() as session:
        assert throttle.attempt(session, "10.0.0.1", "zhangsan") is None
        assert throttle.attempt(session, "10.0.0.9", "x" * 500) is None  # an absurd login still fits the column
    with database.session(readonly=True) as session:
        # the counters of the passed window went when the next attempt came ("*": each login's over all addresses)
        assert sorted(session.scalars(select(LoginCounter.ip)).all()) == ["*", "*", "10.0.0.1", "10.0.0.1",
                                                                          "10.0.0.9", "10.0.0.9"]


def test_a_success_clears_its_login_and_does_not_count_for_the_address(database: Database) -> None:
    throttle = LoginThrottle(max_failures=2, window=60, max_per_address=3, clock=FakeClock(), per_known_account=0)
    with database.session() as session:
        assert throttle.attempt(session, "ip", "wang") is None
        assert throttle.attempt(session, "ip", "wang") is None
        assert throttle.attempt(session, "ip", "li") is None
        throttle.succeeded(session, "ip", "wang")
        assert throttle.attempt(session, "ip", "wang") is None  # wang starts afresh; the address is at 3
        assert throttle.attempt(session, "ip", "zhao") is not None  # the fourth for the address


def test_a_blank_login_counts_for_the_address_only(database: Database) -> None:
    throttle = LoginThrottle(max_failures=1, window=60, max_per_address=2, clock=FakeClock())
    with database.session() as session:
        assert throttle.attempt(session, "ip", "   ") is None
        assert throttle.attempt(session, "ip", "") is None
        assert throttle.attempt(session, "ip", "\t") is not None
        assert set(session.scalars(select(LoginCounter.login))) == {""}
