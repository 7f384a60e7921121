"""A plan's ledger as people read it: its key tasks and major projects with their units.

Tasks and projects are the second half of plan monitoring: the implementation chapter
asks that tasks be decomposed to departments and towns like the indicators. A clerk sees
the items of the unit it reports for; everyone else sees the whole ledger. A task whose
printed deadline has passed is flagged, so that the monitoring group asks after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import region_scope
from planwatch.store.models import (
    Assignment,
    LedgerReport,
    Milestone,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    ReportingPeriod,
    Task,
    TaskTarget,
    User,
)

__all__ = ["Ledger", "LedgerProject", "LedgerTask", "ReportLine", "latest_reports", "plan_ledger", "responsible_units"]


@dataclass(frozen=True, slots=True)
class ReportLine:
    """A unit's report in the period shown: what the ledger row says about it."""

    id: int
    org_unit_id: int
    org_unit: str
    status: str
    state: str
    percent: float | None
    progress: str
    investment_cumulative: float | None
    entered_by_id: int
    submitted_by_id: int | None
    evidence: list[tuple[int, str]]  # (id, name)
    milestones_reached: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LedgerTask:
    id: int
    line: int
    kind: str
    number: str
    title: str
    section: str
    units: dict[str, list[str]]  # 牵头 / 责任 / 配合 → unit names
    targets: list[TaskTarget]
    deadline: str | None
    overdue: bool
    unit_ids: set[int] = field(default_factory=set)
    reports: list[ReportLine] = field(default_factory=list)
    retired: bool = False
    milestones: list[Milestone] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LedgerProject:
    id: int
    line: int
    name: str
    category: str | None
    content: str | None
    investment: float | None
    period_investment: float | None
    start_year: int | None
    end_year: int | None
    units: list[str]
    unit_ids: set[int] = field(default_factory=set)
    reports: list[ReportLine] = field(default_factory=list)
    retired: bool = False
    milestones: list[Milestone] = field(default_factory=list)
    annual_investment: dict[str, float] | None = None


@dataclass(frozen=True, slots=True)
class Ledger:
    plan_id: int
    plan_title: str
    source_file_id: int
    tasks: list[LedgerTask] = field(default_factory=list)
    projects: list[LedgerProject] = field(default_factory=list)

    @property
    def total_investment(self) -> float:
        return sum(p.investment or 0.0 for p in self.projects if not p.retired)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)


def _reports(session: Session, period_id: int | None) -> dict[tuple[str, int], list[ReportLine]]:
    if period_id is None:
        return {}
    out: dict[tuple[str, int], list[ReportLine]] = {}
    for report, unit in session.execute(select(LedgerReport, OrgUnit.name).join(
            OrgUnit, OrgUnit.id == LedgerReport.org_unit_id).where(LedgerReport.period_id == period_id)
            .options(selectinload(LedgerReport.evidence)).order_by(LedgerReport.id)):
        key = ("task", report.task_id) if report.task_id is not None else ("project", report.project_id or 0)
        out.setdefault(key, []).append(ReportLine(
            report.id, report.org_unit_id, unit, report.status, report.state, report.percent, report.progress,
            report.investment_cumulative, report.entered_by_id, report.submitted_by_id,
            [(e.id, e.name) for e in report.evidence], list(report.milestones_reached or [])))
    return out


