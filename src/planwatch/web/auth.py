"""Who is asking: the session user for pages, the API token's user for /api/v1.

Passwords and tokens are checked by :mod:`planwatch.services.users`; this module hands the
user object to the services, which decide what it may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from planwatch.services import users
from planwatch.store.models import User
from planwatch.web.app_state import DbSession
from planwatch.web.errors import LoginRequired

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


def page_user(request: Request, db: DbSession) -> User:
    """The logged-in user of a page; browsers without a session go to the log-in form."""
    user_id = request.session.get("uid")
    user = users.get_user(db, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        request.session.pop("uid", None)
        raise LoginRequired()
    request.state.user = PageIdentity(user.id, user.login, user.name, user.role, user.org_unit_id)
    return user


def api_user(db: DbSession, authorization: Annotated[str | None, Header()] = None) -> User:
    """The user an API token belongs to (``Authorization: Bearer <token>``)."""
    scheme, _, token = (authorization or "").partition(" ")
    user = users.user_for_token(db, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None or not user.active:
        raise HTTPException(status_code=401, detail="缺少或无效的 API 令牌（Authorization: Bearer …）",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


PageUser = Annotated[User, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]
