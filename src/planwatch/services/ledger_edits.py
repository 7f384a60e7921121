"""People's changes to a plan's ledger: add, edit, milestones, split, merge, retire, restore.

Extraction gives a first ledger; the monitoring and evaluation groups then shape it to the
way the district works (a task split between two bureaus, two 专栏 items that are one
project, a task the leaders dropped). Each command checks the person and the district,
records the change as a :class:`~planwatch.store.models.LedgerEdit`, applies it through the
engine that also replays it on re-import (:mod:`planwatch.services.ledger_replay`), and
writes an audit event with the before and after.

Split: the first part keeps the task's row and its reports (see the engine). Merge: two
reports by one unit for one period cannot both stand: they are listed and the merge is
refused until the person names the ones to discard. Retire: the task or project stays in
the ledger, marked, out of warnings and the assessment, until it is restored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import problem
from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.services.ledger_replay import LedgerEditError, MergeConflict, apply_edit, snapshot
from planwatch.store.models import (
    AuditEvent,
    LedgerEdit,
    LedgerReport,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["ProjectFields", "TargetIn", "TaskFields", "add_project", "add_task", "edit_project", "edit_task",
           "merge_tasks", "restore", "retire", "set_milestones", "split_task"]


@dataclass(frozen=True, slots=True)
class TargetIn:
    """A task's own quantified target (新建消防救援站 1 座, 2026)."""

    name: str
    year: int
    value: float | None
    unit: str | None = None

@dataclass(frozen=True, slots=True)
class TaskFields:
    """What a person sets on a task; None leaves a field as it is, deadline "" clears it."""

    title: str | None = None
    section: str | None = None
    deadline: str | None = None
    kind: str | None = None
    units: Sequence[tuple[int, str]] | None = None  # (org unit id, 牵头/责任/配合)
    targets: Sequence[TargetIn] | None = None

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in ("title", "section", "deadline", "kind")
                               if getattr(self, k) is not None}
        if self.units is not None:
            out["units"] = [[unit_id, role] for unit_id, role in self.units]
        if self.targets is not None:
            out["targets"] = [[t.name, t.year, t.value, t.unit] for t in self.targets]
        return out

@dataclass(frozen=True, slots=True)
class ProjectFields:
    """What a person sets on a major project; investments in 万元."""

    name: str | None = None
    category: str | None = None
    content: str | None = None
    investment: float | None = None
    start_year: int | None = None
    end_year: int | None = None
    annual_investment: Mapping[int, float] | None = None  # year → planned investment
    units: Sequence[tuple[int, str]] | None = None

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in ("name", "category", "content", "investment",
                                                             "start_year", "end_year") if getattr(self, k) is not None}
        if self.annual_investment is not None:
            out["annual_investment"] = {str(y): v for y, v in sorted(self.annual_investment.items())}
        if self.units is not None:
            out["units"] = [[unit_id, role] for unit_id, role in self.units]
        return out

def add_task(session: Session, actor: User, plan_id: int, fields: TaskFields) -> Task:
    plan = _plan(session, actor, plan_id)
    if not (fields.title or "").strip():
        raise LedgerEditError("title", problem("ledger.task_title_missing"))
    with session.begin_nested():
        edit = _record(session, actor, plan, "task", "add", None, fields.changes())
        task = apply_edit(session, plan, edit, None, [])
    assert isinstance(task, Task)
    session.add(AuditEvent.of(actor, "add", "tasks", task.id, new=snapshot(session, task)))
    session.flush()
    return task

def add_project(session: Session, actor: User, plan_id: int, fields: ProjectFields) -> Project:
    plan = _plan(session, actor, plan_id)
    if not (fields.name or "").strip():
        raise LedgerEditError("name", problem("ledger.project_name_missing"))
    with session.begin_nested():
        edit = _record(session, actor, plan, "project", "add", None, fields.changes())
        project = apply_edit(session, plan, edit, None, [])
    assert isinstance(project, Project)
    session.add(AuditEvent.of(actor, "add", "projects", project.id, new=snapshot(session, project)))
    session.flush()
    return project

def edit_task(session: Session, actor: User, task_id: int, fields: TaskFields) -> Task:
    task = _subject(session, actor, "task", task_id)
    assert isinstance(task, Task)
    _change(session, actor, task, "edit", _nonempty(fields.changes()))
    return task

def edit_project(session: Session, actor: User, project_id: int, fields: ProjectFields) -> Project:
    project = _subject(session, actor, "project", project_id)
    assert isinstance(project, Project)
    _change(session, actor, project, "edit", _nonempty(fields.changes()))
    return project