def plan_ledger(session: Session, actor: User | None, plan: Plan, today: date | None = None,
                period_id: int | None = None) -> Ledger:
    """The plan's tasks and projects, with the units' reports for ``period_id``; a clerk's own unit's only
    (``actor`` None is the operator at the command line)."""
    only = visible_org_unit_id(actor) if actor is not None else None
    if actor is not None:
        check(actor, Action.VIEW, Scope(org_unit_id=only))
    region_scope.require_plan(session, actor, plan)
    if period_id is not None and session.get_one(ReportingPeriod, period_id).plan_id != plan.id:
        raise region_scope.OutsideRegion("报告期", period_id, region_scope.region_of(session, actor))
    month = (today or date.today()).strftime("%Y-%m")
    task_units: dict[int, dict[str, list[str]]] = {}
    task_unit_ids: dict[int, set[int]] = {}
    for task_id, role, unit_id, name in session.execute(
            select(Assignment.task_id, Assignment.role, OrgUnit.id, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id).join(Task, Task.id == Assignment.task_id)
            .where(Task.plan_id == plan.id).order_by(Assignment.id)):
        assert task_id is not None
        task_units.setdefault(task_id, {}).setdefault(role, []).append(name)
        task_unit_ids.setdefault(task_id, set()).add(unit_id)
    reports = _reports(session, period_id)
    tasks = [LedgerTask(t.id, t.line, t.kind, t.number, t.title, t.section, task_units.get(t.id, {}), list(t.targets),
                        t.deadline, not t.retired and t.deadline is not None and t.deadline < month,
                        task_unit_ids.get(t.id, set()),
                        [r for r in reports.get(("task", t.id), []) if only is None or r.org_unit_id == only],
                        t.retired, list(t.milestones))
             for t in session.scalars(select(Task).where(Task.plan_id == plan.id)
                                      .options(selectinload(Task.targets), selectinload(Task.milestones))
                                      .order_by(Task.line, Task.id))
             if only is None or only in task_unit_ids.get(t.id, set())]
    project_units: dict[int, list[tuple[int, str]]] = {}
    for project_id, unit_id, name in session.execute(
            select(ProjectUnit.project_id, OrgUnit.id, OrgUnit.name).join(OrgUnit, OrgUnit.id == ProjectUnit.org_unit_id)
            .join(Project, Project.id == ProjectUnit.project_id).where(Project.plan_id == plan.id)
            .order_by(ProjectUnit.id)):
        project_units.setdefault(project_id, []).append((unit_id, name))
    projects = [LedgerProject(p.id, p.line, p.name, p.category, p.content, p.investment, p.period_investment,
                              p.start_year, p.end_year, [n for _, n in project_units.get(p.id, [])],
                              {u for u, _ in project_units.get(p.id, [])},
                              [r for r in reports.get(("project", p.id), []) if only is None or r.org_unit_id == only],
                              p.retired, list(p.milestones), p.annual_investment)
                for p in session.scalars(select(Project).where(Project.plan_id == plan.id)
                                         .options(selectinload(Project.milestones)).order_by(Project.line, Project.id))
                if only is None or only in {u for u, _ in project_units.get(p.id, [])}]
    return Ledger(plan.id, plan.title, plan.source_file_id, tasks, projects)


def responsible_units(session: Session, subject: Task | Project) -> list[OrgUnit]:
    """The units a task or project is assigned to, lead first: the ones that report on it."""
    if isinstance(subject, Task):
        query = select(OrgUnit).join(Assignment, Assignment.org_unit_id == OrgUnit.id).where(
            Assignment.task_id == subject.id).order_by(Assignment.id)
    else:
        query = select(OrgUnit).join(ProjectUnit, ProjectUnit.org_unit_id == OrgUnit.id).where(
            ProjectUnit.project_id == subject.id).order_by(ProjectUnit.id)
    return list(session.scalars(query))


def latest_reports(session: Session, actor: User, plan: Plan) -> dict[tuple[str, int], list[LedgerReport]]:
    """("task" | "project", id) → each unit's report of the latest period it reported in; a clerk's
    own unit's only. What a script polling the ledger wants to know first."""
    only = visible_org_unit_id(actor)
    check(actor, Action.VIEW, Scope(org_unit_id=only))
    region_scope.require_plan(session, actor, plan)
    query = (select(LedgerReport).join(ReportingPeriod, ReportingPeriod.id == LedgerReport.period_id)
             .where(ReportingPeriod.plan_id == plan.id)
             .order_by(ReportingPeriod.year, ReportingPeriod.code, LedgerReport.id))
    if only is not None:
        query = query.where(LedgerReport.org_unit_id == only)
    latest: dict[tuple[str, int, int], LedgerReport] = {}
    for report in session.scalars(query):
        subject = ("task", report.task_id) if report.task_id is not None else ("project", report.project_id or 0)
        latest[(*subject, report.org_unit_id)] = report
    out: dict[tuple[str, int], list[LedgerReport]] = {}
    for (kind, subject_id, _), report in latest.items():
        out.setdefault((kind, subject_id), []).append(report)
    return out
