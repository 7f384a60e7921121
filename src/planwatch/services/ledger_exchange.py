"""A unit's tasks and projects in its Excel fill-in template, and the reports a filled one makes.

The template's 重点任务 and 重大项目 sheets list what the unit carries (retired items left out);
uploading the filled file reports each filled row through the same service as the web
form (:func:`planwatch.services.ledger_progress.report_progress`), so the rules — own unit,
open window, a report already submitted cannot be changed — are the same. The file is all
or nothing: every row is tried in one savepoint and any bad cell undoes them all, with each
problem named by its cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from planwatch.errors import PlanWatchError
from planwatch.monitor.exchange import CellProblem, ExchangeError
from planwatch.monitor.exchange.ledger_sheets import (
    TASK_SHEET,
    LedgerSheetRow,
    SheetProject,
    SheetTask,
    read_ledger_rows,
    write_ledger_sheets,
)
from planwatch.monitor.exchange.xlsx_template import TemplateIdentity
from planwatch.monitor.permissions import Action, Scope, check
from planwatch.services.ledger_progress import STATUSES, LedgerInput, ProgressRejected, report_progress
from planwatch.services.periods import find_period
from planwatch.store.models import (
    Assignment,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["LedgerTemplateSheets", "ledger_sheets_for", "planned_for_year", "store_ledger_rows", "template_ledger"]

_CODE = re.compile(r"^([TP])(\d{1,10})$")
_DUE = re.compile(r"[（(]\d{4}-\d{2}[)）]$")
# which cell holds each field a report can be refused for, per sheet
_TASK_CELLS = {"status": "E", "percent": "F", "progress": "G", "target_values": "H"}
_PROJECT_CELLS = {"status": "E", "investment_period": "F", "investment_cumulative": "G", "milestones_reached": "H",
                  "progress": "I"}


def planned_for_year(project: Project, year: int) -> float | None:
    """The investment planned for ``year``: the annual plan when there is one, else the total
    spread evenly over the construction years."""
    if project.annual_investment and str(year) in project.annual_investment:
        return project.annual_investment[str(year)]
    if project.investment is None or project.start_year is None or project.end_year is None \
            or not project.start_year <= year <= project.end_year:
        return None
    return round(project.investment / (project.end_year - project.start_year + 1), 2)


def template_ledger(session: Session, actor: User, plan: Plan, unit: OrgUnit,
                    period: ReportingPeriod) -> tuple[list[SheetTask], list[SheetProject]]:
    """The unit's current tasks and projects as the template lists them."""
    check(actor, Action.VIEW, Scope(org_unit_id=unit.id, org_unit_name=unit.name))
    tasks = session.scalars(
        select(Task).join(Assignment, Assignment.task_id == Task.id)
        .where(Task.plan_id == plan.id, Task.retired.is_(False), Assignment.org_unit_id == unit.id)
        .options(selectinload(Task.targets)).order_by(Task.line, Task.id))
    projects = session.scalars(
        select(Project).join(ProjectUnit, ProjectUnit.project_id == Project.id)
        .where(Project.plan_id == plan.id, Project.retired.is_(False), ProjectUnit.org_unit_id == unit.id)
        .options(selectinload(Project.milestones)).order_by(Project.line, Project.id))
    return ([SheetTask(f"T{t.id}", t.title, [f"{g.name} {g.text}（{g.year}）" for g in t.targets], t.deadline or "")
             for t in tasks],
            [SheetProject(f"P{p.id}", p.name, planned_for_year(p, period.year),
                          [f"{m.title}（{m.due}）" for m in p.milestones]) for p in projects])


class LedgerTemplateSheets:
    """The 重点任务 and 重大项目 sheets as further sheets of the fill-in template (see
    :class:`planwatch.monitor.exchange.TemplateSheet`): written with the unit's items, read
    back as filled rows, which :func:`store_ledger_rows` reports."""

    name = "ledger"

    def __init__(self, tasks: Sequence[SheetTask] = (), projects: Sequence[SheetProject] = ()) -> None:
        self.tasks, self.projects = tasks, projects

    def write(self, book: Workbook, identity: TemplateIdentity) -> None:
        write_ledger_sheets(book, self.tasks, self.projects, list(STATUSES.values()))

    def read(self, book: Workbook, identity: TemplateIdentity) -> tuple[object, list[CellProblem]]:
        return read_ledger_rows(book, list(STATUSES.values()))


