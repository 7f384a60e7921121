"""Administrator pages: users (add, name and e-mail, reset password, deactivate, log out
everywhere), their API tokens (create with an expiry, revoke) and the settings: the four-eyes
rule, the mail server reminders go out through and the interval between two reminders.

Every change goes through :mod:`planwatch.services.users` or ``settings``, which check the
acting administrator and write the audit event; this module only turns forms into calls.
A new token is shown once, on the page that answers its creation, and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.errors import NotFound, PlanWatchError
from planwatch.fields import read_integer
from planwatch.monitor.permissions import Action, Role, check
from planwatch.services import orgunits, region_scope, settings, user_reads, users
from planwatch.services.installation import check_installation
from planwatch.services.transactions import Session
from planwatch.services.users import MAX_TOKEN_DAYS
from planwatch.store.models import User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])


def _user(db: Session, actor: User, user_id: int) -> User:
    """A user of the administrator's region (404 for another district's)."""
    return users.get_user(db, actor, user_id)


def _regions(db: Session, actor: User) -> dict[str, Any]:
    """The districts a user can be bound to by ``actor``, and whether "every district" is one."""
    return {"districts": orgunits.list_org_units(db, actor, kind="district"),
            "all_regions": region_scope.region_of(db, actor).everywhere, "all_value": users.ALL_REGIONS}


def _users_page(request: Request, db: Session, actor: User, *, message: str | None = None, error: bool = False,
                form: dict[str, str] | None = None, q: str = "", page: int = 1) -> HTMLResponse:
    """A page of the users (thousands of clerks in a province), found by login, name or unit."""
    listed = users.list_users(db, actor, q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    sessions = user_reads.live_session_counts(db, actor, [p.id for p in listed.people])
    url = local_url(request, "admin_users").include_query_params(**({"q": q} if q else {}))
    return render(request, "admin_users.html", {
        "people": listed.people, "paging": Paging(page, listed.total, url), "q": q, "sessions": sessions,
        "roles": list(Role), "four_eyes": settings.four_eyes_required(db),
        "smtp": settings.smtp_settings(db), "reminder_hours": settings.reminder_interval_hours(db),
        **_regions(db, actor),
        "message": message, "error": error, "form": form or {}}, status_code=422 if error else 200)


def _user_page(request: Request, db: Session, actor: User, person: User, *, message: str | None = None,
               error: bool = False, new_token: str | None = None) -> HTMLResponse:
    live = user_reads.live_sessions(db, actor, person)
    region = user_reads.bound_district(db, actor, person)
    return render(request, "admin_user.html", {
        "person": person, "person_role": Role(person.role), "tokens": users.list_tokens(db, actor, person),
        "region": region, **_regions(db, actor),
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
             password: Annotated[str, Form()], role: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
             org_unit: Annotated[str, Form()] = "", region: Annotated[str, Form()] = "",
             email: Annotated[str, Form(max_length=300)] = "") -> Response:
    try:
        with db.begin_nested():
            users.add_user(db, actor, login, password, role, name=name, org_unit=org_unit or None,
                           region=region or None, email=email)
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return _users_page(request, db, actor, message=str(exc), error=True,
                           form={"login": login, "name": name, "role": role, "org_unit": org_unit, "region": region,
                                 "email": email})
    return RedirectResponse(local_url(request, "admin_users").include_query_params(done="added"), status_code=303)


@router.post("/settings/four-eyes", name="admin_four_eyes")
def four_eyes(request: Request, actor: PageUser, db: DbSession, required: Annotated[str, Form()],
              reason: Annotated[str, Form()] = "") -> Response:
    settings.set_four_eyes(db, actor, required == "on", reason)
    return RedirectResponse(local_url(request, "admin_users").include_query_params(done="settings"), status_code=303)


@router.post("/settings/smtp", name="admin_smtp")
def smtp(request: Request, actor: PageUser, db: DbSession, host: Annotated[str, Form(max_length=255)] = "",
         port: Annotated[int, Form(ge=1, le=65535)] = 25, security: Annotated[str, Form(max_length=16)] = "starttls",
         sender: Annotated[str, Form(max_length=254)] = "", username: Annotated[str, Form(max_length=254)] = "",
         password: Annotated[str, Form(max_length=500)] = "",
         site_url: Annotated[str, Form(max_length=500)] = "") -> Response:
    """The mail server for reminders; an empty password field keeps the stored password."""
    try:
        with db.begin_nested():
            settings.set_smtp(db, actor, settings.SmtpSettings(host.strip(), port, security, sender.strip(),
                                                               username.strip(), password, site_url.strip()))
    except PlanWatchError as exc:
        return _users_page(request, db, actor, message=str(exc), error=True)
    return RedirectResponse(local_url(request, "admin_users").include_query_params(done="settings"), status_code=303)


@router.post("/settings/reminders", name="admin_reminders")
def reminder_interval(request: Request, actor: PageUser, db: DbSession,
                      hours: Annotated[int, Form(ge=0, le=100_000)]) -> Response:
    try:
        with db.begin_nested():
            settings.set_reminder_interval(db, actor, hours)
    except PlanWatchError as exc:
        return _users_page(request, db, actor, message=str(exc), error=True)
    return RedirectResponse(local_url(request, "admin_users").include_query_params(done="settings"), status_code=303)


@router.post("/users/{user_id}/contact", name="admin_user_contact")
def user_contact(request: Request, actor: PageUser, db: DbSession, user_id: RowId,
                 name: Annotated[str, Form(max_length=300)] = "",
                 email: Annotated[str, Form(max_length=300)] = "") -> Response:
    person = _user(db, actor, user_id)
    return _change(request, actor, db, person, "contact",
                   lambda: users.set_contact(db, actor, person, name=name, email=email))


@router.get("/users/{user_id}", name="admin_user")
def user_page(request: Request, actor: PageUser, db: DbSession, user_id: RowId, done: str = "") -> HTMLResponse:
    check(actor, Action.MANAGE_USERS)
    return _user_page(request, db, actor, _user(db, actor, user_id), message=_done(request, done))


def _change(request: Request, actor: User, db: Session, person: User, done: str, change: Any) -> Response:
    """Run one service call for ``person``; a refusal comes back on the user's page."""
    try:
        with db.begin_nested():
            change()
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return _user_page(request, db, actor, person, message=str(exc), error=True)
    return _back_to(request, person, done)


