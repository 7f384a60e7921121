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

One office behind one NAT address must not lock itself out (issue 24): the address's limit
over all logins grows with the accounts that logged in from it recently (a guesser cannot
raise it without knowing passwords), and an account guessed from many addresses is slowed
by its own backoff instead — after ``max_failures`` failures each further attempt on the
account waits twice as long as the one before, whatever address it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from planwatch.services.periods import utc
from planwatch.services.users import login_key
from planwatch.store.models import LoginCounter, utcnow
from planwatch.store.models.org import LOGIN_LENGTH

__all__ = ["LoginThrottle"]

_ADDRESS_LENGTH = 64
_ANY_LOGIN = ""  # the counter of an address over all logins
_ANY_ADDRESS = "*"  # the counter of an account over all addresses (its backoff)
_KNOWN = "ok "  # + address: the accounts that logged in from it (an address has no space)


class LoginThrottle:
    """At most ``max_failures`` attempts per address and login within ``window`` seconds;
    per login over all addresses, ``max_failures`` and then a doubling wait; per address over
    all logins ``max_per_address`` plus ``per_known_account`` for every account that logged
    in from it in the last ``memory`` seconds. A successful log-in clears its login's counts."""

    def __init__(self, max_failures: int = 5, window: float = 300.0, max_per_address: int = 30,
                 clock: Callable[[], datetime] = utcnow, per_known_account: int = 3,
                 memory: float = 8 * 3600.0) -> None:
        self.max_failures = max_failures
        self.max_per_address = max_per_address
        self.per_known_account = per_known_account
        self.window = timedelta(seconds=window)
        self.memory = timedelta(seconds=memory)
        self._clock = clock

    def attempt(self, session: Session, ip: str, login: str) -> int | None:
        """Count one log-in attempt. Seconds to wait when it is over a limit (refuse it without
        checking the password), None when the password may be checked."""
        now = self._clock()
        known = LoginCounter.ip.startswith(_KNOWN)
        session.execute(delete(LoginCounter).where(or_(
            and_(~known, LoginCounter.started_at <= now - self.window),
            and_(known, LoginCounter.started_at <= now - self.memory))))
        key = _key(login)
        address = ip[:_ADDRESS_LENGTH]
        if key:  # a blank login matches no user, so it only counts for the address
            attempts, started_at = self._count(session, address, key, now)
            if attempts > self.max_failures:
                return self._left(started_at, now)
            wait = self._backoff(session, key, now)
            if wait is not None:
                return wait
        known_accounts = session.scalar(select(func.count()).select_from(LoginCounter).where(
            LoginCounter.ip == _KNOWN + address)) or 0
        attempts, started_at = self._count(session, address, _ANY_LOGIN, now)
        if attempts > self.max_per_address + self.per_known_account * known_accounts:
            return self._left(started_at, now)
        return None

    def _backoff(self, session: Session, key: str, now: datetime) -> int | None:
        """The account's own limit over all addresses: attempt n past ``max_failures`` must come
        2^(n − max_failures) seconds after the first; a refused attempt is not counted."""
        attempts, started_at = self._count(session, _ANY_ADDRESS, key, now)
        if attempts <= self.max_failures:
            return None
        due = utc(started_at) + min(timedelta(seconds=2 ** (attempts - self.max_failures)), self.window)
        if now >= due:
            return None
        session.execute(update(LoginCounter).where(LoginCounter.ip == _ANY_ADDRESS, LoginCounter.login == key)
                        .values(attempts=LoginCounter.attempts - 1))
        return max(1, int((due - now).total_seconds()) + 1)

    def _left(self, started_at: datetime, now: datetime) -> int:
        return max(1, int((utc(started_at) + self.window - now).total_seconds()) + 1)

    def succeeded(self, session: Session, ip: str, login: str) -> None:
        """The attempt logged in: its login starts afresh, it does not count for the address,
        and the address is known to host this account (its limit grows)."""
        address, key = ip[:_ADDRESS_LENGTH], _key(login)
        session.execute(delete(LoginCounter).where(LoginCounter.login == key,
                                                   LoginCounter.ip.in_([address, _ANY_ADDRESS])))
        session.execute(update(LoginCounter).where(LoginCounter.ip == address, LoginCounter.login == _ANY_LOGIN)
                        .values(attempts=LoginCounter.attempts - 1))
        self._count(session, _KNOWN + address, key, self._clock(), refresh=True)

    @staticmethod
    def _count(session: Session, ip: str, key: str, now: datetime, *, refresh: bool = False) -> tuple[int, datetime]:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        on_conflict = {"started_at": now} if refresh else {"attempts": LoginCounter.attempts + 1}
        statement = (dialect.insert(LoginCounter)
                     .values(ip=ip[:_ADDRESS_LENGTH], login=key, started_at=now, attempts=1)
                     .on_conflict_do_update(index_elements=["ip", "login"], set_=on_conflict)
                     .returning(LoginCounter.attempts, LoginCounter.started_at))
        attempts, started_at = session.execute(statement).one()
        return attempts, started_at


def _key(login: str) -> str:
    return login_key(login)[:LOGIN_LENGTH]
