"""The log-in throttle: at most a few failed log-ins per IP address and login in a window.

Failures are rows of ``login_failures`` rather than a process's memory: with several app
processes (``planwatch serve --workers N``) a guesser would otherwise get N times the
attempts, and a restart would forget them. Rows older than the window are deleted as new
failures arrive, so the table stays as small as the attempts of the last minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planwatch.services.periods import utc
from planwatch.store.models import LoginFailure, utcnow
from planwatch.store.models.org import LOGIN_LENGTH

__all__ = ["LoginThrottle"]



class LoginThrottle:
    """At most ``max_failures`` failed log-ins per IP and login within ``window`` seconds."""

    def __init__(self, max_failures: int = 5, window: float = 300.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window)
        self._clock = clock

    def retry_after(self, session: Session, ip: str, login: str) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        now = self._clock()
        recent = session.scalars(select(LoginFailure.at).where(
            LoginFailure.ip == ip, LoginFailure.login == _key(login), LoginFailure.at > now - self.window)
            .order_by(LoginFailure.at)).all()
        if len(recent) < self.max_failures:
            return None
        return max(1, int((utc(recent[0]) + self.window - now).total_seconds()) + 1)

    def record_failure(self, session: Session, ip: str, login: str) -> None:
        now = self._clock()
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window))
        session.add(LoginFailure(ip=ip, login=_key(login), at=now))
        session.flush()

    def reset(self, session: Session, ip: str, login: str) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.ip == ip, LoginFailure.login == _key(login)))


def _key(login: str) -> str:
    return login.casefold()[:LOGIN_LENGTH]
