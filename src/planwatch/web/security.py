"""Browser-session safety: CSRF tokens bound to the session and a log-in throttle.

Sessions themselves are Starlette's signed cookies (itsdangerous, HttpOnly, SameSite=Lax,
Secure behind https). The CSRF token lives inside that signed session, so a form posted
from another site cannot know it; every state-changing form and fragment request sends it
back as the ``csrf_token`` field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any, Final

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "LoginThrottle", "csrf_token", "csrf_valid", "safe_next", "start_session"]

CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
_SESSION_KEY: Final = "csrf"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, created on first use so anonymous forms (log-in) carry one too."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def csrf_valid(session: MutableMapping[str, Any], sent: str | None) -> bool:
    expected = session.get(_SESSION_KEY)
    if not isinstance(expected, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def start_session(session: MutableMapping[str, Any], user_id: int) -> None:
    """A fresh session at log-in: nothing from before survives (no session fixation)."""
    session.clear()
    session["uid"] = user_id
    csrf_token(session)


def safe_next(target: str) -> str:
    """Only paths on this site: a crafted ?next= must not send users elsewhere after log-in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class LoginThrottle:
    """At most ``max_failures`` failed log-ins per IP and login within ``window`` seconds.

    Kept in memory per process: the app runs as one uvicorn process per district, and a
    restart forgetting a few failures does not weaken the argon2 hashes behind it.
    """

    def __init__(self, max_failures: int = 5, window: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, ip: str, login: str) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        with self._lock:
            failures = self._recent(ip, login)
            if len(failures) < self.max_failures:
                return None
            return max(1, int(failures[0] + self.window - self._clock()) + 1)

    def record_failure(self, ip: str, login: str) -> None:
        with self._lock:
            self._recent(ip, login).append(self._clock())

    def reset(self, ip: str, login: str) -> None:
        with self._lock:
            self._failures.pop((ip, login.casefold()), None)

    def _recent(self, ip: str, login: str) -> deque[float]:
        failures = self._failures.setdefault((ip, login.casefold()), deque())
        horizon = self._clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures
