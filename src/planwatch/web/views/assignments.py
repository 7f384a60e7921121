"""A plan's assignments page: who is responsible for each indicator, changed in bulk.

The administrator and the monitoring group tick indicators (or take every indicator the
filter shows) and assign them to one unit as 牵头/责任/配合, or remove that unit; or upload
a table of 指标, 责任单位, 责任类型. The page also lists the responsible-unit names of the
plan that no unit of its region answers to, with the plan's region and the means to
resolve them (set the region, create the unit, map the name). Every change goes through
:mod:`planwatch.services.assignments` or :mod:`planwatch.services.regions`, audited there;
a bulk change or an upload is one savepoint: all of it or, on any error, nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check, is_allowed
from planwatch.services import (
    assignments,
    import_history,
    orgunit_reads,
    orgunits,
    pickers,
    plan_reads,
    region_scope,
    regions,
)
from planwatch.services.import_history import Channel
from planwatch.services.transactions import Session
from planwatch.store.models import OrgUnit, Plan, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.boundary import body
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.params import MAX_ROW_ID, RowId
from planwatch.web.session import require_csrf
from planwatch.web.table_upload import MAX_TABLE_BYTES, uploaded_table
from planwatch.web.templating import local_url, render, translator
from planwatch.web.views.admin_orgunits import field_problem, upload_problems

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

FormId = Annotated[int, Form(ge=1, le=MAX_ROW_ID)]
_ROLE_KEYS = {"牵头": "assign.role.lead", "责任": "assign.role.responsible", "配合": "assign.role.support"}


def _query(the_filter: assignments.IndicatorFilter) -> dict[str, str]:
    """The filter as the list's URL (and the bulk form's hidden fields) carry it."""
    return {"q": the_filter.text, "domain": the_filter.domain, "unassigned": "1" if the_filter.unassigned else ""}


def _page(request: Request, db: Session, actor: User, plan: Plan, the_filter: assignments.IndicatorFilter, *,
          page: int = 1, message: str | None = None, problems: Sequence[str] = ()) -> HTMLResponse:
    listed = assignments.filtered_indicators(db, plan, the_filter, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    assigned: dict[int, list[assignments.AssignmentView]] = {}
    for view in assignments.list_assignments(db, plan, indicator_ids=[i.id for i in listed.indicators]):
        assigned.setdefault(view.indicator_id, []).append(view)
    region = plan_reads.district_unit(db, actor, plan)
    t = translator(request)
    url = local_url(request, "plan_assignments", plan_id=plan.id).include_query_params(
        **{k: v for k, v in _query(the_filter).items() if v})
    return render(request, "plan_assignments.html", {
        "plan": plan, "indicators": listed.indicators, "paging": Paging(page, listed.total, url),
        "assigned": assigned, "roles": assignments.ROLES,
        "domains": plan_reads.assignment_domains(db, actor, plan),
        "filter": the_filter, "region": region, "region_missing": not regions.region_known(db, plan),
        "districts": orgunit_reads.active_districts(db, actor),
        "unmatched": regions.unmatched_names(db, plan), "kinds": [(k, t(f"orgunit.kind.{k}")) for k in orgunits.KINDS],
        "role_labels": {role: t(key) for role, key in _ROLE_KEYS.items()},
        "can_manage_units": is_allowed(actor, Action.MANAGE_ORG_UNITS),
        "message": message, "problems": list(problems)}, status_code=422 if problems else 200)


def _back(request: Request, plan: Plan, the_filter: assignments.IndicatorFilter, done: str,
          count: int) -> RedirectResponse:
    url = local_url(request, "plan_assignments", plan_id=plan.id)
    return RedirectResponse(url.include_query_params(done=done, count=count, **_query(the_filter)), status_code=303)


def _unit(db: Session, plan: Plan, typed: str) -> OrgUnit | None:
    """The unit a picker names (its name or code), of the plan's district."""
    return pickers.unit_named(db, region_scope.assignable(db, plan), typed)


_DONE = frozenset({"assigned", "removed", "uploaded", "mapped", "region", "created"})


@router.get("/plans/{plan_id}/assignments", name="plan_assignments")
def assignments_page(request: Request, user: PageUser, db: DbSession, plan_id: RowId, q: str = "",
                     domain: str = "", unassigned: str = "", done: str = "",
                     count: Annotated[int, Field(ge=0, le=MAX_ROW_ID)] = 0, page: PageNumber = 1) -> HTMLResponse:
    check(user, Action.ASSIGN)
    plan = region_scope.plan(db, user, plan_id)
    message = translator(request)(f"assign.done.{done}", count=count) if done in _DONE else None
    return _page(request, db, user, plan, assignments.IndicatorFilter(q, domain, bool(unassigned)), page=page,
                 message=message)


