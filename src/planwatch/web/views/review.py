"""The review queue in the browser: figures and progress reports, filtered by plan, period,
unit and state, paged, with their plausibility flags, four-eyes marks and comment threads.

Approving or returning ticks rows and runs in one savepoint: all of them or none. A refusal
(a return without a reason, a row the reviewer may not approve) comes back with the ticks
kept and a sentence saying what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import URL

from planwatch.errors import NotFound, PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.services import (
    ledger_progress,
    orgunit_reads,
    periods,
    pickers,
    region_scope,
    review,
    review_queue,
)
from planwatch.services.review_queue import QUEUE_STATES, QueueFilter, report_queue, value_queue
from planwatch.services.transactions import Session
from planwatch.store.models import User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.errors import is_fragment_request
from planwatch.web.paging import Paging
from planwatch.web.params import MAX_ROW_ID, RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

PageNumber = Annotated[int, Form(ge=1, le=100_000)]
Page = Annotated[int, Query(ge=1, le=100_000)]
Choice = Annotated[str, Query(max_length=12)]
UnitChoice = Annotated[str, Query(max_length=200)]  # a unit's id (the pager's links) or name or code (the picker)
Comment = Annotated[str, Form(max_length=2000)]
_DONE = {"approved": "review.approved", "returned": "review.returned", "reports_approved": "review.reports_approved",
         "reports_returned": "review.reports_returned"}


def _choice(text: str) -> int | None:
    """A filter's select: a row id, or "" (全部) for no filter."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ROW_ID else None


def _filters(plan: int | None, period: int | None, unit: int | None, state: str, flagged: bool) -> QueueFilter:
    return QueueFilter(plan, period, unit, state if state in QUEUE_STATES else "submitted", flagged)


def _choices(db: Session, user: User, filters: QueueFilter) -> dict[str, Any]:
    plans = region_scope.plans(db, user, monitored=True)
    shown = [p for p in plans if filters.plan_id in (None, p.id)]
    period_choices = [{"id": v.id, "label": f"{p.title} · {v.code}" if len(shown) > 1 else v.code,
                       "locked": v.locked} for p in shown for v in periods.list_periods(db, user, p.id)]
    # the unit is a picker (a province's tree has tens of thousands): only the chosen one's name
    chosen = filters.org_unit_id
    unit_name = orgunit_reads.unit_names(db, user, [chosen]).get(chosen, "") if chosen is not None else ""
    return {"plans": plans, "period_choices": period_choices, "unit_name": unit_name, "states": QUEUE_STATES}


def _unit_choice(db: Session, user: User, typed: str) -> int | None:
    """The unit filter: an id, or the name or code a picker sends (of the user's district)."""
    if typed.strip().isdigit():
        return _choice(typed)
    found = pickers.unit_named(db, region_scope.region_of(db, user), typed)
    return found.id if found is not None else None


def _page(request: Request, db: Session, user: User, filters: QueueFilter, page: int, rpage: int, *,
          message: str = "", error: bool = False, about: str | None = None, ticked: set[int] | None = None,
          comment: str = "", status_code: int = 200) -> HTMLResponse:
    """The queue; ``about`` names the section a decision was made in ("values", "reports"):
    its message, ticks and comment are shown there, and a fetch gets that section alone."""
    values = value_queue(db, user, filters, page=page, page_size=review_queue.PAGE_SIZE)
    reports = report_queue(db, user, filters, page=rpage, page_size=review_queue.PAGE_SIZE)

    # each list's pager keeps the other list's page and the filters
    values_paging = Paging(values.page, values.total, _url(request, filters, values.page, reports.page),
                           values.page_size, parameter="page", anchor="review-values")
    reports_paging = Paging(reports.page, reports.total, _url(request, filters, values.page, reports.page),
                            reports.page_size, parameter="rpage", anchor="review-reports")
    kept = {about: (ticked or set(), comment)} if about else {}
    context = {"values": values, "reports": reports, "filters": filters, "values_paging": values_paging,
               "reports_paging": reports_paging,
               "message": message, "error": error, "about": about,
               "ticked": kept.get("values", (set(), ""))[0], "comment": kept.get("values", (set(), ""))[1],
               "ticked_reports": kept.get("reports", (set(), ""))[0],
               "report_comment": kept.get("reports", (set(), ""))[1], **_choices(db, user, filters)}
    if about is not None and is_fragment_request(request):
        return render(request, f"fragments/review_{about}.html", context, status_code=status_code)
    return render(request, "review.html", context, status_code=status_code)


