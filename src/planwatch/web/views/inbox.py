"""The inbox (我的待办) and the 催报 page of a reporting period.

The inbox lists what the person must do and what they were told (see
:mod:`planwatch.services.inbox`); opening a message marks it read and goes to what it is
about. The 催报 page lists the units that still owe the period something, with one button
per unit and one for all, each answering what was sent or why not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check, is_allowed
from planwatch.services import inbox, periods, region_scope, reminders
from planwatch.services.inbox import InboxNotification
from planwatch.services.settings import reminder_interval_hours, smtp_settings
from planwatch.services.transactions import Session
from planwatch.store.clock import utcnow
from planwatch.store.models import Plan, ReportingPeriod, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.i18n import Translator
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["notification_target", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def notification_target(request: Request, note: InboxNotification) -> str:
    """Where a message leads: the thread of the figure or report, or the period's entry form."""
    if note.entity in ("observations", "ledger_reports"):
        return f"{local_url(request, 'thread_page', entity=note.entity, entity_id=note.entity_id)}#latest"
    return str(local_url(request, "entry_page").include_query_params(period=note.entity_id))


@router.get("/inbox", name="inbox_page")
def inbox_page(request: Request, user: PageUser, db: DbSession) -> HTMLResponse:
    return render(request, "inbox.html", {"box": inbox.inbox(db, user), "soon": inbox.SOON_DAYS,
                                          "can_remind": is_allowed(user, Action.REMIND)})


@router.post("/inbox/{notification_id}/open", name="inbox_open")
def inbox_open(request: Request, user: PageUser, db: DbSession, notification_id: RowId) -> RedirectResponse:
    note = inbox.mark_read(db, user, notification_id)
    return RedirectResponse(notification_target(request, note), status_code=303)


@router.post("/inbox/read", name="inbox_read_all")
def inbox_read_all(request: Request, user: PageUser, db: DbSession) -> RedirectResponse:
    inbox.mark_all_read(db, user)
    return RedirectResponse(str(local_url(request, "inbox_page")), status_code=303)


def _period(db: Session, user: User, period_id: int) -> tuple[ReportingPeriod, Plan]:
    period = region_scope.period(db, user, period_id)
    return period, region_scope.plan(db, user, period.plan_id)


def _chase_page(request: Request, db: Session, user: User, period_id: int, *, message: str = "",
                problem: str = "", status_code: int = 200) -> HTMLResponse:
    period, plan = _period(db, user, period_id)
    day = periods.last_day(period.closes_at)
    return render(request, "reminders.html", {
        "period": period, "plan": plan, "rows": reminders.chase_list(db, user, period.id),
        "last_day": day, "days_left": (day - utcnow().date()).days, "window_open": periods.window_is_open(period),
        "interval": reminder_interval_hours(db), "mail": smtp_settings(db).configured,
        "message": message, "problem": problem}, status_code=status_code)


@router.get("/periods/{period_id}/reminders", name="period_reminders")
def chase_page(request: Request, user: PageUser, db: DbSession, period_id: RowId) -> HTMLResponse:
    check(user, Action.REMIND)
    return _chase_page(request, db, user, period_id)


def _sent_message(t: Translator, outcomes: list[reminders.ReminderOutcome]) -> str:
    if not outcomes:
        return t("remind.nothing_sent")
    parts = [t("remind.sent", unit=o.unit_name, notified=o.notified, emailed=o.emailed) for o in outcomes]
    errors = sorted({o.email_error for o in outcomes if o.email_error})
    return "；".join(parts) + ("。" + "；".join(t("remind.mail_failed", error=e) for e in errors) if errors else "")


@router.post("/periods/{period_id}/reminders", name="period_remind")
def chase_send(request: Request, user: PageUser, db: DbSession, period_id: RowId,
               org_unit_id: Annotated[RowId | None, Form()] = None) -> HTMLResponse:
    """Remind one unit (``org_unit_id``) or every unit that may be reminded now."""
    period, _plan = _period(db, user, period_id)
    try:
        with db.begin_nested():
            outcomes = ([reminders.send_reminder(db, user, period.id, org_unit_id)] if org_unit_id is not None
                        else reminders.remind_all(db, user, period.id))
    except InputError as exc:
        return _chase_page(request, db, user, period.id, problem=str(exc), status_code=422)
    # answered in place: sending again on a reload is refused by the interval anyway
    return _chase_page(request, db, user, period.id, message=_sent_message(translator(request), outcomes))