def ledger_sheets_for(session: Session, actor: User, plan: Plan, unit: OrgUnit,
                      period: ReportingPeriod) -> LedgerTemplateSheets:
    return LedgerTemplateSheets(*template_ledger(session, actor, plan, unit, period))


def store_ledger_rows(session: Session, actor: User, plan: Plan, identity: TemplateIdentity,
                      rows: Sequence[LedgerSheetRow], path: Path, *, submit: bool = True) -> int:
    """Report the filled rows of a template's task and project sheets; returns how many."""
    if not rows:
        return 0
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == identity.org_unit_code))
    period = find_period(session, plan.id, identity.period)
    if unit is None or period is None:
        missing = f"单位代码「{identity.org_unit_code}」" if unit is None else f"报告期「{identity.period}」"
        raise ExchangeError(path, [CellProblem(0, "", f"该规划没有模板中的{missing}")])
    codes = {label: code for code, label in STATUSES.items()}
    problems: list[CellProblem] = []
    with session.begin_nested():  # an ExchangeError leaving the block undoes every row
        for row in rows:
            try:
                _report(session, actor, plan, unit, period, row, codes[row.status], submit)
            except ProgressRejected as exc:
                problems.append(_problem(row, exc.field, exc.problem))
            except PlanWatchError as exc:
                problems.append(CellProblem(row.row, f"{row.sheet}!A{row.row}", str(exc)))
        if problems:
            raise ExchangeError(path, problems)
    return len(rows)


def _report(session: Session, actor: User, plan: Plan, unit: OrgUnit, period: ReportingPeriod, row: LedgerSheetRow,
            status: str, submit: bool) -> None:
    match = _CODE.match(row.code)
    wanted = "T" if row.sheet == TASK_SHEET else "P"
    subject: Task | Project | None = None
    if match is not None and match.group(1) == wanted:
        item_id = int(match.group(2))
        subject = session.get(Task, item_id) if wanted == "T" else session.get(Project, item_id)
    if subject is None or subject.plan_id != plan.id:
        raise ProgressRejected("code", f"「{row.code}」不是本规划的{'任务' if wanted == 'T' else '项目'}代码：请勿修改代码列")
    if isinstance(subject, Task):
        if len(row.target_values) > len(subject.targets):
            raise ProgressRejected("target_values", f"填了 {len(row.target_values)} 个目标完成值，"
                                                    f"该任务只有 {len(subject.targets)} 个量化目标")
        targets = tuple((t.id, v) for t, v in zip(subject.targets, row.target_values, strict=False) if v is not None)
        values = LedgerInput(status, row.progress, row.percent, target_values=targets)
        report_progress(session, actor, period_id=period.id, values=values, task_id=subject.id,
                        org_unit_id=unit.id, submit=submit)
        return
    titles = {m.title: m.id for m in subject.milestones}
    reached = []
    for item in row.milestones:
        title = _DUE.sub("", item).strip()
        if title not in titles:
            raise ProgressRejected("milestones_reached", f"「{item}」不是该项目的里程碑（应为 {'、'.join(titles) or '无'}）")
        reached.append(titles[title])
    values = LedgerInput(status, row.progress, None, row.investment_period, row.investment_cumulative, tuple(reached))
    report_progress(session, actor, period_id=period.id, values=values, project_id=subject.id, org_unit_id=unit.id,
                    submit=submit)


def _problem(row: LedgerSheetRow, field: str, message: str) -> CellProblem:
    cells = _TASK_CELLS if row.sheet == TASK_SHEET else _PROJECT_CELLS
    return CellProblem(row.row, row.cell(cells.get(field, "A")), message)
