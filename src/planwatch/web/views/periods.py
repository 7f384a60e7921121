"""A plan's reporting periods: each period's window, state and completeness; opening a new
period, moving a window, locking and reopening with a reason.

The monitoring group and the administrator open periods and move windows; locking and
reopening stay the monitoring group's (they decide when the figures are final), as the
permission matrix says, so the page offers those buttons only to whom may use them. Locking
goes through a confirmation that lists what is still missing (indicators never submitted,
units that never reported, drafts, figures waiting for review) and warns while the window
is still open. Every
change is a call to :mod:`planwatch.services.periods`, which checks and audits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check, is_allowed
from planwatch.services import periods, region_scope
from planwatch.services.reporting_status import lock_preview
from planwatch.services.transactions import Session
from planwatch.store.models import Plan, ReportingPeriod, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.i18n import Translator
from planwatch.web.messages import error_text
from planwatch.web.params import MAX_YEAR, MIN_YEAR, RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

DayField = Annotated[str, Form(max_length=32)]
ReasonField = Annotated[str, Form(max_length=2000)]


@dataclass(frozen=True, slots=True)
class _Row:
    period: periods.PeriodView
    state: str  # locked, open, not yet open, past deadline: in the page's language
    expected: int
    reported: int  # submitted or approved
    approved: int


def _state_key(view: periods.PeriodView) -> str:
    if view.locked:
        return "periods.state.locked"
    if view.window_open:
        return "periods.state.open"
    return "periods.state.pending" if view.opens_at > datetime.now(UTC) else "periods.state.closed"


def _rows(db: Session, actor: User, plan: Plan, t: Translator) -> list[_Row]:
    totals = periods.period_totals(db, actor, plan.id)
    return [_Row(view, t(_state_key(view)), totals[view.id].expected, totals[view.id].reported,
                 totals[view.id].approved) for view in periods.list_periods(db, actor, plan.id)]


def _page(request: Request, db: Session, actor: User, plan: Plan, *, message: str | None = None,
          problem: str | None = None, form: dict[str, str] | None = None) -> HTMLResponse:
    return render(request, "plan_periods.html", {
        "plan": plan, "rows": _rows(db, actor, plan, translator(request)), "message": message, "problem": problem, "form": form or {},
        "can_lock": is_allowed(actor, Action.LOCK_PERIOD), "can_reopen": is_allowed(actor, Action.REOPEN_PERIOD),
        "can_remind": is_allowed(actor, Action.REMIND),
        "min_year": MIN_YEAR, "max_year": MAX_YEAR}, status_code=422 if problem else 200)


_DONE = frozenset({"created", "window", "locked", "reopened"})


@router.get("/plans/{plan_id}/periods", name="plan_periods")
def periods_page(request: Request, user: PageUser, db: DbSession, plan_id: RowId, done: str = "") -> HTMLResponse:
    check(user, Action.MANAGE_PERIODS)
    message = translator(request)(f"periods.done.{done}") if done in _DONE else None
    return _page(request, db, user, region_scope.plan(db, user, plan_id), message=message)


def _change(request: Request, db: Session, actor: User, plan: Plan, done: str, change: Callable[[], object],
            form: dict[str, str] | None = None) -> Response:
    """One service call in a savepoint; a refusal comes back on the page naming the field."""
    try:
        with db.begin_nested():
            change()
    except InputError as exc:
        return _page(request, db, actor, plan, problem=error_text(exc, translator(request)), form=form)
    url = local_url(request, "plan_periods", plan_id=plan.id).include_query_params(done=done)
    return RedirectResponse(url, status_code=303)


@router.post("/plans/{plan_id}/periods", name="plan_period_create")
def period_create(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                  year: Annotated[int, Form(ge=MIN_YEAR, le=MAX_YEAR)], opens: DayField, closes: DayField) -> Response:
    check(user, Action.MANAGE_PERIODS)
    plan = region_scope.plan(db, user, plan_id)
    return _change(request, db, user, plan, "created", lambda: periods.create_period(
        db, user, plan.id, year, opens_at=periods.day_start(opens, "opens"),
        closes_at=periods.day_start(closes, "closes")), form={"year": str(year), "opens": opens, "closes": closes})


def _period_plan(db: Session, user: User, period_id: int) -> tuple[ReportingPeriod, Plan]:
    period = region_scope.period(db, user, period_id)
    return period, region_scope.plan(db, user, period.plan_id)


@router.post("/periods/{period_id}/window", name="period_window")
def period_window(request: Request, user: PageUser, db: DbSession, period_id: RowId, opens: DayField,
                  closes: DayField, reason: ReasonField = "") -> Response:
    period, plan = _period_plan(db, user, period_id)
    return _change(request, db, user, plan, "window", lambda: periods.set_window(
        db, user, period.id, opens_at=periods.day_start(opens, "opens"), closes_at=periods.day_start(closes, "closes"),
        reason=reason.strip() or None))


def _lock_page(request: Request, db: Session, actor: User, period: ReportingPeriod, plan: Plan, *,
               reason: str = "", status_code: int = 200) -> HTMLResponse:
    return render(request, "plan_period_lock.html", {
        "plan": plan, "period": period, "preview": lock_preview(db, actor, period.id), "reason": reason,
        "last_day": periods.last_day(period.closes_at), "can_remind": is_allowed(actor, Action.REMIND)},
        status_code=status_code)


@router.get("/periods/{period_id}/lock", name="period_lock_confirm")
def period_lock_confirm(request: Request, user: PageUser, db: DbSession, period_id: RowId) -> Response:
    """What locking would leave unreported, read before the click (the lock itself is a POST)."""
    period, plan = _period_plan(db, user, period_id)
    if period.locked:
        return RedirectResponse(local_url(request, "plan_periods", plan_id=plan.id), status_code=303)
    return _lock_page(request, db, user, period, plan)


@router.post("/periods/{period_id}/lock", name="period_lock")
def period_lock(request: Request, user: PageUser, db: DbSession, period_id: RowId,
                reason: ReasonField = "", confirmed: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Lock after the confirmation page; a request without ``confirmed`` gets that page."""
    period, plan = _period_plan(db, user, period_id)
    if confirmed != "1":
        check(user, Action.LOCK_PERIOD)
        return _lock_page(request, db, user, period, plan, reason=reason)
    return _change(request, db, user, plan, "locked",
                   lambda: periods.lock_period(db, user, period.id, reason.strip() or None))


@router.post("/periods/{period_id}/reopen", name="period_reopen")
def period_reopen(request: Request, user: PageUser, db: DbSession, period_id: RowId,
                  reason: ReasonField = "") -> Response:
    period, plan = _period_plan(db, user, period_id)
    return _change(request, db, user, plan, "reopened", lambda: periods.reopen_period(db, user, period.id, reason))