def set_milestones(session: Session, actor: User, entity: str, item_id: int,
                   milestones: Sequence[tuple[str, str]]) -> Task | Project:
    """Replace the dated milestones (title, YYYY-MM) of a task or project."""
    subject = _subject(session, actor, entity, item_id)
    _change(session, actor, subject, "milestones", {"milestones": [[t, d] for t, d in milestones]})
    return subject

def retire(session: Session, actor: User, entity: str, item_id: int, reason: str) -> Task | Project:
    """Take a task or project out of warnings, the assessment and reporting; why is required
    (the audit trail keeps it): a retired 专栏 work is a decision someone answers for."""
    subject = _subject(session, actor, entity, item_id)
    if not reason.strip():
        raise LedgerEditError("reason", problem("ledger.retire_reason"))
    if subject.retired:
        raise LedgerEditError("retired", problem("ledger.already_retired"))
    _change(session, actor, subject, "retire", {}, reason=reason.strip())
    return subject

def restore(session: Session, actor: User, entity: str, item_id: int, reason: str = "") -> Task | Project:
    subject = _subject(session, actor, entity, item_id)
    if not subject.retired:
        raise LedgerEditError("retired", problem("ledger.not_retired"))
    _change(session, actor, subject, "restore", {}, reason=reason.strip() or None)
    return subject

def split_task(session: Session, actor: User, task_id: int, parts: Sequence[TaskFields]) -> list[Task]:
    """Split a task into the parts given; the first part keeps the task's row and its reports."""
    task = _subject(session, actor, "task", task_id)
    assert isinstance(task, Task)
    if len(parts) < 2:
        raise LedgerEditError("parts", problem("ledger.split_parts"))
    for n, part in enumerate(parts, start=1):
        if not (part.title or "").strip():
            raise LedgerEditError(f"parts[{n}].title", problem("ledger.part_title_missing", n=n))
    plan = session.get_one(Plan, task.plan_id)
    before = snapshot(session, task)
    with session.begin_nested():
        edit = _record(session, actor, plan, "task", "split", task, {"parts": [p.changes() for p in parts]})
        apply_edit(session, plan, edit, task, [])
    made = [task, *session.scalars(select(Task).where(Task.plan_id == plan.id, Task.key.startswith(f"e{edit.id}."))
                                   .order_by(Task.id))]
    session.add(AuditEvent.of(actor, "split", "tasks", task.id, old=before,
                              new={"parts": [{"id": t.id, **snapshot(session, t)} for t in made]}))
    session.flush()
    return made

def merge_tasks(session: Session, actor: User, keep_id: int, other_ids: Sequence[int],
                discard_report_ids: Sequence[int] = ()) -> Task:
    """Merge tasks into ``keep_id``: units, targets, milestones, reports and evidence move to it."""
    keep = _subject(session, actor, "task", keep_id)
    assert isinstance(keep, Task)
    others = []
    for other_id in dict.fromkeys(other_ids):
        other = _subject(session, actor, "task", other_id)
        if other.id == keep.id or other.plan_id != keep.plan_id:
            raise LedgerEditError("merge", problem("ledger.merge_other", task=other_id))
        others.append(other)
    if not others:
        raise LedgerEditError("merge", problem("ledger.merge_none"))
    plan = session.get_one(Plan, keep.plan_id)
    discard = _discarded(session, [keep, *others], set(discard_report_ids))
    before = {"kept": snapshot(session, keep), "merged": [{"id": o.id, **snapshot(session, o)} for o in others]}
    with session.begin_nested():
        _merge_now(session, actor, plan, keep, others, discard)
    session.add(AuditEvent.of(actor, "merge", "tasks", keep.id, old=before, new=snapshot(session, keep)))
    session.flush()
    return keep

def _merge_now(session: Session, actor: User, plan: Plan, keep: Task, others: Sequence[Task | Project],
               discard: Sequence[LedgerReport]) -> None:
    for report in discard:
        session.add(AuditEvent.of(actor, "discard", "ledger_reports", report.id,
                                  old={"task_id": report.task_id, "period_id": report.period_id,
                                       "org_unit_id": report.org_unit_id, "status": report.status,
                                       "percent": report.percent, "progress": report.progress,
                                       "state": report.state,
                                       "evidence": [[e.name, e.sha256] for e in report.evidence]},
                                  reason="合并任务时舍弃的重复进展报告"))
        for evidence in report.evidence:
            session.delete(evidence)
        session.delete(report)
    session.flush()
    edit = _record(session, actor, plan, "task", "merge", keep,
                   {"others": [[o.key or "", o.line] for o in others]})
    apply_edit(session, plan, edit, keep, others)

