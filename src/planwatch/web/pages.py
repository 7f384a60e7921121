"""Pages for people: dashboard, plan, indicator, data entry, review, reports.

Each handler asks the services for data (they check permissions with the acting user) and
renders a template; fetch requests from static/app.js get fragments instead of whole pages.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.evaluate import Status
from planwatch.evaluate.targets import EntryKind, entry_kind
from planwatch.monitor.permissions import Action, PermissionDenied, Role, Scope, check, is_allowed
from planwatch.monitor.workflow import ObservationState
from planwatch.report import ReportKind
from planwatch.services import evaluation_snapshot, observations, periods, pickers, review
from planwatch.services import plans as plan_service
from planwatch.services.evaluation import default_year, evaluate_stored_plan
from planwatch.services.reports import FORMATS, report_file
from planwatch.store.models import (
    Assignment,
    Indicator,
    OrgUnit,
    Plan,
    Section,
    User,
)
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.charts import indicator_chart, status_pie
from planwatch.web.errors import is_fragment_request
from planwatch.web.i18n import Translator
from planwatch.web.indicator_forms import indicator_management
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.params import RowId, Year
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, localized_label, render, translator

__all__ = ["render_entry_page", "render_indicator_page", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

HISTORY_PAGE = 20  # lines of an indicator's figure history a page shows

def _plans(db: Session) -> list[Plan]:
    """The plans the selectors offer: those with indicators to monitor."""
    return plan_service.monitored_plans(db)


def _plan(db: Session, plan_id: int | None) -> Plan | None:
    """The plan asked for, or the first monitored one; 404 for an unknown id."""
    if plan_id is None:
        return next(iter(_plans(db)), None)
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise HTTPException(status_code=404)
    return plan


@router.get("/", name="home")
def home(request: Request, user: PageUser) -> RedirectResponse:
    return RedirectResponse(local_url(request, "dashboard"), status_code=303)


@router.get("/dashboard", name="dashboard")
def dashboard(request: Request, user: PageUser, db: DbSession, plan: int | None = None,
              year: Year | None = None) -> HTMLResponse:
    the_plan = _plan(db, plan)
    t = translator(request)
    if the_plan is None:
        return render(request, "error.html", {"message": t("dashboard.no_plan"), "status_code": 200})
    figures = evaluation_snapshot.headline(db, user, the_plan, year)
    summary = figures.summary
    done = sum(summary.binding_counts.get(s, 0) for s in (Status.COMPLETED, Status.AHEAD, Status.ON_TRACK))
    pie = status_pie([(s.value, localized_label(s, t.language), summary.counts.get(s, 0)) for s in Status])
    return render(request, "dashboard.html", {
        "plans": _plans(db), "plan": the_plan, "year": figures.year, "overall": summary,
        "binding_done": done, "binding_share": done / summary.binding_total if summary.binding_total else 0.0,
        "warnings": figures.warnings, "warning_count": figures.warning_count, "pie_option": pie,
        "statuses": list(Status), "completeness": sorted(figures.completeness, key=lambda c: c.share),
        "report_formats": FORMATS, "report_kinds": [(k.value, t(f"report.{k.value}")) for k in ReportKind],
    })


@router.get("/plans", name="plans")
def plans(request: Request, user: PageUser, db: DbSession) -> HTMLResponse:
    """Every current plan: those with indicators to monitor, then the documents without any."""
    current = plan_service.current_plans(db)
    counts = plan_service.indicator_counts(db, current)
    return render(request, "plans.html", {"monitored": [p for p in current if counts[p.id]], "counts": counts,
                                          "documents": [p for p in current if not counts[p.id]]})


@router.get("/plans/{plan_id}", name="plan_page")
def plan_page(request: Request, user: PageUser, db: DbSession, plan_id: RowId, domain: str = "", unit: str = "",
              status: str = "", year: Year | None = None, page: PageNumber = 1) -> HTMLResponse:
    """The plan's outline and its indicators a page at a time, filtered by domain, unit and status."""
    the_plan = _plan(db, plan_id)
    assert the_plan is not None
    url = local_url(request, "plan_page", plan_id=the_plan.id).include_query_params(
        **{k: v for k, v in {"domain": domain, "unit": unit, "status": status, "year": year}.items() if v})
    listed = evaluation_snapshot.indicator_page(db, user, the_plan, year, domain=domain, unit=unit, status=status,
                                                offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    outline = [{"level": _level(s.rank), "number": s.number, "heading": s.title}
               for s in db.scalars(select(Section).where(Section.plan_id == the_plan.id).order_by(Section.line))]
    retired = db.scalars(select(Indicator).where(Indicator.plan_id == the_plan.id, Indicator.retired_at.is_not(None),
                                                 Indicator.merged_into_id.is_(None)).order_by(Indicator.code))
    return render(request, "plan.html", {
        "plan": the_plan, "rows": listed.lines, "paging": Paging(page, listed.total, url), "outline": outline,
        "retired": list(retired), "domains": plan_service.domains(db, the_plan), "statuses": list(Status),
        "filters": {"domain": domain, "unit": unit, "status": status},
        "can_assign": is_allowed(user, Action.ASSIGN), "can_manage_periods": is_allowed(user, Action.MANAGE_PERIODS),
    })


def _level(rank: float) -> int:
    return max(1, min(int(rank), 5))


@router.get("/indicators/{indicator_id}", name="indicator_page")
def indicator_page(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                   year: Year | None = None, history: PageNumber = 1) -> Response:
    indicator = db.get(Indicator, indicator_id)
    if indicator is None:
        raise HTTPException(status_code=404)
    if indicator.merged_into_id is not None:  # merged: its figures and history are the kept one's now
        return RedirectResponse(local_url(request, "indicator_page", indicator_id=indicator.merged_into_id),
                                status_code=303)
    return render_indicator_page(request, db, user, indicator, year, history_page=history)


def render_indicator_page(request: Request, db: Session, user: User, indicator: Indicator, year: int | None, *,
                          manage: dict[str, Any] | None = None, status_code: int = 200,
                          history_page: int = 1) -> HTMLResponse:
    """The indicator's page; ``manage`` the outcome of a management form (its error, the
    conflicts of a merge to resolve)."""
    t = translator(request)
    result, chart_data, responsible = None, None, tuple(n for n in indicator.responsible_text.split("、") if n)
    if indicator.retired_at is None:
        evaluation = evaluate_stored_plan(db, user, indicator.plan, year, indicator_ids=[indicator.id])
        position = next((n for n, s in enumerate(evaluation.specs) if s.id == str(indicator.id)), None)
        if position is None:  # only a clerk's evaluation leaves indicators out: those of other units
            raise PermissionDenied(user.login, Action.VIEW, "该指标不由本单位填报")
        spec, result = evaluation.specs[position], evaluation.results[position]
        history = evaluation.values.get(spec.id, {}).items()
        chart_data, responsible = indicator_chart(spec, history, result, t), spec.responsible
    elif user.role == Role.CLERK:  # retired: out of every clerk's list
        raise PermissionDenied(user.login, Action.VIEW, "该指标已停用")
    return render(request, "indicator.html", {
        "indicator": indicator, "plan_title": indicator.plan.title, "result": result,
        "targets": indicator.targets, "responsible": responsible, "chart_data": chart_data,
        "source_text": indicator.source_text,
        "document_url": str(local_url(request, "document_page", source_file_id=indicator.plan.source_file_id))
        + f"#ind-{indicator.id}",
        **_audit_trail(request, db, user, indicator, t, history_page),
        **indicator_management(db, user, indicator, t),
        "manage": {"error": "", "conflicts": [], "other": "", "keep": "this", "reason": ""} | (manage or {}),
    }, status_code=status_code)


def _audit_trail(request: Request, db: Session, user: User, indicator: Indicator, t: Translator,
                 page: int) -> dict[str, Any]:
    """A page of the changes to the indicator's figures the user may see (a clerk: its own
    unit's), newest first, the actions (stored as codes: submit, approve) in the page's language."""
    found = observations.indicator_history_page(db, user, indicator.id, offset=(page - 1) * HISTORY_PAGE,
                                                limit=HISTORY_PAGE)
    url = local_url(request, "indicator_page", indicator_id=indicator.id)
    paging = Paging(page, found.total, url, HISTORY_PAGE, parameter="history", anchor="history")
    return {"history_paging": paging, "history": [
        {"when": h.entry.at.strftime("%Y-%m-%d %H:%M"), "who": h.entry.actor_login,
         "action": t(f"audit.{h.entry.action}"), "unit": h.org_unit_name, "period": h.period_code,
         "old": (h.entry.old or {}).get("value_text", ""), "new": (h.entry.new or {}).get("value_text", ""),
         "comment": h.entry.reason or ""} for h in found.lines]}


# ---- data entry -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _EntryRow:
    indicator_id: int
    name: str
    unit: str | None
    state: ObservationState | None
    value_text: str
    source: str
    note: str
    editable: bool
    review_comment: str = ""
    message: str = ""
    error: bool = False
    hint_key: str = ""  # i18n key of what to enter, for growth rates and reductions


_EDITABLE = {None, ObservationState.DRAFT, ObservationState.RETURNED}


def _entry_unit(db: Session, user: User, unit: int | None, unit_name: str) -> OrgUnit | None:
    """The unit whose figures the page shows: a clerk's own; for the monitoring group (and an
    administrator, who downloads any unit's template there without entering) the unit asked
    for by id or picked by name or code, else the first active unit — a province's 20,000
    units are picked in a search box, not listed."""
    if user.role == "clerk":
        return db.get_one(OrgUnit, user.org_unit_id) if user.org_unit_id else None
    if not is_allowed(user, Action.ENTER, Scope(org_unit_id=None)):
        check(user, Action.MANAGE_PERIODS)
    chosen = pickers.unit_named(db, unit_name) if unit_name.strip() else db.get(OrgUnit, unit) if unit else None
    return chosen or db.scalar(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.code).limit(1))


