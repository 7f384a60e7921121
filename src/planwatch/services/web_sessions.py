"""Browser sessions kept in the database, so that ending one takes effect at once.

A signed cookie alone stays valid until it expires: one copied before log-out kept reading
and writing for its eight hours. Here the cookie carries a random session id and each
request looks up its row (by the id's SHA-256 digest, so a copy of the database holds no
usable session): log-out deletes the row, and a password change, deactivation or an
administrator's "log out everywhere" deletes all rows of the user, in every app process at
once. A session ends too after ``idle`` without requests and ``absolute`` after log-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from planwatch.services.periods import utc
from planwatch.store.models import User, WebSession, utcnow

__all__ = ["SessionPolicy", "end_all_sessions", "end_every_session", "end_session", "find_session", "start_session",
           "touch_session"]


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=8)  # one working day
    # last_seen_at is written at most this often: a write per page would queue every page
    # behind SQLite's one write lock.
    touch_every: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class FoundSession:
    user: User
    needs_touch: bool


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user_id: int, policy: SessionPolicy) -> str:
    """A new session for the user; returns the id for the cookie. Ended sessions of every
    user are cleared out on the way, so the table holds live sessions only."""
    now = utcnow()
    session.execute(delete(WebSession).where(or_(WebSession.created_at <= now - policy.absolute,
                                                 WebSession.last_seen_at <= now - policy.idle)))
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_digest(token), user_id=user_id, created_at=now, last_seen_at=now))
    session.flush()
    return token


def find_session(session: Session, token: str, policy: SessionPolicy) -> FoundSession | None:
    """The active user of a live session, or None when it ended, expired or its user was deactivated."""
    row = session.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                          .where(WebSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    web_session, user = row
    now = utcnow()
    last_seen = utc(web_session.last_seen_at)
    if not user.active or utc(web_session.created_at) + policy.absolute <= now or last_seen + policy.idle <= now:
        return None
    return FoundSession(user, needs_touch=last_seen + policy.touch_every <= now)


def touch_session(session: Session, token: str) -> None:
    session.execute(update(WebSession).where(WebSession.token_hash == _digest(token)).values(last_seen_at=utcnow()))


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def end_every_session(session: Session) -> int:
    """End the sessions of every user (the session key was replaced); returns how many were live."""
    ended = session.execute(delete(WebSession))
    return cast(CursorResult[Any], ended).rowcount


def end_all_sessions(session: Session, user_id: int) -> int:
    """End every session of the user; returns how many were live."""
    ended = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return cast(CursorResult[Any], ended).rowcount