def _discarded(session: Session, tasks: Sequence[Task | Project], chosen: set[int]) -> list[LedgerReport]:
    """The reports to drop before merging: exactly the ones named, each one of a clashing pair."""
    seen: dict[tuple[int, int], LedgerReport] = {}
    pairs: list[tuple[LedgerReport, LedgerReport]] = []
    for task in tasks:
        for report in session.scalars(select(LedgerReport).where(LedgerReport.task_id == task.id)
                                      .order_by(LedgerReport.id)):
            slot = (report.period_id, report.org_unit_id)
            if slot in seen:
                pairs.append((seen[slot], report))
            if slot not in seen or seen[slot].id in chosen:
                seen[slot] = report
    clashing = {r.id for pair in pairs for r in pair}
    stray = chosen - clashing
    if stray:
        raise LedgerEditError("discard", problem("ledger.discard_stray", report=min(stray)))
    open_pairs = [(a, b) for a, b in pairs if a.id not in chosen and b.id not in chosen]
    if open_pairs:
        periods = {p.id: p.code for p in session.scalars(select(ReportingPeriod))}
        units = {u.id: u.name for u in session.scalars(select(OrgUnit))}
        raise MergeConflict([(periods.get(a.period_id, str(a.period_id)), units.get(a.org_unit_id, ""), a.id, b.id)
                             for a, b in open_pairs])
    return [r for pair in pairs for r in pair if r.id in chosen]

def _plan(session: Session, actor: User, plan_id: int) -> Plan:
    check(actor, Action.CORRECT_EXTRACTION)
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise LedgerEditError("plan_id", problem("ledger.no_plan", plan=plan_id))
    region_scope.require_plan(session, actor, plan)
    return plan

def _subject(session: Session, actor: User, entity: str, item_id: int) -> Task | Project:
    check(actor, Action.CORRECT_EXTRACTION)
    subject = session.get(Task, item_id) if entity == "task" else (
        session.get(Project, item_id) if entity == "project" else None)
    if subject is None:
        raise LedgerEditError("id", problem("ledger.no_task" if entity == "task" else "ledger.no_project", id=item_id))
    region_scope.require_plan(session, actor, session.get_one(Plan, subject.plan_id))
    return subject

def _check_units(session: Session, actor: User, plan: Plan, changes: dict[str, Any]) -> None:
    """The units a person names (for the task, or for each part of a split) must be units of
    the plan's region that the person may see."""
    region = region_scope.assignable(session, plan)
    mine = region_scope.region_of(session, actor)
    for part in [changes, *changes.get("parts", [])]:
        for unit_id, _ in part.get("units") or []:
            known = isinstance(unit_id, int) and session.get(OrgUnit, unit_id) is not None  # else: no such unit
            if known and not (region.has_unit(unit_id) and mine.has_unit(unit_id)):
                raise LedgerEditError("units", problem("ledger.unit_outside", unit=unit_id, region=plan.region_name))

def _change(session: Session, actor: User, subject: Task | Project, action: str, changes: dict[str, Any], *,
            reason: str | None = None) -> None:
    plan = session.get_one(Plan, subject.plan_id)
    entity = "task" if isinstance(subject, Task) else "project"
    before = snapshot(session, subject)
    with session.begin_nested():
        edit = _record(session, actor, plan, entity, action, subject, changes)
        apply_edit(session, plan, edit, subject, [])
    session.add(AuditEvent.of(actor, action, f"{entity}s", subject.id, old=before, new=snapshot(session, subject),
                              reason=reason))
    session.flush()

def _record(session: Session, actor: User, plan: Plan, entity: str, action: str, subject: Task | Project | None,
            changes: dict[str, Any]) -> LedgerEdit:
    _check_units(session, actor, plan, changes)
    edit = LedgerEdit(plan_key=plan.plan_key, entity=entity, action=action,
                      subject_key=(subject.key or "") if subject is not None else "",
                      subject_line=subject.line if subject is not None else 0, changes=changes,
                      created_by_id=actor.id)
    session.add(edit)
    session.flush()
    return edit

def _nonempty(changes: dict[str, Any]) -> dict[str, Any]:
    if not changes:
        raise LedgerEditError("fields", problem("ledger.nothing_changed"))
    return changes
