"""Browser session routes: log-in (throttled, fresh session), log-out, the language switch,
and the CSRF check every state-changing form passes through."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.services import users
from planwatch.services.login_throttle import LoginThrottle
from planwatch.web.app_state import DbSession
from planwatch.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from planwatch.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
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
def login(request: Request, db: DbSession, login: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    throttle: LoginThrottle = request.app.state.throttle
    ip = request.client.host if request.client else "unknown"
    t = translator(request)
    wait = throttle.retry_after(db, ip, login)
    if wait is not None:
        response = render(request, "login.html", {"next": next, "login": login, "error": True,
                                                  "message": t("login.throttled", seconds=wait)},
                          status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = users.authenticate(db, login, password)
    if user is None or not user.active:
        throttle.record_failure(db, ip, login)
        return render(request, "login.html", {"next": next, "login": login, "error": True,
                                              "message": t("login.failed")}, status_code=401)
    throttle.reset(db, ip, login)
    start_session(request.session, user.id)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", name="logout")
def logout(request: Request) -> HTMLResponse:
    request.session.clear()
    return render(request, "login.html", {"next": "/", "login": "", "error": False,
                                          "message": translator(request)("logout.done")})


@router.get("/lang/{code}", name="set_language")
def set_language(request: Request, code: str, next: str = Query("/")) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True,
                            samesite="lax", secure=request.app.state.https)
    return response
