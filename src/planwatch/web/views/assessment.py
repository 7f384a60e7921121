"""The assessment page: the ranking of departments and towns, each unit's breakdown, and the
evaluation group's scheme and bonus/deduction items; the same as an Excel workbook."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from planwatch.evaluate.assessment import CATEGORIES, GROUP_ZH
from planwatch.monitor.permissions import Action, is_allowed
from planwatch.report.assessment_xlsx import write_assessment
from planwatch.services import assessment, plan_calendar, region_scope
from planwatch.services.transactions import Session
from planwatch.store.models import Plan, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.params import RowId, Year
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

_YEAR = Annotated[int, Form(ge=1949, le=2100)]


def _page(request: Request, db: Session, user: User, plan: Plan, year: int, error: str = "",
          status_code: int = 200, shown: int | None = None) -> HTMLResponse:
    """The ranking; the scored items of one unit (``shown``) below it: a hundred units' items
    on one page made a megabyte of HTML."""
    result = assessment.assess(db, user, plan, year)
    t = translator(request)
    breakdown = next((u for members in result.groups.values() for u in members if u.org_unit_id == shown), None)
    return render(request, "assessment.html", {
        "plan": plan, "year": result.year, "years": plan_calendar.plan_years(db, plan), "result": result,
        "categories": CATEGORIES, "breakdown": breakdown,
        "category_names": {c: t(f"assessment.category.{c}") for c in CATEGORIES},
        "group_names": {g: t(f"assessment.group.{g}") for g in GROUP_ZH},
        "can_assess": is_allowed(user, Action.ASSESS), "error": error,
    }, status_code=status_code)


@router.get("/plans/{plan_id}/assessment", name="plan_assessment")
def assessment_page(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                    year: Year | None = None, unit: RowId | None = None) -> HTMLResponse:
    plan = region_scope.plan(db, user, plan_id)
    if year is not None and not 1949 <= year <= 2100:
        raise HTTPException(status_code=422, detail="year")
    return _page(request, db, user, plan, year if year is not None else plan_calendar.default_year(db, plan),
                 shown=unit)


@router.post("/plans/{plan_id}/assessment/adjustments", name="assessment_adjust")
def add_adjustment(request: Request, user: PageUser, db: DbSession, plan_id: RowId, year: _YEAR,
                   org_unit_id: Annotated[RowId, Form()],
                   points: Annotated[float, Form(ge=-100, le=100, allow_inf_nan=False)],
                   reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    plan = region_scope.plan(db, user, plan_id)
    try:
        assessment.add_adjustment(db, user, plan, year, org_unit_id, points, reason)
    except ValueError as exc:
        db.rollback()
        return _page(request, db, user, plan, year, error=str(exc), status_code=422)
    page = local_url(request, "plan_assessment", plan_id=plan.id).include_query_params(year=year, unit=org_unit_id)
    return RedirectResponse(f"{page}#breakdown", status_code=303)


_WEIGHT = Annotated[str, Form(max_length=16)]


@router.post("/plans/{plan_id}/assessment/scheme", name="assessment_scheme")
def save_scheme(request: Request, user: PageUser, db: DbSession, plan_id: RowId, year: _YEAR,
                weight_indicators: _WEIGHT = "", weight_binding_indicators: _WEIGHT = "", weight_tasks: _WEIGHT = "",
                weight_projects: _WEIGHT = "", weight_timeliness: _WEIGHT = "", weight_completeness: _WEIGHT = "",
                weight_quality: _WEIGHT = "") -> Response:
    plan = region_scope.plan(db, user, plan_id)
    typed = dict(zip(CATEGORIES, (weight_indicators, weight_binding_indicators, weight_tasks, weight_projects,
                                  weight_timeliness, weight_completeness, weight_quality), strict=True))
    try:
        assessment.save_scheme(db, user, plan, year, {"weights": {c: v.strip() for c, v in typed.items() if v.strip()}})
    except ValueError as exc:
        db.rollback()
        return _page(request, db, user, plan, year, error=str(exc), status_code=422)
    return RedirectResponse(f"{local_url(request, 'plan_assessment', plan_id=plan.id)}?year={year}", status_code=303)


@router.get("/plans/{plan_id}/assessment.xlsx", name="assessment_xlsx")
def assessment_workbook(user: PageUser, db: DbSession, plan_id: RowId, year: Year | None = None) -> FileResponse:
    plan = region_scope.plan(db, user, plan_id)
    year = year if year is not None and 1949 <= year <= 2100 else plan_calendar.default_year(db, plan)
    result = assessment.assess(db, user, plan, year)
    scratch = tempfile.TemporaryDirectory()
    path = write_assessment(Path(scratch.name) / "assessment.xlsx", plan.title, result.year, result.groups)
    return FileResponse(path, filename=f"{result.year}年度综合评价.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        background=BackgroundTask(scratch.cleanup))
