"""Administrator pages: users (add, reset password, deactivate, log out everywhere), their
API tokens (create with an expiry, revoke) and the four-eyes setting.

Every change goes through :mod:`planwatch.services.users` or ``settings``, which check the
acting administrator and write the audit event; this module only turns forms into calls.
A new token is shown once, on the page that answers its creation, and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import Action, Role, check
from planwatch.services import settings, users
from planwatch.store.models import User, WebSession
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])


def _user(db: Session, user_id: int) -> User:
    user = users.get_user(db, user_id)
    if user is None:
        raise HTTPException(status_code=404)
    return user


def _users_page(request: Request, db: Session, actor: User, *, message: str | None = None, error: bool = False,
                form: dict[str, str] | None = None, q: str = "", page: int = 1) -> HTMLResponse:
    """A page of the users (thousands of clerks in a province), found by login, name or unit."""
    listed = users.list_users(db, actor, q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    sessions = {user_id: count for user_id, count in db.execute(
        select(WebSession.user_id, func.count()).where(WebSession.user_id.in_([p.id for p in listed.people]))
        .group_by(WebSession.user_id))}
    url = local_url(request, "admin_users").include_query_params(**({"q": q} if q else {}))
    return render(request, "admin_users.html", {
        "people": listed.people, "paging": Paging(page, listed.total, url), "q": q, "sessions": sessions,
        "roles": list(Role), "four_eyes": settings.four_eyes_required(db),
        "message": message, "error": error, "form": form or {}}, status_code=422 if error else 200)


def _user_page(request: Request, db: Session, actor: User, person: User, *, message: str | None = None,
               error: bool = False, new_token: str | None = None) -> HTMLResponse:
    live = db.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == person.id)) or 0
    return render(request, "admin_user.html", {
        "person": person, "person_role": Role(person.role), "tokens": users.list_tokens(db, actor, person),
        "live_sessions": live, "message": message, "error": error, "new_token": new_token,
        "max_days": users.MAX_TOKEN_DAYS}, status_code=422 if error else 200)


def _back_to(request: Request, person: User, done: str) -> RedirectResponse:
    return RedirectResponse(local_url(request, "admin_user", user_id=person.id).include_query_params(done=done),
                            status_code=303)


@router.get("/users", name="admin_users")
def users_page(request: Request, actor: PageUser, db: DbSession, done: str = "",
               q: Annotated[str, Query(max_length=200)] = "", page: PageNumber = 1) -> HTMLResponse:
    check(actor, Action.MANAGE_USERS)
    return _users_page(request, db, actor, message=_done(request, done), q=q, page=page)


@router.post("/users", name="admin_user_add")
def user_add(request: Request, actor: PageUser, db: DbSession, login: Annotated[str, Form()],
             password: Annotated[str, Form()], role: Annotated[str, Form()], name: Annotated[str, Form()] = "",
             org_unit: Annotated[str, Form()] = "") -> Response:
    try:
        with db.begin_nested():
            users.add_user(db, actor, login, password, role, name=name, org_unit=org_unit or None)
    except PlanWatchError as exc:
        return _users_page(request, db, actor, message=str(exc), error=True,
                           form={"login": login, "name": name, "role": role, "org_unit": org_unit})
    return RedirectResponse(local_url(request, "admin_users").include_query_params(done="added"), status_code=303)


@router.post("/settings/four-eyes", name="admin_four_eyes")
def four_eyes(request: Request, actor: PageUser, db: DbSession, required: Annotated[str, Form()],
              reason: Annotated[str, Form()] = "") -> Response:
    settings.set_four_eyes(db, actor, required == "on", reason)
    return RedirectResponse(local_url(request, "admin_users").include_query_params(done="settings"), status_code=303)


@router.get("/users/{user_id}", name="admin_user")
def user_page(request: Request, actor: PageUser, db: DbSession, user_id: int, done: str = "") -> HTMLResponse:
    check(actor, Action.MANAGE_USERS)
    return _user_page(request, db, actor, _user(db, user_id), message=_done(request, done))


def _change(request: Request, actor: User, db: Session, person: User, done: str, change: Any) -> Response:
    """Run one service call for ``person``; a refusal comes back on the user's page."""
    try:
        with db.begin_nested():
            change()
    except PlanWatchError as exc:
        return _user_page(request, db, actor, person, message=str(exc), error=True)
    return _back_to(request, person, done)


@router.post("/users/{user_id}/password", name="admin_user_password")
def user_password(request: Request, actor: PageUser, db: DbSession, user_id: int,
                  password: Annotated[str, Form()]) -> Response:
    person = _user(db, user_id)
    return _change(request, actor, db, person, "password", lambda: users.set_password(db, actor, person, password))


@router.post("/users/{user_id}/active", name="admin_user_active")
def user_active(request: Request, actor: PageUser, db: DbSession, user_id: int,
                active: Annotated[str, Form()]) -> Response:
    person = _user(db, user_id)
    on = active == "on"
    return _change(request, actor, db, person, "activated" if on else "deactivated",
                   lambda: users.set_active(db, actor, person, on))


@router.post("/users/{user_id}/logout", name="admin_user_logout")
def user_logout(request: Request, actor: PageUser, db: DbSession, user_id: int) -> Response:
    person = _user(db, user_id)
    return _change(request, actor, db, person, "logged_out", lambda: users.log_out_everywhere(db, actor, person))


@router.post("/users/{user_id}/tokens", name="admin_token_add")
def token_add(request: Request, actor: PageUser, db: DbSession, user_id: int, label: Annotated[str, Form()] = "",
              expires_days: Annotated[str, Form()] = "") -> HTMLResponse:
    person = _user(db, user_id)
    try:
        days = int(expires_days) if expires_days.strip() else None
    except ValueError:
        return _user_page(request, db, actor, person, error=True,
                          message=f"expires_days：有效天数应为整数，实际为「{expires_days}」")
    try:
        with db.begin_nested():
            token = users.create_token(db, person, label, actor=actor, expires_days=days)
    except PlanWatchError as exc:
        return _user_page(request, db, actor, person, message=str(exc), error=True)
    return _user_page(request, db, actor, person, new_token=token)


@router.post("/tokens/{token_id}/revoke", name="admin_token_revoke")
def token_revoke(request: Request, actor: PageUser, db: DbSession, token_id: int) -> Response:
    token = users.revoke_token(db, actor, token_id)
    return _back_to(request, _user(db, token.user_id), "revoked")


_DONE = frozenset({"added", "settings", "password", "activated", "deactivated", "logged_out", "revoked"})


def _done(request: Request, done: str) -> str | None:
    return translator(request)(f"admin.done.{done}") if done in _DONE else None