@router.post("/plans/{plan_id}/assignments", name="plan_assignments_bulk")
def assignments_bulk(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                     unit: Annotated[str, Form(max_length=400)] = "",
                     role: Annotated[str, Form(max_length=8)] = "责任",
                     operation: Annotated[str, Form(pattern="^(assign|remove)$")] = "assign",
                     indicator: Annotated[list[RowId] | None, Form()] = None,
                     all_in_filter: Annotated[str, Form()] = "", q: Annotated[str, Form(max_length=200)] = "",
                     domain: Annotated[str, Form(max_length=200)] = "",
                     unassigned: Annotated[str, Form()] = "") -> Response:
    check(user, Action.ASSIGN)
    plan = region_scope.plan(db, user, plan_id)
    the_filter = assignments.IndicatorFilter(q, domain, bool(unassigned))
    t = translator(request)
    chosen = (assignments.filtered_indicators(db, plan, the_filter).indicators if all_in_filter
              else plan_reads.indicators_by_id(db, user, plan, indicator or []))
    the_unit = _unit(db, plan, unit)
    if the_unit is None:
        return _page(request, db, user, plan, the_filter, problems=[t("assign.no_unit")])
    if not chosen:
        return _page(request, db, user, plan, the_filter, problems=[t("assign.nothing_selected")])
    try:
        with db.begin_nested():
            changed = sum(assignments.assign(db, user, i, the_unit, role) if operation == "assign"
                          else assignments.unassign(db, user, i, the_unit) for i in chosen)
    except assignments.AssignmentError as exc:
        return _page(request, db, user, plan, the_filter, problems=[str(exc)])
    return _back(request, plan, the_filter, "assigned" if operation == "assign" else "removed", changed)


@router.post("/plans/{plan_id}/assignments/upload", name="plan_assignments_upload",
             openapi_extra=body(MAX_TABLE_BYTES, files=True))
def assignments_upload(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                       file: UploadFile | None = None) -> Response:
    check(user, Action.ASSIGN)
    plan = region_scope.plan(db, user, plan_id)
    try:
        with import_history.recorded(db, user, Channel.ASSIGNMENTS, (file.filename or "") if file else "") as note, \
                uploaded_table(file) as path:
            note.plan_id = plan.id
            rows = assignments.read_assignment_file(db, plan, path)
            changed = sum(assignments.assign(db, user, row.indicator, row.unit, row.role) for row in rows)
            note.size, note.summary = path.stat().st_size, f"{len(rows)} 行，新增或改变 {changed} 项分工"
    except InputError as exc:
        return _page(request, db, user, plan, assignments.IndicatorFilter(), problems=upload_problems(exc))
    return _back(request, plan, assignments.IndicatorFilter(), "uploaded", changed)


@router.post("/plans/{plan_id}/region", name="plan_region")
def plan_region(request: Request, user: PageUser, db: DbSession, plan_id: RowId, region_id: FormId) -> Response:
    plan = region_scope.plan(db, user, plan_id)
    region = region_scope.org_unit(db, user, region_id)
    try:
        with db.begin_nested():
            added = regions.set_plan_region(db, user, plan, region)
    except InputError as exc:
        return _page(request, db, user, plan, assignments.IndicatorFilter(), problems=[field_problem(request, exc)])
    return _back(request, plan, assignments.IndicatorFilter(), "region", added)


@router.post("/plans/{plan_id}/unit-names/map", name="plan_unit_name_map")
def unit_name_map(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                  printed_name: Annotated[str, Form(max_length=400)],
                  unit: Annotated[str, Form(max_length=400)] = "") -> Response:
    plan = region_scope.plan(db, user, plan_id)
    the_unit = _unit(db, plan, unit)
    if the_unit is None:
        return _page(request, db, user, plan, assignments.IndicatorFilter(),
                     problems=[translator(request)("assign.no_unit")])
    try:
        with db.begin_nested():
            added = regions.map_unit_name(db, user, plan, printed_name, the_unit)
    except InputError as exc:
        return _page(request, db, user, plan, assignments.IndicatorFilter(), problems=[field_problem(request, exc)])
    return _back(request, plan, assignments.IndicatorFilter(), "mapped", added)


@router.post("/plans/{plan_id}/unit-names/create", name="plan_unit_name_create")
def unit_name_create(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                     printed_name: Annotated[str, Form(max_length=400)], code: Annotated[str, Form(max_length=200)],
                     name: Annotated[str, Form(max_length=400)],
                     kind: Annotated[str, Form(max_length=32)] = "department") -> Response:
    """A unit of the plan's region created from a name the plan prints, which is then mapped
    to it (and kept as its short name), so the plan's indicators are assigned at once."""
    check(user, Action.MANAGE_ORG_UNITS)
    plan = region_scope.plan(db, user, plan_id)
    t = translator(request)
    if plan.region_org_unit_id is None:
        return _page(request, db, user, plan, assignments.IndicatorFilter(), problems=[t("assign.region_first")])
    try:
        with db.begin_nested():
            unit = orgunits.create_org_unit(db, user, code=code, name=name, kind=kind,
                                            parent_id=plan.region_org_unit_id, short_name=printed_name)
            added = regions.map_unit_name(db, user, plan, printed_name, unit)
    except InputError as exc:
        return _page(request, db, user, plan, assignments.IndicatorFilter(), problems=[field_problem(request, exc)])
    return _back(request, plan, assignments.IndicatorFilter(), "created", added)