@router.post("/users/{user_id}/password", name="admin_user_password")
def user_password(request: Request, actor: PageUser, db: DbSession, user_id: RowId,
                  password: Annotated[str, Form()]) -> Response:
    person = _user(db, actor, user_id)
    return _change(request, actor, db, person, "password", lambda: users.set_password(db, actor, person, password))


@router.post("/users/{user_id}/region", name="admin_user_region")
def user_region(request: Request, actor: PageUser, db: DbSession, user_id: RowId,
                region: Annotated[str, Form()]) -> Response:
    """Bind the user to a district, or to every district (audited; effective at once)."""
    person = _user(db, actor, user_id)
    return _change(request, actor, db, person, "region", lambda: users.set_region(db, actor, person, region))


@router.post("/users/{user_id}/active", name="admin_user_active")
def user_active(request: Request, actor: PageUser, db: DbSession, user_id: RowId,
                active: Annotated[str, Form()]) -> Response:
    person = _user(db, actor, user_id)
    on = active == "on"
    return _change(request, actor, db, person, "activated" if on else "deactivated",
                   lambda: users.set_active(db, actor, person, on))


@router.post("/users/{user_id}/logout", name="admin_user_logout")
def user_logout(request: Request, actor: PageUser, db: DbSession, user_id: RowId) -> Response:
    person = _user(db, actor, user_id)
    return _change(request, actor, db, person, "logged_out", lambda: users.log_out_everywhere(db, actor, person))


@router.post("/users/{user_id}/tokens", name="admin_token_add")
def token_add(request: Request, actor: PageUser, db: DbSession, user_id: RowId, label: Annotated[str, Form()] = "",
              expires_days: Annotated[str, Form()] = "") -> HTMLResponse:
    person = _user(db, actor, user_id)
    try:
        days = read_integer(expires_days, "expires_days", low=1, high=MAX_TOKEN_DAYS)
        with db.begin_nested():
            token = users.create_token(db, person, label, actor=actor, expires_days=days)
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return _user_page(request, db, actor, person, message=str(exc), error=True)
    return _user_page(request, db, actor, person, new_token=token)


@router.post("/tokens/{token_id}/revoke", name="admin_token_revoke")
def token_revoke(request: Request, actor: PageUser, db: DbSession, token_id: RowId) -> Response:
    token = users.revoke_token(db, actor, token_id)
    return _back_to(request, _user(db, actor, token.user_id), "revoked")


@router.get("/system", name="admin_system")
def system_page(request: Request, actor: PageUser) -> HTMLResponse:
    """What the installation has and lacks (the fonts of the reports, LibreOffice, the chart
    assets, the database): the same checks as ``planwatch doctor``."""
    check(actor, Action.CONFIGURE)
    checks = check_installation(request.app.state.settings.database_url)
    return render(request, "admin_system.html", {
        "checks": checks, "advice": list(dict.fromkeys(c.advice for c in checks if not c.ok and c.advice))})


_DONE = frozenset({"added", "settings", "password", "activated", "deactivated", "logged_out", "revoked", "contact",
                   "region"})


def _done(request: Request, done: str) -> str | None:
    return translator(request)(f"admin.done.{done}") if done in _DONE else None
