"""Pages for people: dashboard, plan, indicator, reports (data entry and review have their own modules).

Each handler asks the services for data (they check permissions with the acting user) and
renders a template; fetch requests from static/app.js get fragments instead of whole pages.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.evaluate import Status
from planwatch.monitor.permissions import Action, PermissionDenied, Role, is_allowed
from planwatch.report import ReportKind
from planwatch.report.render import libreoffice
from planwatch.services import (
    evaluation_snapshot,
    observation_history,
    plan_calendar,
    plan_reads,
    region_scope,
)
from planwatch.services import plans as plan_service
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.services.reports import FORMATS, report_file
from planwatch.services.transactions import Session
from planwatch.store.models import (
    Indicator,
    Plan,
    User,
)
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.charts import indicator_chart, status_pie
from planwatch.web.i18n import Translator
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.params import RowId, Year
from planwatch.web.plain_words import plain_reason
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, localized_label, render, translator
from planwatch.web.views.indicator_forms import indicator_management

__all__ = ["render_indicator_page", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

HISTORY_PAGE = 20  # lines of an indicator's figure history a page shows


def _plans(db: Session, user: User) -> list[Plan]:
    """The plans the selectors offer: those of the user's district with indicators to monitor."""
    return region_scope.plans(db, user, monitored=True)


def _plan(db: Session, user: User, plan_id: int | None) -> Plan | None:
    """The plan asked for (404 for an unknown id or one of another district), or the user's
    landing plan: a clerk's first plan with indicators assigned to its unit, else the first."""
    if plan_id is not None:
        return region_scope.plan(db, user, plan_id)
    return next(iter(region_scope.reporting_plans(db, user) or _plans(db, user)), None)


@router.get("/", name="home")
def home(request: Request, user: PageUser) -> RedirectResponse:
    return RedirectResponse(local_url(request, "dashboard"), status_code=303)


@router.get("/dashboard", name="dashboard")
def dashboard(request: Request, user: PageUser, db: DbSession, plan: RowId | None = None,
              year: Year | None = None) -> HTMLResponse:
    the_plan = _plan(db, user, plan)
    t = translator(request)
    if the_plan is None:
        return render(request, "error.html", {"message": t("dashboard.no_plan"), "status_code": 200})
    figures = evaluation_snapshot.headline(db, user, the_plan, year)
    summary = figures.summary
    done = sum(summary.binding_counts.get(s, 0) for s in (Status.COMPLETED, Status.AHEAD, Status.ON_TRACK))
    pie = status_pie([(s.value, localized_label(s, t.language), summary.counts.get(s, 0)) for s in Status])
    return render(request, "dashboard.html", {
        "plans": _plans(db, user), "plan": the_plan, "year": figures.year, "overall": summary,
        "years": plan_calendar.plan_years(db, the_plan),
        "binding_done": done, "binding_share": done / summary.binding_total if summary.binding_total else 0.0,
        "warnings": figures.warnings, "warning_count": figures.warning_count, "pie_option": pie,
        "statuses": list(Status),
        "plain": {i: plain_reason(r, t) for i, r in evaluation_snapshot.warning_results(db, user, the_plan,
                                                                                        figures).items()},
        "completeness": sorted(figures.completeness, key=lambda c: c.share),
        "report_formats": FORMATS, "reports": _report_offers(the_plan, figures.year, t),
        "pdf_available": libreoffice() is not None,
    })


def _report_offers(plan: Plan, year: int, t: Translator) -> list[tuple[str, str, str]]:
    """Each report kind with its label and, when the plan's calendar does not call for it at
    ``year`` (a mid-term before the middle year, a final before the last), the caveat."""
    offers = []
    for kind, timing in plan_calendar.report_timings(plan, year).items():
        caveat = "" if timing is None else t(f"report.{kind.value}_{timing.when}", year=year, due=timing.due,
                                              start=plan.start_year, end=plan.end_year)
        offers.append((kind.value, t(f"report.{kind.value}"), caveat))
    return offers


@router.get("/plans", name="plans")
def plans(request: Request, user: PageUser, db: DbSession) -> HTMLResponse:
    """Every current plan of the user's district: those with indicators to monitor, then the
    documents without any."""
    current = region_scope.plans(db, user)
    counts = plan_service.indicator_counts(db, current)
    return render(request, "plans.html", {"monitored": [p for p in current if counts[p.id]], "counts": counts,
                                          "documents": [p for p in current if not counts[p.id]]})


