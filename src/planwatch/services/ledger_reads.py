"""What the ledger pages read beside the ledger itself: a plan's periods, the reports of a
task or project in a period, the subject of a report, the other tasks one may merge into,
and an evidence file to download.

Each read takes the acting user and keeps to its region (a record of another district is
answered as missing); an evidence file is given only to those who may view its unit's data.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, Scope, check
from planwatch.services import region_scope
from planwatch.store.models import LedgerEvidence, LedgerReport, Plan, Project, ReportingPeriod, Task, User

__all__ = ["evidence_file", "other_tasks", "plan_periods", "report_subject", "subject_reports"]


def plan_periods(session: Session, actor: User, plan: Plan) -> list[ReportingPeriod]:
    """The plan's reporting periods, newest year first."""
    region_scope.require_plan(session, actor, plan)
    return list(session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id)
                                .order_by(ReportingPeriod.year.desc(), ReportingPeriod.code.desc())))


def subject_reports(session: Session, actor: User, subject: Task | Project,
                    period: ReportingPeriod) -> dict[int, LedgerReport]:
    """The progress reports on ``subject`` in ``period``, by the unit that made each."""
    if isinstance(subject, Task):
        region_scope.task(session, actor, subject.id)
        column = LedgerReport.task_id
    else:
        region_scope.project(session, actor, subject.id)
        column = LedgerReport.project_id
    return {report.org_unit_id: report for report in session.scalars(select(LedgerReport).where(
        column == subject.id, LedgerReport.period_id == period.id))}


def report_subject(session: Session, actor: User, report: LedgerReport) -> Task | Project:
    """The task or project a progress report is on."""
    if report.task_id is not None:
        return region_scope.task(session, actor, report.task_id)
    assert report.project_id is not None  # a report is on a task or a project (a check constraint)
    return region_scope.project(session, actor, report.project_id)


def other_tasks(session: Session, actor: User, task: Task) -> list[Task]:
    """The plan's other tasks in use, in reading order: those ``task`` may be merged into."""
    region_scope.task(session, actor, task.id)
    return list(session.scalars(select(Task).where(Task.plan_id == task.plan_id, Task.id != task.id,
                                                   Task.retired.is_(False)).order_by(Task.line, Task.id)))


def evidence_file(session: Session, actor: User, evidence_id: int) -> LedgerEvidence:
    """An evidence file, for those who may view the data of the unit that reported it (a
    clerk: its own unit's only)."""
    evidence = region_scope.evidence(session, actor, evidence_id)
    report = session.get_one(LedgerReport, evidence.report_id)
    check(actor, Action.VIEW, Scope(org_unit_id=report.org_unit_id))
    return evidence
