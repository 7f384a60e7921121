"""The log-in throttle: a few attempts per client address and login, and more per address
over all logins, in a window.

Attempts are counted before the password is checked, each with one atomic upsert whose
answer is this attempt's own number: twenty parallel guesses get numbers 1 to 20, and only
the first ``max_failures`` reach the password check (a read-then-write check let 18 of 20
through on PostgreSQL). The login is counted under :func:`users.login_key`, the form the
user lookup uses, so " wjw", "wjw\\n" and "ＷＪＷ" are one login here as they are there.
Counters live in the database rather than a process's memory: with several app processes
(``planwatch serve --workers N``) a guesser would otherwise get N times the attempts, and a
restart would forget them. Rows whose window has passed are deleted as new attempts come.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from planwatch.services.periods import utc
from planwatch.services.users import login_key
from planwatch.store.models import LoginCounter, utcnow
from planwatch.store.models.org import LOGIN_LENGTH

__all__ = ["LoginThrottle"]

_ADDRESS_LENGTH = 64
_ANY_LOGIN = ""  # the counter of an address over all logins


class LoginThrottle:
    """At most ``max_failures`` attempts per address and login, and ``max_per_address`` per
    address over all logins, within ``window`` seconds; a successful log-in clears its
    login's count. The per-address limit is generous because an office shares one address."""

    def __init__(self, max_failures: int = 5, window: float = 300.0, max_per_address: int = 30,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.max_failures = max_failures
        self.max_per_address = max_per_address
        self.window = timedelta(seconds=window)
        self._clock = clock

    def attempt(self, session: Session, ip: str, login: str) -> int | None:
        """Count one log-in attempt. Seconds to wait when it is over a limit (refuse it without
        checking the password), None when the password may be checked."""
        now = self._clock()
        session.execute(delete(LoginCounter).where(LoginCounter.started_at <= now - self.window))
        key = _key(login)
        # A blank login matches no user, so it only counts for the address.
        limits = [(key, self.max_failures)] if key else []
        for counter, limit in (*limits, (_ANY_LOGIN, self.max_per_address)):
            attempts, started_at = self._count(session, ip, counter, now)
            if attempts > limit:
                return max(1, int((utc(started_at) + self.window - now).total_seconds()) + 1)
        return None

    def succeeded(self, session: Session, ip: str, login: str) -> None:
        """The attempt logged in: its login starts afresh and it does not count for the address."""
        address = ip[:_ADDRESS_LENGTH]
        session.execute(delete(LoginCounter).where(LoginCounter.ip == address, LoginCounter.login == _key(login)))
        session.execute(update(LoginCounter).where(LoginCounter.ip == address, LoginCounter.login == _ANY_LOGIN)
                        .values(attempts=LoginCounter.attempts - 1))

    @staticmethod
    def _count(session: Session, ip: str, key: str, now: datetime) -> tuple[int, datetime]:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (dialect.insert(LoginCounter)
                     .values(ip=ip[:_ADDRESS_LENGTH], login=key, started_at=now, attempts=1)
                     .on_conflict_do_update(index_elements=["ip", "login"],
                                            set_={"attempts": LoginCounter.attempts + 1})
                     .returning(LoginCounter.attempts, LoginCounter.started_at))
        attempts, started_at = session.execute(statement).one()
        return attempts, started_at


def _key(login: str) -> str:
    return login_key(login)[:LOGIN_LENGTH]
