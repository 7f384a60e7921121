"""The task ledger in the browser: tasks and projects of a plan, progress reports and review.

The page is the monitoring group's and the units' common view of a plan's second half:
what each task and project is, who carries it, what was reported in the period, what to
ask after. Units report on the items assigned to them; the monitoring group approves or
returns their reports from the same page.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.errors import InputError, NotFound, PlanWatchError
from planwatch.fields import read_amount, read_number, read_percentage
from planwatch.monitor.permissions import Action, PermissionDenied, Role, Scope, check, is_allowed
from planwatch.services import ledger, ledger_progress, ledger_reads, plan_calendar, region_scope
from planwatch.services.ledger_progress import MAX_EVIDENCE_BYTES, STATUSES, LedgerInput, ProgressRejected
from planwatch.services.periods import ensure_unlocked, window_is_open
from planwatch.services.transactions import Session
from planwatch.store.models import Plan, Project, ReportingPeriod, Task, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.boundary import body
from planwatch.web.messages import refusal_text
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

_STATES = ("draft", "submitted", "approved", "returned")
_KINDS = ("task", "column", "assignment")
_REVIEWED = ("approved", "returned")


def _default_period(db: Session, plan: Plan, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The period of the year the plan's pages open on (its open round, else its latest year
    with data), else the newest."""
    year = plan_calendar.default_year(db, plan)
    return next((p for p in periods if p.year == year and p.quarter is None and p.month is None),
                periods[0] if periods else None)


@router.get("/plans/{plan_id}/ledger", name="plan_ledger")
def plan_ledger_page(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
                     period_id: RowId | None = None, reviewed: str = "") -> HTMLResponse:
    plan = region_scope.plan(db, user, plan_id)
    periods = ledger_reads.plan_periods(db, user, plan)
    period = next((p for p in periods if p.id == period_id), None) or _default_period(db, plan, periods)
    book = ledger.plan_ledger(db, user, plan, period_id=period.id if period else None)
    warnings = ledger_progress.ledger_warnings(db, period) if period is not None else []
    return render(request, "ledger.html", {
        "plan": plan, "ledger": book, "periods": periods, "period": period, "warnings": warnings,
        "statuses": STATUSES, **_labels(request),
        # after a lock nothing is offered that would be refused: no review, no report
        "can_review": is_allowed(user, Action.APPROVE) and period is not None and not period.locked,
        "can_edit": is_allowed(user, Action.CORRECT_EXTRACTION),
        "may_report": lambda unit_ids: period is not None and _may_report(user, unit_ids, period),
        "reviewed": translator(request)(f"ledger.reviewed.{reviewed}") if reviewed in _REVIEWED else "",
    })


def _labels(request: Request) -> dict[str, dict[str, str]]:
    t = translator(request)
    return {"state_labels": {s: t(f"ledger.state.{s}") for s in _STATES},
            "kind_labels": {k: t(f"ledger.kind.{k}") for k in _KINDS}}


def _may_report(user: User, unit_ids: set[int], period: ReportingPeriod) -> bool:
    """Whether the ledger offers 报告进展: what the service would accept (own unit, an
    unlocked period, a clerk only inside the window)."""
    if period.locked:
        return False
    if user.role == Role.CLERK:
        return user.org_unit_id in unit_ids and window_is_open(period)
    return is_allowed(user, Action.ENTER) and bool(unit_ids)


def _subject(db: Session, user: User, kind: str, item_id: int) -> Task | Project:
    if kind == "tasks":
        return region_scope.task(db, user, item_id)
    if kind == "projects":
        return region_scope.project(db, user, item_id)
    raise HTTPException(status_code=404)


@router.get("/ledger/{kind}/{item_id}/progress", name="ledger_progress")
def progress_form(request: Request, user: PageUser, db: DbSession, kind: str, item_id: RowId,
                  period_id: RowId) -> HTMLResponse:
    return _form(request, db, user, _subject(db, user, kind, item_id), kind, period_id)


