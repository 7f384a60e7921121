"""Reporting the progress of tasks and major projects, and the monitoring group's review.

The rules are those of indicator data, because the same clerks and the same monitoring
group do both: a clerk reports for its own unit, only on tasks and projects assigned to it,
only while the period's window is open; a submitted report waits for review; whoever
entered or submitted a report cannot approve it (four eyes); a return needs a reason; every
change is an audit event with the old and the new state. Evidence files are kept with
their SHA-256 so that a file shown later can be proved to be the one submitted.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import InputError, PlanWatchError, Problem, problem
from planwatch.monitor.permissions import Action, PermissionDenied, Role, Scope, check, check_four_eyes
from planwatch.services import region_scope
from planwatch.services.periods import ensure_unlocked, get_period, window_is_open
from planwatch.services.settings import four_eyes_required
from planwatch.store.clock import utcnow
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    LedgerEvidence,
    LedgerReport,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["EVIDENCE_SUFFIXES", "MAX_EVIDENCE_BYTES", "REPORTS", "STATUSES", "LedgerInput", "LedgerWarning",
           "ProgressRejected", "ReportStateError", "add_evidence", "ledger_warnings", "report_progress", "review_report",
           "submit_report"]

REPORTS = LedgerReport.__tablename__  # the audit trail's and the comment threads' entity name

STATUSES = {"not_started": "未启动", "in_progress": "推进中", "completed": "已完成", "behind": "滞后",
            "suspended": "暂缓"}
EVIDENCE_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".doc", ".xlsx", ".wps", ".ofd")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


class ProgressRejected(InputError):
    """A report that cannot be stored as given; the message names the field and what was expected."""

    def __init__(self, field: str, why: str | Problem) -> None:
        self.field = field
        super().__init__(field, why)


class ReportStateError(PlanWatchError):
    """The report is not in a state that allows this (a submitted report cannot be edited)."""


@dataclass(frozen=True, slots=True)
class LedgerInput:
    status: str
    progress: str = ""
    percent: float | None = None
    investment_period: float | None = None  # 万元
    investment_cumulative: float | None = None  # 万元
    milestones_reached: tuple[int, ...] = ()  # Milestone ids of the task or project
    target_values: tuple[tuple[int, float], ...] = ()  # (TaskTarget id, value reached)


@dataclass(frozen=True, slots=True)
class LedgerWarning:
    kind: str  # overdue | behind_twice | not_reported | investment_behind
    entity: str  # task | project
    entity_id: int
    title: str
    detail: str


def _snapshot(report: LedgerReport) -> dict[str, Any]:
    return {"status": report.status, "percent": report.percent, "progress": report.progress,
            "investment_period": report.investment_period, "investment_cumulative": report.investment_cumulative,
            "milestones_reached": report.milestones_reached, "target_values": report.target_values,
            "state": report.state}


def _check_input(values: LedgerInput) -> None:
    if values.status not in STATUSES:
        raise ProgressRejected("status", problem("progress.status", choices="、".join(STATUSES.values())))
    if values.percent is not None and (not math.isfinite(values.percent) or not 0 <= values.percent <= 100):
        raise ProgressRejected("percent", problem("progress.percent"))
    for field, amount in (("investment_period", values.investment_period),
                          ("investment_cumulative", values.investment_cumulative)):
        if amount is not None and (not math.isfinite(amount) or amount < 0):
            raise ProgressRejected(field, problem("progress.investment"))
    if (values.investment_period is not None and values.investment_cumulative is not None
            and values.investment_period > values.investment_cumulative):
        raise ProgressRejected("investment_period", problem("progress.investment_order"))
    if values.status == "completed" and values.percent is not None and values.percent < 100:
        raise ProgressRejected("percent", problem("progress.completed_percent"))


def _assigned_units(session: Session, *, task_id: int | None, project_id: int | None) -> set[int]:
    if task_id is not None:
        return set(session.scalars(select(Assignment.org_unit_id).where(Assignment.task_id == task_id)))
    return set(session.scalars(select(ProjectUnit.org_unit_id).where(ProjectUnit.project_id == project_id)))


def _subject(session: Session, actor: User, task_id: int | None, project_id: int | None) -> Task | Project:
    subject = session.get(Task, task_id) if task_id is not None else session.get(Project, project_id)
    if subject is None:
        raise ProgressRejected("task_id" if task_id is not None else "project_id", problem("progress.no_subject"))
    region_scope.require_plan(session, actor, session.get_one(Plan, subject.plan_id))
    if subject.retired:
        raise ProgressRejected("task_id" if task_id is not None else "project_id", problem("progress.retired"))
    return subject


def _check_subject_values(subject: Task | Project, values: LedgerInput) -> None:
    """Milestones and target values must be the subject's own."""
    own_milestones = {m.id for m in subject.milestones}
    for milestone_id in values.milestones_reached:
        if milestone_id not in own_milestones:
            raise ProgressRejected("milestones_reached", problem("progress.milestone", milestone=milestone_id))
    own_targets = {t.id for t in subject.targets} if isinstance(subject, Task) else set()
    for target_id, value in values.target_values:
        if target_id not in own_targets:
            raise ProgressRejected("target_values", problem("progress.target", target=target_id))
        if not math.isfinite(value):
            raise ProgressRejected("target_values", problem("progress.target_value"))


