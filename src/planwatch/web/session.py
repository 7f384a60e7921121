"""Browser session routes: log-in (throttled, fresh session), log-out, the language switch,
and the CSRF check every state-changing form passes through.

The log-in runs in three short transactions around the password check rather than one
around everything: argon2 takes tens of milliseconds on purpose, and on SQLite a
transaction that writes holds the one write lock for its whole life, so a flood of log-ins
would otherwise queue every data entry behind it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.services import users
from planwatch.services.login_throttle import LoginThrottle
from planwatch.services.web_sessions import end_session
from planwatch.services.web_sessions import start_session as start_stored_session
from planwatch.web.app_state import app_database
from planwatch.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from planwatch.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_ID_KEY,
    csrf_valid,
    safe_next,
    start_session,
)
from planwatch.web.templating import render, translator

__all__ = ["require_csrf", "router"]


async def require_csrf(request: Request) -> None:
    """Reject a POST whose form field or header does not carry the session's CSRF token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf_valid(request.session, sent):
        raise HTTPException(status_code=403, detail=translator(request)("error.csrf"))


router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/login", name="login_form")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "login": "", "message": None,
                                          "error": False})


@router.post("/login", name="login")
def login(request: Request, login: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/") -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    database = app_database(request.app)
    ip = request.client.host if request.client else "unknown"
    t = translator(request)
    with database.session() as db:
        wait = throttle.attempt(db, ip, login)
    if wait is not None:
        response = render(request, "login.html", {"next": next, "login": login, "error": True,
                                                  "message": t("login.throttled", seconds=wait)},
                          status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    with database.session(readonly=True) as db:
        check = users.login_check(db, login)
    user_id = users.verify_password(check, password)  # no transaction open while argon2 runs
    if user_id is None:
        return render(request, "login.html", {"next": next, "login": login, "error": True,
                                              "message": t("login.failed")}, status_code=401)
    with database.session() as db:
        throttle.succeeded(db, ip, login)
        users.store_fresher_hash(db, check, password)
        session_id = start_stored_session(db, user_id, request.app.state.session_policy)
    start_session(request.session, session_id)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout")
def logout(request: Request) -> HTMLResponse:
    session_id = request.session.get(SESSION_ID_KEY)
    if isinstance(session_id, str):
        with app_database(request.app).session() as db:
            end_session(db, session_id)
    request.session.clear()
    return render(request, "login.html", {"next": "/", "login": "", "error": False,
                                          "message": translator(request)("logout.done")})


@router.get("/lang/{code}", name="set_language")
def set_language(request: Request, code: str, next: str = Query("/")) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True,
                            samesite="lax", secure=request.app.state.settings.https)
    return response