def _open_periods(db: Session, user: User) -> list[Any]:
    found = []
    for plan in _plans(db):
        for view in periods.list_periods(db, user, plan.id):
            if not view.locked:
                found.append({"id": view.id, "label": f"{plan.title} · {view.code}", "window_open": view.window_open})
    return found


def _entry_row(db: Session, user: User, period_id: int, indicator: Indicator, unit_id: int, *,
               message: str = "", error: bool = False, typed: str | None = None) -> _EntryRow:
    row = _entry_rows(db, user, period_id, [indicator], unit_id)[0]
    return dataclasses.replace(row, message=message, error=error,
                               value_text=typed if typed is not None else row.value_text)


def _entry_rows(db: Session, user: User, period_id: int, indicators: Sequence[Indicator],
                unit_id: int) -> list[_EntryRow]:
    """The unit's form rows of ``indicators``, in three queries whatever their number."""
    period = periods.get_period(db, period_id)
    views = {v.indicator_id: v for v in observations.list_observations(
        db, user, period_id, org_unit_id=unit_id, indicator_ids=[i.id for i in indicators])
        if v.disaggregation == observations.TOTAL}
    returned = [v.id for v in views.values() if v.state is ObservationState.RETURNED]
    comments = observations.return_comments(db, user, returned) if returned else {}
    window = user.role != "clerk" or periods.window_is_open(period)
    rows = []
    for indicator in indicators:
        view = views.get(indicator.id)
        state = view.state if view else None
        rows.append(_EntryRow(indicator.id, indicator.name, indicator.unit, state, view.value_text if view else "",
                              view.source if view else "", view.note if view else "",
                              state in _EDITABLE and not period.locked and window,
                              comments.get(view.id, "") if view else "", hint_key=_hint_key(
                                  entry_kind(indicator.name, indicator.unit))))
    return rows