def report_progress(session: Session, actor: User, *, period_id: int, values: LedgerInput,
                    task_id: int | None = None, project_id: int | None = None, org_unit_id: int | None = None,
                    submit: bool = False) -> LedgerReport:
    """Enter (and optionally submit) a unit's progress on a task or project for a period."""
    if (task_id is None) == (project_id is None):
        raise ProgressRejected("task_id", problem("progress.subject"))
    _check_input(values)
    subject = _subject(session, actor, task_id, project_id)
    _check_subject_values(subject, values)
    period = get_period(session, period_id)
    if period.plan_id != subject.plan_id:
        raise ProgressRejected("period_id", problem("progress.period", period=period.code))
    if actor.role == Role.CLERK and org_unit_id is not None and org_unit_id != actor.org_unit_id:
        # refused, not quietly replaced by the clerk's own unit: the script meant another unit
        raise PermissionDenied(actor.login, Action.SUBMIT if submit else Action.ENTER,
                               f"填报员只能报告本单位的进展，不能报告单位 #{org_unit_id} 的进展")
    unit_id = actor.org_unit_id if actor.role == Role.CLERK else org_unit_id
    if unit_id is None:
        raise ProgressRejected("org_unit_id", problem("progress.unit"))
    region_scope.require_unit(session, actor, unit_id)
    unit = session.get(OrgUnit, unit_id)
    action = Action.SUBMIT if submit else Action.ENTER
    check(actor, action, Scope(org_unit_id=unit_id, org_unit_name=unit.name if unit else None,
                               window_open=window_is_open(period)))
    ensure_unlocked(period)
    if unit_id not in _assigned_units(session, task_id=task_id, project_id=project_id):
        raise PermissionDenied(actor.login, action, f"「{unit.name if unit else unit_id}」不是该任务或项目的责任单位")
    report = session.scalar(select(LedgerReport).where(
        LedgerReport.task_id == task_id if task_id is not None else LedgerReport.project_id == project_id,
        LedgerReport.period_id == period_id, LedgerReport.org_unit_id == unit_id))
    old = _snapshot(report) if report is not None else None
    if report is None:
        report = LedgerReport(task_id=task_id, project_id=project_id, period_id=period_id, org_unit_id=unit_id,
                              entered_by_id=actor.id, status=values.status)
        session.add(report)
    elif report.state in ("submitted", "approved"):
        raise ReportStateError(f"该进展报告已{'报送' if report.state == 'submitted' else '审核通过'}，"
                               "不能再修改；如需更正请由监测组退回")
    report.status, report.percent, report.progress = values.status, values.percent, values.progress.strip()
    report.investment_period, report.investment_cumulative = values.investment_period, values.investment_cumulative
    report.milestones_reached = sorted(set(values.milestones_reached)) or None
    report.target_values = {str(k): v for k, v in values.target_values} or None
    report.entered_by_id, report.entered_at, report.state = actor.id, utcnow(), "draft"
    if submit:
        report.state, report.submitted_by_id, report.submitted_at = "submitted", actor.id, utcnow()
    session.flush()
    session.add(AuditEvent.of(actor, "submit" if submit else "enter", REPORTS, report.id, old=old,
                              new=_snapshot(report)))
    session.flush()
    return report


