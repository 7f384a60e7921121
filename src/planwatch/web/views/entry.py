"""The data-entry page, as DHIS2's data entry: each indicator with what the clerk needs to fill
it in, saved as a draft row by row, then 全部报送 after a confirmation.

Every row shows the indicator's target (and its year), baseline, last year's value, what
to enter (a level, a growth rate, a reduction) and the deadline, from
:mod:`planwatch.services.entry_context`. A row that cannot be saved comes back with the
message beside what was typed; nothing typed is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.errors import NotFound, PlanWatchError
from planwatch.evaluate import Verdict
from planwatch.monitor.permissions import Action, Role, Scope, check, is_allowed
from planwatch.monitor.workflow import ObservationState
from planwatch.services import (
    entry_sheet,
    observation_values,
    observations,
    orgunit_reads,
    periods,
    region_scope,
    regions,
)
from planwatch.services.entry_sheet import EntryLine, SheetIndex
from planwatch.services.paging import clamped_page
from planwatch.services.transactions import Session
from planwatch.store.clock import utcnow
from planwatch.store.models import OrgUnit, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.errors import is_fragment_request
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.params import Offset, RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["readable_problem", "render_entry_page", "router"]

ROWS_PER_PAGE: Final = PAGE_SIZE  # rows of the sheet a page shows (the counts above them: all of them)

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

TextField = Annotated[str, Form(max_length=2000)]
_EDITABLE = {None, ObservationState.DRAFT, ObservationState.RETURNED}
_FIELD_PREFIX = re.compile(r"^(value|unit|disaggregation)：")


@dataclass(frozen=True, slots=True)
class Typed:
    """What the clerk typed in a row, shown again with the message when it was not saved."""

    value: str
    source: str
    note: str


@dataclass(frozen=True, slots=True)
class _Row:
    line: EntryLine
    editable: bool
    value_text: str
    source: str
    note: str
    message: str = ""
    error: bool = False

    @property
    def hint_key(self) -> str:
        """The i18n key of what to enter: a level, or the kind of rate (see EntryKind)."""
        return f"entry.hint.{self.line.context.kind.name.lower()}"


def readable_problem(problems: str) -> str:
    """The services name the field of each problem (value：…) for API clients and the CLI; the
    form row already shows the indicator, the unit and the field, so a clerk reads the reasons
    alone, each a sentence of its own."""
    return "；".join(_FIELD_PREFIX.sub("", problem.strip()) for problem in problems.split("；"))


def _entry_units(db: Session, user: User, plan_id: int | None) -> list[OrgUnit]:
    """A clerk's own unit; for the others, the units of the chosen period's plan's district
    that have indicators of the plan to report (a province's tree has tens of thousands of
    units, each an option of the form: 1.4 MB and 650 ms a page)."""
    if user.role == Role.CLERK:
        own = orgunit_reads.own_unit(db, user)
        return [own] if own is not None else []
    if not is_allowed(user, Action.ENTER, Scope(org_unit_id=None)):
        check(user, Action.MANAGE_PERIODS)  # an administrator: any unit's template, no entry
    if plan_id is None:
        return []
    return regions.plan_units(db, user, region_scope.plan(db, user, plan_id), reporting=True)


def _choice(plan_title: str, view: periods.PeriodView) -> dict[str, Any]:
    return {"id": view.id, "label": f"{plan_title} · {view.code}", "window_open": view.window_open,
            "last_day": periods.last_day(view.closes_at), "code": view.code, "locked": view.locked}


def _open_periods(db: Session, user: User) -> list[dict[str, Any]]:
    """The unlocked periods of the user's district's plans; a clerk's only of the plans that
    give its unit something to report."""
    return [_choice(plan.title, view) for plan in region_scope.reporting_plans(db, user)
            for view in periods.list_periods(db, user, plan.id) if not view.locked]


def _row(user: User, period_locked: bool, window_open: bool, line: EntryLine, *, typed: Typed | None = None,
         message: str = "", error: bool = False) -> _Row:
    editable = line.state in _EDITABLE and not period_locked and (user.role != Role.CLERK or window_open)
    shown = typed or Typed(line.value_text, line.source, line.note)
    return _Row(line, editable, shown.value, shown.source, shown.note, message, error)


def _summary(index: SheetIndex | None, last_day: date) -> dict[str, Any]:
    """The counts above the rows: of the whole sheet, whichever page is shown."""
    sheet = index or SheetIndex([], [])
    return {"total": len(sheet.indicator_ids), "empty": sheet.count(None), "draft": sheet.count(ObservationState.DRAFT),
            "returned": sheet.count(ObservationState.RETURNED), "submitted": sheet.count(ObservationState.SUBMITTED),
            "approved": sheet.count(ObservationState.APPROVED), "days_left": (last_day - utcnow().date()).days}


@router.get("/entry", name="entry_page")
def entry_page(request: Request, user: PageUser, db: DbSession, period: RowId | None = None,
               unit: RowId | None = None, done: str = "", values: Offset = 0, reports: Offset = 0,
               page: PageNumber = 1) -> HTMLResponse:
    message = translator(request)("entry.all_submitted", values=values, reports=reports) if done == "submitted" else ""
    return render_entry_page(request, db, user, period, unit, message=message, page=page)


def _page_context(request: Request, db: Session, user: User, period: int | None, unit: int | None,
                  answered: _Row | None = None, *, page: int | None = None, rows_shown: bool = True) -> dict[str, Any]:
    """What the form shows: the periods and units to choose from, the chosen ones, a page of
    the rows (``answered`` in place of its own; page None: the page with ``answered`` on it)
    and the counts above them (``rows_shown`` False: the counts only, for a row saved in place)."""
    t = translator(request)
    open_periods = _open_periods(db, user)
    chosen = next((p for p in open_periods if p["id"] == period), None)
    if chosen is None and period is not None and answered is not None:  # a row answered for a locked period
        view = next(v for v in periods.list_periods(db, user, periods.get_period(db, period).plan_id) if v.id == period)
        chosen = _choice(region_scope.plan(db, user, view.plan_id).title, view)
    chosen = chosen or (open_periods[0] if open_periods else None)
    units = _entry_units(db, user, periods.get_period(db, chosen["id"]).plan_id if chosen else None)
    the_unit = next((u for u in units if u.id == unit), units[0] if units else None)
    rows: list[_Row] = []
    index, paging = None, None
    can_enter = user.role == Role.CLERK or is_allowed(user, Action.ENTER, Scope(org_unit_id=None))
    if chosen is not None and the_unit is not None and can_enter:
        index = entry_sheet.sheet_index(db, user, chosen["id"], the_unit.id)
        if page is None:
            at = index.position(answered.line.context.indicator_id) if answered is not None else None
            page = 1 + (at or 0) // ROWS_PER_PAGE
        url = local_url(request, "entry_page").include_query_params(period=chosen["id"], unit=the_unit.id)
        total = len(index.indicator_ids)
        paging = Paging(clamped_page(page, total, ROWS_PER_PAGE), total, url, size=ROWS_PER_PAGE)
        shown = index.indicator_ids[paging.offset:paging.offset + paging.size] if rows_shown else []
        sheet = entry_sheet.entry_sheet(db, user, chosen["id"], the_unit.id, indicator_ids=shown) if shown else []
        rows = [answered if answered is not None and answered.line.context.indicator_id == line.context.indicator_id
                else _row(user, chosen["locked"], chosen["window_open"], line) for line in sheet]
    return {"periods": open_periods, "period": chosen, "units": units, "unit": the_unit, "rows": rows,
            "paging": paging, "can_enter": can_enter, "summary": _summary(index, chosen["last_day"]) if chosen else None,
            "verdicts": [(v.label_zh, t(f"verdict.{v.value}")) for v in Verdict],
            "may_submit": bool(chosen and not chosen["locked"] and (user.role != Role.CLERK or chosen["window_open"]))}


def render_entry_page(request: Request, db: Session, user: User, period: int | None, unit: int | None, *,
                      answered: _Row | None = None, status_code: int = 200, upload: dict[str, Any] | None = None,
                      message: str = "", page: int | None = None) -> HTMLResponse:
    """The entry form; ``answered`` is the row just posted, shown with its message in place
    (on its page); ``upload`` the outcome of an uploaded template (its summary or every bad cell)."""
    context = _page_context(request, db, user, period, unit, answered, page=page)
    return render(request, "entry.html", {**context, "upload": upload,
                                          "message": message}, status_code=status_code)


def _one_row(db: Session, user: User, period_id: int, unit_id: int, indicator_id: int, **kwargs: Any) -> _Row:
    period = periods.get_period(db, period_id)
    lines = entry_sheet.entry_sheet(db, user, period_id, unit_id, indicator_ids=[indicator_id])
    if not lines:
        raise HTTPException(status_code=404, detail=f"指标 #{indicator_id} 不在本单位本期的填报范围内")
    return _row(user, period.locked, periods.window_is_open(period), lines[0], **kwargs)


@router.post("/entry", name="entry_save")
def entry_save(request: Request, user: PageUser, db: DbSession, indicator_id: Annotated[RowId, Form()],
               period_id: Annotated[RowId, Form()], org_unit_id: Annotated[RowId, Form()],
               value: TextField = "", source: TextField = "", note: TextField = "",
               step: Annotated[str, Form()] = "enter") -> Response:
    """Save a row as a draft (``step`` submit: and submit it, for scripts of the old form)."""
    t = translator(request)
    region_scope.indicator(db, user, indicator_id)  # another district's: answered 404
    typed: Typed | None = Typed(value, source, note)
    try:
        with db.begin_nested():
            view = observations.enter_value(db, user, period_id, observations.ObservationInput(
                indicator_id, org_unit_id, value, source=source, note=note))
            if step == "submit":
                observations.submit(db, user, view.id)
        message, error, typed = t("entry.submitted" if step == "submit" else "entry.saved"), False, None
    except observations.ValueRejected as exc:
        message, error = t("entry.not_saved", reason=readable_problem(exc.problem)), True
    except NotFound:  # another district's unit or period: answered 404
        raise
    except PlanWatchError as exc:  # another unit's row: re-reading it below answers 403
        message, error = str(exc), True
    row = _one_row(db, user, period_id, org_unit_id, indicator_id, typed=typed, message=message, error=error)
    if is_fragment_request(request):  # the row, and the counts above the rows brought up to date
        context = {**_page_context(request, db, user, period_id, org_unit_id, row, rows_shown=False), "row": row,
                   "refresh_summary": True}
        return render(request, "fragments/entry_row.html", context, status_code=422 if error else 200)
    if error:  # without JavaScript: the whole form again, the message beside the value typed
        return render_entry_page(request, db, user, period_id, org_unit_id, answered=row, status_code=422)
    at = entry_sheet.sheet_index(db, user, period_id, org_unit_id).position(indicator_id) or 0
    return RedirectResponse(str(local_url(request, "entry_page").include_query_params(
        period=period_id, unit=org_unit_id, page=1 + at // ROWS_PER_PAGE)) + f"#row-{indicator_id}", status_code=303)


@router.post("/entry/validate/{indicator_id}", name="entry_validate")
def entry_validate(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                   value: Annotated[str, Form()] = "") -> HTMLResponse:
    indicator = region_scope.indicator(db, user, indicator_id)
    problem = observation_values.check_value(indicator, value)
    return render(request, "fragments/check.html", {"problem": readable_problem(problem) if problem else None})


def _confirm_page(request: Request, db: Session, user: User, period_id: int, unit_id: int, *, error: str = "",
                  problems: list[str] | None = None, status_code: int = 200) -> HTMLResponse:
    preview = entry_sheet.submission_preview(db, user, period_id, unit_id)
    period = periods.get_period(db, period_id)
    return render(request, "entry_submit.html", {
        "preview": preview, "period_id": period_id, "unit_id": unit_id, "error": error, "problems": problems or [],
        "last_day": periods.last_day(period.closes_at)}, status_code=status_code)


@router.get("/entry/submit-all", name="entry_submit_confirm")
def submit_confirm(request: Request, user: PageUser, db: DbSession, period: RowId, unit: RowId) -> HTMLResponse:
    return _confirm_page(request, db, user, period, unit)


@router.post("/entry/submit-all", name="entry_submit_all")
def submit_all(request: Request, user: PageUser, db: DbSession, period_id: Annotated[RowId, Form()],
               org_unit_id: Annotated[RowId, Form()]) -> Response:
    try:
        with db.begin_nested():
            done = entry_sheet.submit_all(db, user, period_id, org_unit_id)
    except entry_sheet.SubmitRejected as exc:
        return _confirm_page(request, db, user, period_id, org_unit_id, status_code=422,
                             error=translator(request)("entry.submit_refused", count=len(exc.problems)),
                             problems=exc.problems)
    url = local_url(request, "entry_page").include_query_params(
        period=period_id, unit=org_unit_id, done="submitted", values=done.indicators, reports=done.reports)
    return RedirectResponse(str(url), status_code=303)
