"""Who is asking: the session user for pages, the API token's user for /api/v1.

Passwords and tokens are checked by :mod:`planwatch.services.users`; this module hands the
user object to the services, which decide what it may do.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from planwatch.services import inbox, user_reads, users
from planwatch.services.web_sessions import find_session, touch_session
from planwatch.store.models import User
from planwatch.web.app_state import READING_METHODS, DbSession, app_database
from planwatch.web.errors import LoginRequired
from planwatch.web.security import SESSION_ID_KEY

__all__ = ["ApiUser", "PageIdentity", "PageUser", "api_user", "page_user"]


@dataclass(frozen=True, slots=True)
class PageIdentity:
    """What templates show of the user: plain values that outlive the request's session
    (an error page is rendered after the failed transaction was rolled back)."""

    id: int
    login: str
    name: str
    role: str
    org_unit_id: int | None
    region_name: str | None = None  # the district the user is bound to; None: every district


def page_user(request: Request, db: DbSession) -> User:
    """The logged-in user of a page; browsers without a live session go to the log-in form.

    The session row is looked up on every request, so a cookie kept from before log-out
    (or a password change, or deactivation) is refused at once by every app process.
    """
    token = request.session.get(SESSION_ID_KEY)
    found = find_session(db, token, request.app.state.session_policy) if isinstance(token, str) else None
    if found is None or not isinstance(token, str):
        request.session.pop(SESSION_ID_KEY, None)
        raise LoginRequired()
    if found.needs_touch:
        if request.method in READING_METHODS:
            # pages read in a read-only transaction; the idle clock is moved in a short one
            with app_database(request.app).session() as writer:
                touch_session(writer, token)
        else:
            touch_session(db, token)  # this request already holds the write transaction
    user = found.user
    request.state.user_id = user.id  # for the request log (planwatch.web.request_log)
    request.state.user = PageIdentity(user.id, user.login, user.name, user.role, user.org_unit_id,
                                      user_reads.own_district_name(db, user))
    request.state.inbox_count = functools.cache(lambda: inbox.inbox_count(db, user))
    return user


def api_user(request: Request, db: DbSession, authorization: Annotated[str | None, Header()] = None) -> User:
    """The user an API token belongs to (``Authorization: Bearer <token>``)."""
    scheme, _, token = (authorization or "").partition(" ")
    user = users.user_for_token(db, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None or not user.active:
        raise HTTPException(status_code=401, detail="缺少或无效的 API 令牌（Authorization: Bearer …）",
                            headers={"WWW-Authenticate": "Bearer"})
    request.state.user_id = user.id  # for the request log (planwatch.web.request_log)
    return user


PageUser = Annotated[User, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]