def review_report(session: Session, actor: User, report_id: int, *, approve: bool, note: str = "") -> LedgerReport:
    """Approve or return a submitted report; a return says why; nobody approves their own
    report while the four-eyes rule is on (as for figures)."""
    report = region_scope.ledger_report(session, actor, report_id)
    action = Action.APPROVE if approve else Action.RETURN
    check(actor, action, Scope(org_unit_id=report.org_unit_id))
    ensure_unlocked(get_period(session, report.period_id))
    if report.state != "submitted":
        raise ReportStateError("只能审核已报送的进展报告")
    if approve and four_eyes_required(session):
        check_four_eyes(actor.id, actor.name or actor.login, _people_involved(session, report))
    if not approve and not note.strip():
        raise ProgressRejected("review_note", problem("progress.return_reason"))
    old = _snapshot(report)
    report.state = "approved" if approve else "returned"
    report.reviewed_by_id, report.reviewed_at, report.review_note = actor.id, utcnow(), note.strip()
    session.add(AuditEvent.of(actor, "approve" if approve else "return", REPORTS, report.id, old=old,
                              new=_snapshot(report), reason=note.strip() or None))
    session.flush()
    return report


def _people_involved(session: Session, report: LedgerReport) -> set[int | None]:
    """Everyone who entered, changed, submitted or added evidence to any version of the report."""
    acted = set(session.scalars(select(AuditEvent.actor_id).where(
        AuditEvent.entity == "ledger_reports", AuditEvent.entity_id == str(report.id),
        AuditEvent.action.in_(["enter", "submit", "evidence"]))))
    return acted | {report.entered_by_id, report.submitted_by_id}


def submit_report(session: Session, actor: User, report_id: int) -> LedgerReport:
    """Submit a saved (draft) report as it stands, e.g. with the unit's other drafts (全部报送)."""
    report = session.get(LedgerReport, report_id)
    if report is None:
        raise ProgressRejected("report_id", problem("progress.no_report", report=report_id))
    period = get_period(session, report.period_id)
    unit = session.get(OrgUnit, report.org_unit_id)
    check(actor, Action.SUBMIT, Scope(org_unit_id=report.org_unit_id, org_unit_name=unit.name if unit else None,
                                      window_open=window_is_open(period)))
    ensure_unlocked(period)
    if report.state != "draft":
        raise ReportStateError("只能报送保存为草稿的进展报告")
    old = _snapshot(report)
    report.state, report.submitted_by_id, report.submitted_at = "submitted", actor.id, utcnow()
    session.add(AuditEvent.of(actor, "submit", REPORTS, report.id, old=old, new=_snapshot(report)))
    session.flush()
    return report


