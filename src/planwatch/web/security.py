"""Browser-session safety: CSRF tokens bound to the session, fresh sessions at log-in.

The cookie is Starlette's signed session (itsdangerous, HttpOnly, SameSite=Lax, Secure
over https) holding the id of a session row in the database
(:mod:`planwatch.services.web_sessions`), which is what log-out ends. The CSRF token lives
inside that signed session, so a form posted
from another site cannot know it; every state-changing form and fragment request sends it
back as the ``csrf_token`` field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any, Final

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SESSION_ID_KEY", "csrf_token", "csrf_valid", "safe_next", "start_session"]

CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
_SESSION_KEY: Final = "csrf"
SESSION_ID_KEY: Final = "sid"


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


def start_session(session: MutableMapping[str, Any], session_id: str) -> None:
    """A fresh session at log-in: nothing from before survives (no session fixation)."""
    session.clear()
    session[SESSION_ID_KEY] = session_id
    csrf_token(session)


def safe_next(target: str) -> str:
    """Only paths on this site: a crafted ?next= must not send users elsewhere after log-in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