def _form(request: Request, db: Session, user: User, subject: Task | Project, kind: str, period_id: int,
          *, error: str = "", values: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    period = region_scope.period(db, user, period_id)
    if period.plan_id != subject.plan_id:
        raise HTTPException(status_code=404)
    units = ledger.responsible_units(db, subject)
    if user.role == Role.CLERK:
        units = [u for u in units if u.id == user.org_unit_id]
    check(user, Action.ENTER, Scope(org_unit_id=units[0].id if units else None, window_open=window_is_open(period)))
    ensure_unlocked(period)
    existing = ledger_reads.subject_reports(db, user, subject, period)
    return render(request, "ledger_progress.html", {
        "subject": subject, "kind": kind, "period": period, "units": units, "existing": existing,
        "statuses": STATUSES, "error": error, "values": values or {}, "is_project": isinstance(subject, Project),
        **_labels(request),
        "max_mb": MAX_EVIDENCE_BYTES // 1024 // 1024,
    }, status_code=status_code)


@router.post("/ledger/{kind}/{item_id}/progress", name="ledger_progress_save",
             openapi_extra=body(MAX_EVIDENCE_BYTES, files=True))
def progress_save(request: Request, user: PageUser, db: DbSession, kind: str, item_id: RowId,
                        period_id: Annotated[RowId, Form()], status: Annotated[str, Form()],
                        org_unit_id: Annotated[RowId, Form()],
                        progress: Annotated[str, Form(max_length=4000)] = "",
                        percent: Annotated[str, Form(max_length=32)] = "",
                        investment_period: Annotated[str, Form(max_length=32)] = "",
                        investment_cumulative: Annotated[str, Form(max_length=32)] = "",
                        action: Annotated[str, Form()] = "save", evidence: UploadFile | None = None,
                        milestone: Annotated[list[RowId] | None, Form()] = None,
                        target_id: Annotated[list[RowId] | None, Form()] = None,
                        target_value: Annotated[list[str] | None, Form()] = None) -> Response:
    subject = _subject(db, user, kind, item_id)
    typed_targets = dict(zip(target_id or [], target_value or [], strict=False))
    values = {"status": status, "progress": progress, "percent": percent, "investment_period": investment_period,
              "investment_cumulative": investment_cumulative, "org_unit_id": org_unit_id,
              "milestones": milestone or [], "targets": typed_targets}
    try:
        reached = tuple((target, value) for target, value in (
            (target, read_number(text, "target_values")) for target, text in typed_targets.items()) if value is not None)
        entered = LedgerInput(status, progress, read_percentage(percent, "percent"),
                              read_amount(investment_period, "investment_period"),
                              read_amount(investment_cumulative, "investment_cumulative"), tuple(milestone or []), reached)
        task_id, project_id = (subject.id, None) if isinstance(subject, Task) else (None, subject.id)
        report = ledger_progress.report_progress(db, user, period_id=period_id, values=entered, task_id=task_id,
                                                 project_id=project_id, org_unit_id=org_unit_id)
        if evidence is not None and evidence.filename:
            content = evidence.file.read(MAX_EVIDENCE_BYTES + 1)
            ledger_progress.add_evidence(db, user, report.id, evidence.filename, content)
        if action == "submit":
            ledger_progress.report_progress(db, user, period_id=period_id, values=entered, task_id=task_id,
                                            project_id=project_id, org_unit_id=org_unit_id, submit=True)
    except PermissionDenied:
        raise
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        db.rollback()
        message = refusal_text(exc, translator(request)) if isinstance(exc, InputError) else str(exc)
        return _form(request, db, user, subject, kind, period_id, error=message, values=values, status_code=422)
    url = local_url(request, "plan_ledger", plan_id=subject.plan_id)
    return RedirectResponse(f"{url}?period_id={period_id}&saved=1#{kind[:-1]}-{subject.id}", status_code=303)


@router.post("/ledger/reports/{report_id}/review", name="ledger_review")
def review(request: Request, user: PageUser, db: DbSession, report_id: RowId,
           decision: Annotated[str, Form(pattern="^(approve|return)$")],
           note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    report = region_scope.ledger_report(db, user, report_id)
    subject = ledger_reads.report_subject(db, user, report)
    anchor = f"task-{subject.id}" if report.task_id is not None else f"project-{subject.id}"
    url = local_url(request, "plan_ledger", plan_id=subject.plan_id)
    try:
        ledger_progress.review_report(db, user, report.id, approve=decision == "approve", note=note)
    except (ProgressRejected, ledger_progress.ReportStateError) as exc:
        db.rollback()
        message = refusal_text(exc, translator(request)) if isinstance(exc, ProgressRejected) else str(exc)
        return render(request, "error.html", {"message": message, "status_code": 422,
                                              "back": f"{url}?period_id={report.period_id}#{anchor}"},
                      status_code=422)
    done = "approved" if decision == "approve" else "returned"
    return RedirectResponse(f"{url}?period_id={report.period_id}&reviewed={done}#{anchor}", status_code=303)


@router.get("/ledger/evidence/{evidence_id}", name="ledger_evidence")
def evidence_file(user: PageUser, db: DbSession, evidence_id: RowId) -> Response:
    evidence = ledger_reads.evidence_file(db, user, evidence_id)
    return Response(evidence.content, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(evidence.name)}",
        "X-Content-SHA256": evidence.sha256})
