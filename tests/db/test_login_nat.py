"""Issue 24's NAT lock-out: an office behind one address keeps logging in, while one account
guessed from many addresses slows down on its own (SQLite and PostgreSQL)."""

from __future__ import annotations

from planwatch.services.login_throttle import LoginThrottle
from planwatch.store import Database
from tests.db.fake_clock import FakeClock

OFFICE = "203.0.113.7"


def _attempt(database: Database, throttle: LoginThrottle, ip: str, login: str) -> int | None:
    with database.session() as session:
        return throttle.attempt(session, ip, login)


def _success(database: Database, throttle: LoginThrottle, ip: str, login: str) -> None:
    with database.session() as session:
        throttle.succeeded(session, ip, login)


def test_sixty_colleagues_behind_one_address_each_mistyping_once_all_log_in(database: Database) -> None:
    """Sixty failures from one address within five minutes would have locked the whole office
    out at the 30th; the accounts that log in from it raise its limit."""
    throttle = LoginThrottle(clock=FakeClock())
    for n in range(60):
        login = f"clerk{n:02d}"
        assert _attempt(database, throttle, OFFICE, login) is None, login  # the mistyped password
        assert _attempt(database, throttle, OFFICE, login) is None, login  # the right one
        _success(database, throttle, OFFICE, login)


def test_a_guesser_behind_an_address_with_no_known_accounts_is_capped_at_thirty(database: Database) -> None:
    throttle = LoginThrottle(clock=FakeClock())
    answers = [_attempt(database, throttle, "198.51.100.9", f"user{n}") for n in range(10) for _ in range(3)]
    assert all(a is None for a in answers)
    assert _attempt(database, throttle, "198.51.100.9", "user99") is not None


def test_an_account_guessed_from_many_addresses_backs_off_doubling(database: Database) -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for n in range(5):
        assert _attempt(database, throttle, f"192.0.2.{n}", "wjw") is None
    wait = _attempt(database, throttle, "192.0.2.50", "wjw")
    assert wait is not None and 1 <= wait <= 3  # the 6th: 2 s after the first
    assert _attempt(database, throttle, "192.0.2.51", "wjw") is not None  # still too early, not counted
    clock.advance(2)
    assert _attempt(database, throttle, "192.0.2.52", "wjw") is None
    wait = _attempt(database, throttle, "192.0.2.53", "wjw")
    assert wait is not None and wait >= 2  # the 7th: 4 s after the first
    clock.advance(300)  # a new window
    assert _attempt(database, throttle, "192.0.2.54", "wjw") is None
    assert _attempt(database, throttle, OFFICE, "lyj") is None  # other accounts were never slowed


def test_a_success_clears_the_accounts_backoff(database: Database) -> None:
    throttle = LoginThrottle(clock=FakeClock())
    for n in range(5):
        assert _attempt(database, throttle, f"192.0.2.{n}", "wjw") is None
    _success(database, throttle, "192.0.2.4", "wjw")
    assert _attempt(database, throttle, "192.0.2.60", "wjw") is None