@router.get("/review", name="review_page")
def review_page(request: Request, user: PageUser, db: DbSession, plan: Choice = "", period: Choice = "",
                unit: UnitChoice = "", state: str = "submitted", flagged: bool = False, page: Page = 1, rpage: Page = 1,
                done: str = "", count: Annotated[int, Query(ge=0, le=100_000)] = 0) -> HTMLResponse:
    check(user, Action.APPROVE)
    message = translator(request)(_DONE[done], count=count) if done in _DONE else ""
    filters = _filters(_choice(plan), _choice(period), _unit_choice(db, user, unit), state, flagged)
    return _page(request, db, user, filters, page, rpage, message=message)


def _url(request: Request, filters: QueueFilter, page: int, rpage: int, **more: str | int) -> URL:
    """The queue's address with its filters and pages (the links between pages, the way back)."""
    params = {"plan": filters.plan_id, "period": filters.period_id, "unit": filters.org_unit_id,
              "state": filters.state, "flagged": "true" if filters.flagged else None, "page": page, "rpage": rpage,
              **more}
    return local_url(request, "review_page").include_query_params(**{k: v for k, v in params.items() if v is not None})


def _back(request: Request, filters: QueueFilter, page: int, rpage: int, done: str, count: int) -> RedirectResponse:
    return RedirectResponse(str(_url(request, filters, page, rpage, done=done, count=count)), status_code=303)


@dataclass(frozen=True, slots=True)
class _Decision:
    """A decision form of the queue: approve or return, the comment, and where the reviewer was."""

    decision: str
    comment: str
    filters: QueueFilter
    page: int
    rpage: int

    @property
    def returning(self) -> bool:
        return self.decision == "return"


def _decision(decision: Annotated[str, Form(pattern="^(approve|return)$")] = "approve", comment: Comment = "",
              plan: Annotated[RowId | None, Form()] = None, period: Annotated[RowId | None, Form()] = None,
              unit: Annotated[RowId | None, Form()] = None, state: Annotated[str, Form()] = "submitted",
              flagged: Annotated[bool, Form()] = False, page: PageNumber = 1, rpage: PageNumber = 1) -> _Decision:
    return _Decision(decision, comment, _filters(plan, period, unit, state, flagged), page, rpage)


Decision = Annotated[_Decision, Depends(_decision)]


def _decide(request: Request, db: Session, user: User, form: _Decision, chosen: list[int], about: str,
            act: Callable[[], object]) -> Response:
    """Run ``act`` on the ticked rows in one savepoint; a refusal comes back with the ticks and
    the comment kept and a sentence saying what is missing."""
    check(user, Action.APPROVE)
    t = translator(request)
    if not chosen:
        return _page(request, db, user, form.filters, form.page, form.rpage, message=t("review.nothing_selected"),
                     error=True, about=about, comment=form.comment, status_code=422)
    try:
        with db.begin_nested():
            act()
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        problem = (t("review.return_needs_reason", count=len(chosen)) if form.returning and not form.comment.strip()
                   else str(exc))
        return _page(request, db, user, form.filters, form.page, form.rpage, message=problem, error=True,
                     about=about, ticked=set(chosen), comment=form.comment, status_code=422)
    done = ("reports_" if about == "reports" else "") + ("returned" if form.returning else "approved")
    if is_fragment_request(request):
        return _page(request, db, user, form.filters, form.page, form.rpage, about=about,
                     message=t(_DONE[done], count=len(chosen)))
    return _back(request, form.filters, form.page, form.rpage, done, len(chosen))


@router.post("/review", name="review_decide")
def review_decide(request: Request, user: PageUser, db: DbSession, form: Decision,
                  observation_id: Annotated[list[RowId] | None, Form()] = None) -> Response:
    chosen = list(dict.fromkeys(observation_id or []))

    def act() -> None:
        if form.returning:
            review.return_many(db, user, chosen, form.comment)
        else:
            review.approve_many(db, user, chosen, comment=form.comment.strip() or None)

    return _decide(request, db, user, form, chosen, "values", act)


@router.post("/review/reports", name="review_reports")
def review_reports(request: Request, user: PageUser, db: DbSession, form: Decision,
                   report_id: Annotated[list[RowId] | None, Form()] = None) -> Response:
    chosen = list(dict.fromkeys(report_id or []))

    def act() -> None:
        for one in chosen:
            ledger_progress.review_report(db, user, one, approve=not form.returning, note=form.comment)

    return _decide(request, db, user, form, chosen, "reports", act)