@router.get("/plans/{plan_id}", name="plan_page")
def plan_page(request: Request, user: PageUser, db: DbSession, plan_id: RowId, domain: str = "", unit: str = "",
              status: str = "", year: Year | None = None, page: PageNumber = 1) -> HTMLResponse:
    """The plan's outline and its indicators a page at a time, filtered by domain, unit and status."""
    the_plan = _plan(db, user, plan_id)
    assert the_plan is not None
    t = translator(request)
    url = local_url(request, "plan_page", plan_id=the_plan.id).include_query_params(
        **{k: v for k, v in {"domain": domain, "unit": unit, "status": status, "year": year}.items() if v})
    listed = evaluation_snapshot.indicator_page(db, user, the_plan, year, domain=domain, unit=unit, status=status,
                                                offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    outline = [{"level": _level(s.rank), "number": s.number, "heading": s.title}
               for s in plan_reads.outline(db, user, the_plan)]
    rows = [dataclasses.replace(line, verdict=t(f"verdict.{line.verdict}")) if line.verdict else line
            for line in listed.lines]
    return render(request, "plan.html", {
        "plan": the_plan, "rows": rows, "paging": Paging(page, listed.total, url), "outline": outline,
        "retired": plan_reads.retired_indicators(db, user, the_plan), "domains": plan_service.domains(db, the_plan), "statuses": list(Status),
        "filters": {"domain": domain, "unit": unit, "status": status},
        "year": listed.year, "years": plan_calendar.plan_years(db, the_plan),
        "can_assign": is_allowed(user, Action.ASSIGN), "can_manage_periods": is_allowed(user, Action.MANAGE_PERIODS),
        "can_publish": any(is_allowed(user, a) for a in (Action.PUBLISH, Action.APPROVE_PUBLICATION)),
    })


def _level(rank: float) -> int:
    return max(1, min(int(rank), 5))


@router.get("/indicators/{indicator_id}", name="indicator_page")
def indicator_page(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                   year: Year | None = None, history: PageNumber = 1) -> Response:
    indicator = region_scope.indicator(db, user, indicator_id)
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
    judgements: list[dict[str, Any]] = []
    evaluated_year = None
    if indicator.retired_at is None:
        evaluation = evaluate_stored_plan(db, user, indicator.plan, year, indicator_ids=[indicator.id])
        evaluated_year = evaluation.year
        position = next((n for n, s in enumerate(evaluation.specs) if s.id == str(indicator.id)), None)
        if position is None:  # only a clerk's evaluation leaves indicators out: those of other units
            raise PermissionDenied(user.login, Action.VIEW, "该指标不由本单位填报")
        spec, result = evaluation.specs[position], evaluation.results[position]
        responsible = spec.responsible
        if any(target.value is not None for target in spec.targets):
            chart_data = indicator_chart(spec, evaluation.values.get(spec.id, {}).items(), result, t)
        else:  # judged each period: the verdicts, not a line, tell its story
            judgements = [{"year": j.year, "verdict": t(f"verdict.{j.verdict.value}"), "evidence": j.evidence,
                           "source": j.source} for j in reversed(evaluation.judgements.get(spec.id, []))
                          if j.year <= evaluation.year]
    elif user.role == Role.CLERK:  # retired: out of every clerk's list
        raise PermissionDenied(user.login, Action.VIEW, "该指标已停用")
    return render(request, "indicator.html", {
        "indicator": indicator, "plan_title": indicator.plan.title, "result": result,
        "year": evaluated_year, "years": plan_calendar.plan_years(db, indicator.plan),
        "plain": plain_reason(result, t) if result is not None else "",
        "targets": indicator.targets, "responsible": responsible, "chart_data": chart_data,
        "judgements": judgements,
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
    found = observation_history.indicator_history_page(db, user, indicator.id, offset=(page - 1) * HISTORY_PAGE,
                                                limit=HISTORY_PAGE)
    url = local_url(request, "indicator_page", indicator_id=indicator.id)
    paging = Paging(page, found.total, url, HISTORY_PAGE, parameter="history", anchor="history")
    return {"history_paging": paging, "history": [
        {"when": h.entry.at.strftime("%Y-%m-%d %H:%M"), "who": h.entry.actor_login,
         "action": t(f"audit.{h.entry.action}"), "unit": h.org_unit_name, "period": h.period_code,
         "old": (h.entry.old or {}).get("value_text", ""), "new": (h.entry.new or {}).get("value_text", ""),
         "comment": h.entry.reason or ""} for h in found.lines]}


# ---- reports --------------------------------------------------------------------------------

@router.get("/plans/{plan_id}/reports/{kind}", name="report_download")
def report_download(user: PageUser, db: DbSession, plan_id: RowId, kind: ReportKind, year: Year | None = None,
                    format: str = "docx") -> Response:
    the_plan = _plan(db, user, plan_id)
    assert the_plan is not None
    suffix = f".{format.lower().lstrip('.')}"
    if suffix not in FORMATS:
        raise HTTPException(status_code=400, detail=f"报告格式应为 {'、'.join(f[1:] for f in FORMATS)} 之一")
    data, filename = report_file(db, user, the_plan, year or plan_calendar.default_year(db, the_plan), kind, suffix)
    return Response(data, media_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}"})
