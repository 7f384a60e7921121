"""The key that signs session cookies, kept in the database so that every app process and
every host on it accepts every session, and a restart keeps people logged in, with nothing
to configure by hand.

The first process that needs a key makes one (two starting at once agree: the key is the
row of the lowest number, made by whichever insert came first); ``planwatch settings
rotate-session-key`` replaces it, ends every session (everyone logs in again) and is
audited. The key itself never enters the audit trail or a backup.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planwatch.services.web_sessions import end_every_session
from planwatch.store.models import AuditEvent, SessionKey, User, utcnow

__all__ = ["rotate_session_key", "session_key"]

log = logging.getLogger(__name__)


def session_key(session: Session) -> str:
    """The current key, made on first use."""
    found = session.scalar(select(SessionKey.secret).order_by(SessionKey.id.desc()).limit(1))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            session.add(SessionKey(id=1, secret=secrets.token_urlsafe(48), created_at=utcnow()))
    except IntegrityError:
        pass  # another process made the first key meanwhile: its row is the key
    return session.scalars(select(SessionKey.secret).order_by(SessionKey.id.desc()).limit(1)).one()


def rotate_session_key(session: Session, actor: User, reason: str = "") -> int:
    """Replace the key and end every session; returns how many sessions ended. Every app
    process takes the new key within seconds (at once when a cookie signed with it arrives)."""
    newest = session.scalar(select(SessionKey.id).order_by(SessionKey.id.desc()).limit(1)) or 0
    key = SessionKey(id=newest + 1, secret=secrets.token_urlsafe(48), created_at=utcnow())
    session.add(key)
    session.flush()
    session.execute(delete(SessionKey).where(SessionKey.id < key.id))
    ended = end_every_session(session)
    session.add(AuditEvent.of(actor, "rotate", "session_keys", key.id, new={"sessions_ended": ended},
                              reason=reason or None))
    session.flush()
    log.warning("session key rotated by user #%d: %d sessions ended", actor.id, ended)
    return ended