def add_evidence(session: Session, actor: User, report_id: int, name: str, content: bytes) -> LedgerEvidence:
    """Keep a file that backs a report, with its SHA-256; only while the report can still be edited."""
    report = region_scope.ledger_report(session, actor, report_id)
    period = get_period(session, report.period_id)
    check(actor, Action.ENTER, Scope(org_unit_id=report.org_unit_id, window_open=window_is_open(period)))
    ensure_unlocked(period)
    clean = PurePath(name.replace("\\", "/")).name.strip()[-120:] or "evidence"
    if not clean.lower().endswith(EVIDENCE_SUFFIXES):
        raise ProgressRejected("evidence", problem("progress.evidence_type", name=clean, types="、".join(EVIDENCE_SUFFIXES)))
    if not content:
        raise ProgressRejected("evidence", problem("progress.evidence_empty", name=clean))
    if len(content) > MAX_EVIDENCE_BYTES:
        raise ProgressRejected("evidence", problem("progress.evidence_size", name=clean, mb=MAX_EVIDENCE_BYTES // 1024 // 1024))
    if report.state in ("submitted", "approved"):
        raise ReportStateError("已报送的进展报告不能再添加证明材料")
    digest = hashlib.sha256(content).hexdigest()
    evidence = LedgerEvidence(report_id=report.id, name=clean, sha256=digest, size=len(content), content=content,
                              uploaded_by_id=actor.id)
    session.add(evidence)
    session.flush()
    session.add(AuditEvent.of(actor, "evidence", REPORTS, report.id,
                              new={"evidence": clean, "sha256": digest, "size": len(content)}))
    session.flush()
    return evidence


def ledger_warnings(session: Session, period: ReportingPeriod, today: date | None = None) -> list[LedgerWarning]:
    """What the monitoring group should ask after in a period: overdue tasks, tasks reported 滞后 in
    this and the previous period, units that did not report, projects behind their investment plan."""
    month = (today or date.today()).strftime("%Y-%m")
    reports = list(session.scalars(select(LedgerReport).where(LedgerReport.period_id == period.id)))
    previous = session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.plan_id == period.plan_id, ReportingPeriod.year == period.year - 1,
        ReportingPeriod.quarter.is_(None), ReportingPeriod.month.is_(None)))
    behind_before = {r.task_id for r in session.scalars(select(LedgerReport).where(
        LedgerReport.period_id == previous.id, LedgerReport.status == "behind"))} if previous else set()
    out: list[LedgerWarning] = []
    tasks = list(session.scalars(select(Task).where(Task.plan_id == period.plan_id, Task.retired.is_(False))
                                 .order_by(Task.line)))
    by_task: dict[int, list[LedgerReport]] = {}
    for r in reports:
        if r.task_id is not None:
            by_task.setdefault(r.task_id, []).append(r)
    for task in tasks:
        done = any(r.status == "completed" for r in by_task.get(task.id, []))
        if task.deadline is not None and task.deadline < month and not done:
            out.append(LedgerWarning("overdue", "task", task.id, task.title, f"完成时限 {task.deadline} 已过，尚未报告完成"))
        if task.id in behind_before and any(r.status == "behind" for r in by_task.get(task.id, [])):
            out.append(LedgerWarning("behind_twice", "task", task.id, task.title, "连续两期报告为“滞后”"))
    reported = {(r.task_id, r.org_unit_id) for r in reports}
    if not window_is_open(period):
        for task_id, unit_id, unit_name in session.execute(
                select(Assignment.task_id, Assignment.org_unit_id, OrgUnit.name)
                .join(Task, Task.id == Assignment.task_id).join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
                .where(Task.plan_id == period.plan_id, Task.retired.is_(False))):
            if (task_id, unit_id) not in reported:
                silent = session.get(Task, task_id)
                out.append(LedgerWarning("not_reported", "task", task_id or 0, silent.title if silent else "",
                                         f"「{unit_name}」未报告本期进展"))
    cumulative = {r.project_id: r.investment_cumulative for r in reports
                  if r.project_id is not None and r.investment_cumulative is not None}
    for project in session.scalars(select(Project).where(Project.plan_id == period.plan_id,
                                                         Project.retired.is_(False))):
        planned = project.period_investment or project.investment
        if planned is None or project.start_year is None or project.end_year is None \
                or not project.start_year <= period.year:
            continue
        share = min(1.0, (period.year - project.start_year + 1) / (project.end_year - project.start_year + 1))
        invested = cumulative.get(project.id)
        if invested is not None and invested < planned * share * 0.8:
            out.append(LedgerWarning("investment_behind", "project", project.id, project.name,
                                     f"累计完成投资 {invested:,.0f} 万元，低于按年限应完成的 {planned * share:,.0f} 万元"))
    return out