def _hint_key(kind: EntryKind) -> str:
    return "" if kind == EntryKind.LEVEL else f"entry.hint.{kind.name.lower()}"


@router.get("/entry", name="entry_page")
def entry_page(request: Request, user: PageUser, db: DbSession, period: RowId | None = None,
               unit: RowId | None = None, unit_name: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    return render_entry_page(request, db, user, period, unit, unit_name=unit_name)


def render_entry_page(request: Request, db: Session, user: User, period: int | None, unit: int | None, *,
                      answered: _EntryRow | None = None, status_code: int = 200,
                      upload: dict[str, Any] | None = None, unit_name: str = "") -> HTMLResponse:
    """The entry form; ``answered`` is the row just posted, shown with its message in place;
    ``upload`` the outcome of an uploaded template (its summary or every bad cell)."""
    the_unit = _entry_unit(db, user, unit, unit_name)
    open_periods = _open_periods(db, user)
    chosen = next((p for p in open_periods if p["id"] == period), open_periods[0] if open_periods else None)
    rows: list[_EntryRow] = []
    can_enter = user.role == Role.CLERK or is_allowed(user, Action.ENTER, Scope(org_unit_id=None))
    if chosen is not None and the_unit is not None and can_enter:
        plan_id = periods.get_period(db, chosen["id"]).plan_id
        assigned = db.scalars(select(Indicator).join(Assignment, Assignment.indicator_id == Indicator.id)
                              .where(Assignment.org_unit_id == the_unit.id, Indicator.plan_id == plan_id,
                                     Indicator.retired_at.is_(None))
                              .order_by(Indicator.code).distinct())
        rows = [answered if answered is not None and answered.indicator_id == row.indicator_id else row
                for row in _entry_rows(db, user, chosen["id"], list(assigned), the_unit.id)]
    return render(request, "entry.html", {"periods": open_periods, "period": chosen, "pick_unit": user.role != "clerk",
                                          "unit": the_unit, "rows": rows, "upload": upload, "can_enter": can_enter},
                  status_code=status_code)


@router.post("/entry", name="entry_save")
def entry_save(request: Request, user: PageUser, db: DbSession, indicator_id: Annotated[RowId, Form()],
               period_id: Annotated[RowId, Form()], org_unit_id: Annotated[RowId, Form()],
               value: Annotated[str, Form()] = "", source: Annotated[str, Form()] = "",
               note: Annotated[str, Form()] = "", step: Annotated[str, Form()] = "enter") -> Response:
    t = translator(request)
    indicator = db.get(Indicator, indicator_id)
    if indicator is None:
        raise HTTPException(status_code=404)
    try:
        with db.begin_nested():
            view = observations.enter_value(db, user, period_id, observations.ObservationInput(
                indicator_id, org_unit_id, value, source=source, note=note))
            if step == "submit":
                observations.submit(db, user, view.id)
        message, error, typed = t("entry.submitted" if step == "submit" else "entry.saved"), False, None
    except observations.ValueRejected as exc:
        message, error, typed = t("entry.not_saved", reason=_readable(exc.problem)), True, value
    except PlanWatchError as exc:
        message, error, typed = str(exc), True, value
    row = _entry_row(db, user, period_id, indicator, org_unit_id, message=message, error=error, typed=typed)
    context = {"row": row, "period": {"id": period_id}, "unit": {"id": org_unit_id}}
    if is_fragment_request(request):
        return render(request, "fragments/entry_row.html", context, status_code=422 if error else 200)
    if error:  # without JavaScript: the whole form again, the message beside the value typed
        return render_entry_page(request, db, user, period_id, org_unit_id, answered=row, status_code=422)
    return RedirectResponse(str(local_url(request, "entry_page").include_query_params(
        period=period_id, unit=org_unit_id)), status_code=303)


@router.post("/entry/validate/{indicator_id}", name="entry_validate")
def entry_validate(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                   value: Annotated[str, Form()] = "") -> HTMLResponse:
    indicator = db.get(Indicator, indicator_id)
    if indicator is None:
        raise HTTPException(status_code=404)
    problem = observations.check_value(indicator, value)
    return render(request, "fragments/check.html", {"problem": _readable(problem) if problem else None})


_FIELD_PREFIX = re.compile(r"^(value|unit|disaggregation)：")


def _readable(problems: str) -> str:
    """The services name the field of each problem (value：…) for API clients and the CLI; the
    form row already shows the indicator, the unit and the field, so a clerk reads the reasons
    alone, each a sentence of its own."""
    return "；".join(_FIELD_PREFIX.sub("", problem.strip()) for problem in problems.split("；"))


# ---- review ---------------------------------------------------------------------------------

def _queue(request: Request, db: Session, user: User, page: int) -> dict[str, Any]:
    """A page of the review queue: its items with the year-earlier value and the submitter."""
    waiting = review.queue_page(db, user, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    by_period: dict[int, list[Any]] = {}
    for item in waiting.items:
        by_period.setdefault(item.view.period_id, []).append(item.view)
    context = {k: v for period_id, views in by_period.items()
               for k, v in review.review_queue_context(db, period_id, views).items()}
    items = [{"id": w.view.id, "indicator_id": w.view.indicator_id, "indicator_name": w.indicator_name,
              "org_unit_name": w.org_unit_name, "period_label": w.period_code, "value": w.view.value,
              "unit": w.view.unit or w.indicator_unit, "previous": context[w.view.id].previous,
              "submitted_by": context[w.view.id].submitted_by, "note": w.view.note, "flags": w.view.flags}
             for w in waiting.items]
    pages = max(1, -(-waiting.total // PAGE_SIZE))
    return {"items": items, "paging": Paging(min(page, pages), waiting.total, local_url(request, "review_page"))}


@router.get("/review", name="review_page")
def review_page(request: Request, user: PageUser, db: DbSession, page: PageNumber = 1) -> HTMLResponse:
    check(user, Action.APPROVE)
    return render(request, "review.html", {**_queue(request, db, user, page), "message": None, "error": False})


@router.post("/review", name="review_decide")
def review_decide(request: Request, user: PageUser, db: DbSession,
                  observation_id: Annotated[list[RowId] | None, Form()] = None,
                  decision: Annotated[str, Form()] = "approve", comment: Annotated[str, Form()] = "",
                  page: Annotated[PageNumber, Form()] = 1) -> Response:
    t = translator(request)
    chosen = observation_id or []
    message, error = "", False
    if not chosen:
        message, error = t("review.nothing_selected"), True
    else:
        try:
            with db.begin_nested():
                if decision == "return":
                    review.return_many(db, user, chosen, comment)
                    message = t("review.returned", count=len(chosen))
                else:
                    review.approve_many(db, user, chosen, comment=comment or None)
                    message = t("review.approved", count=len(chosen))
        except PlanWatchError as exc:
            message, error = str(exc), True
    context = {**_queue(request, db, user, page), "message": message, "error": error}
    if is_fragment_request(request):
        return render(request, "fragments/review_queue.html", context, status_code=422 if error else 200)
    return render(request, "review.html", context, status_code=422 if error else 200)


# ---- reports --------------------------------------------------------------------------------

@router.get("/plans/{plan_id}/reports/{kind}", name="report_download")
def report_download(user: PageUser, db: DbSession, plan_id: RowId, kind: ReportKind, year: Year | None = None,
                    format: str = "docx") -> Response:
    the_plan = _plan(db, plan_id)
    assert the_plan is not None
    suffix = f".{format.lower().lstrip('.')}"
    if suffix not in FORMATS:
        raise HTTPException(status_code=400, detail=f"format 应为 {'、'.join(f[1:] for f in FORMATS)} 之一")
    data, filename = report_file(db, user, the_plan, year or default_year(db, the_plan), kind, suffix)
    return Response(data, media_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}"})
