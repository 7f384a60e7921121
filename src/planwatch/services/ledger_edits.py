"""People's changes to a plan's ledger: add, edit, milestones, split, merge, retire, restore.

Extraction gives a first ledger; the monitoring and evaluation groups then shape it to the
way the district works (a task split between two bureaus, two 专栏 items that are one
project, a task the leaders dropped). Like indicator corrections (:mod:`services.corrections`)
each change is kept as a :class:`~planwatch.store.models.LedgerEdit` under the plan's key and
the subject's stable key, and all of them are applied again, in order, when the plan or a
revised plan is imported again; one function applies an edit both times, so the live edit
and its replay cannot differ. Every change is an audit event with the before and after.

Split: the first part keeps the task's row, its reports, evidence and milestones; the other
parts start without reports. Copying the reports would count one unit's work twice in the
assessment, and a report says what was done for the task as it stood when it was written.
Merge: the merged tasks' units, targets, milestones, reports and evidence move to the task
kept, and the merged rows are deleted (their definitions stay in the audit trail). Two
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

from planwatch.errors import InputError, Problem, problem
from planwatch.fields import read_amount, read_month, read_number, read_year
from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    LedgerEdit,
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

__all__ = ["ROLES", "LedgerEditError", "MergeConflict", "ProjectFields", "TargetIn", "TaskFields", "add_project",
           "add_task", "edit_project", "edit_task", "extracted_key", "merge_tasks", "reapply", "restore", "retire",
           "set_milestones", "snapshot", "split_task"]

ROLES = ("牵头", "责任", "配合")
_KINDS = ("task", "column", "assignment")


class LedgerEditError(InputError):
    """An edit that cannot be made as given; names the field and what was expected."""

    def __init__(self, field: str, why: str | Problem) -> None:
        self.field = field
        super().__init__(field, why)


class MergeConflict(LedgerEditError):
    """Reports of one unit for one period on two of the tasks merged; lists each pair."""

    def __init__(self, pairs: Sequence[tuple[str, str, int, int]]) -> None:
        self.pairs = list(pairs)  # (period code, unit name, report kept, report merged)
        listed = "；".join(f"报告期 {p}「{u}」进展报告 #{a} 与 #{b}" for p, u, a, b in self.pairs)
        super().__init__("discard", f"以下同一单位同一报告期有两份进展报告，请选择要舍弃的一份后再合并：{listed}")


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


def extracted_key(title: str) -> str:
    """The stable key of a task or project as extraction read it."""
    return f"x:{title}"


# ---- the edits a person makes ------------------------------------------------------------

def add_task(session: Session, actor: User, plan_id: int, fields: TaskFields) -> Task:
    plan = _plan(session, actor, plan_id)
    if not (fields.title or "").strip():
        raise LedgerEditError("title", "新增任务需要填写任务名称")
    with session.begin_nested():
        edit = _record(session, actor, plan, "task", "add", None, fields.changes())
        task = _apply(session, plan, edit, None, [])
    assert isinstance(task, Task)
    session.add(AuditEvent.of(actor, "add", "tasks", task.id, new=snapshot(session, task)))
    session.flush()
    return task


def add_project(session: Session, actor: User, plan_id: int, fields: ProjectFields) -> Project:
    plan = _plan(session, actor, plan_id)
    if not (fields.name or "").strip():
        raise LedgerEditError("name", "新增项目需要填写项目名称")
    with session.begin_nested():
        edit = _record(session, actor, plan, "project", "add", None, fields.changes())
        project = _apply(session, plan, edit, None, [])
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
        raise LedgerEditError("reason", "请填写撤销的原因")
    if subject.retired:
        raise LedgerEditError("retired", "已撤销，无需再撤销")
    _change(session, actor, subject, "retire", {}, reason=reason.strip())
    return subject


def restore(session: Session, actor: User, entity: str, item_id: int, reason: str = "") -> Task | Project:
    subject = _subject(session, actor, entity, item_id)
    if not subject.retired:
        raise LedgerEditError("retired", "未撤销，无需恢复")
    _change(session, actor, subject, "restore", {}, reason=reason.strip() or None)
    return subject


def split_task(session: Session, actor: User, task_id: int, parts: Sequence[TaskFields]) -> list[Task]:
    """Split a task into the parts given; the first part keeps the task's row and its reports."""
    task = _subject(session, actor, "task", task_id)
    assert isinstance(task, Task)
    if len(parts) < 2:
        raise LedgerEditError("parts", "拆分至少需要两项任务")
    for n, part in enumerate(parts, start=1):
        if not (part.title or "").strip():
            raise LedgerEditError(f"parts[{n}].title", f"第 {n} 项任务需要填写名称")
    plan = session.get_one(Plan, task.plan_id)
    before = snapshot(session, task)
    with session.begin_nested():
        edit = _record(session, actor, plan, "task", "split", task, {"parts": [p.changes() for p in parts]})
        _apply(session, plan, edit, task, [])
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
            raise LedgerEditError("merge", f"任务 #{other_id} 不能并入：应是同一规划中的另一项任务")
        others.append(other)
    if not others:
        raise LedgerEditError("merge", "请选择要并入的任务")
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
    _apply(session, plan, edit, keep, others)


def reapply(session: Session, plan: Plan) -> int:
    """Apply the stored edits of the plan's key to a freshly imported version; returns how many
    applied. An edit whose task or project the new text no longer has is skipped."""
    applied = 0
    for edit in session.scalars(select(LedgerEdit).where(LedgerEdit.plan_key == plan.plan_key)
                                .order_by(LedgerEdit.id)):
        subject = None
        if edit.action != "add":
            subject = _find(session, plan.id, edit.entity, edit.subject_key, edit.subject_line)
            if subject is None:
                continue
        others = [o for o in (_find(session, plan.id, "task", key, line)
                              for key, line in edit.changes.get("others", [])) if o is not None]
        try:
            with session.begin_nested():
                _apply(session, plan, edit, subject, others)
        except InputError:  # LedgerEditError, or a field the reader refuses (FieldRefused)
            continue
        applied += 1
    return applied


# ---- applying an edit (live and on re-import) ---------------------------------------------

def _apply(session: Session, plan: Plan, edit: LedgerEdit, subject: Task | Project | None,
           others: Sequence[Task | Project]) -> Task | Project:
    changes = edit.changes
    if edit.action == "add":
        subject = Task(plan_id=plan.id, line=plan.start_line, title="", kind="task") if edit.entity == "task" \
            else Project(plan_id=plan.id, line=plan.start_line, name="")
        subject.key = f"e{edit.id}"
        session.add(subject)
        session.flush()
        _set_fields(session, subject, changes)
    elif subject is None:
        raise LedgerEditError("id", "任务或项目不存在")
    elif edit.action == "edit":
        _set_fields(session, subject, changes)
    elif edit.action == "milestones":
        _set_milestones(subject, changes["milestones"])
    elif edit.action in ("retire", "restore"):
        subject.retired = edit.action == "retire"
    elif edit.action == "split":
        assert isinstance(subject, Task)
        _split(session, subject, edit, changes["parts"])
    elif edit.action == "merge":
        assert isinstance(subject, Task)
        for other in others:
            assert isinstance(other, Task)
            _merge(session, subject, other)
    session.flush()
    return subject


def _split(session: Session, task: Task, edit: LedgerEdit, parts: list[dict[str, Any]]) -> None:
    units = _units_of(session, task)
    for n, part in enumerate(parts[1:], start=1):
        made = Task(plan_id=task.plan_id, line=task.line, title="", kind=task.kind, number=task.number,
                    section=task.section, deadline=task.deadline, key=f"e{edit.id}.{n}")
        session.add(made)
        session.flush()
        _set_fields(session, made, {"units": [[u, r] for u, r in units], **part})
    _set_fields(session, task, parts[0])


def _merge(session: Session, keep: Task, other: Task) -> None:
    held = {a.org_unit_id for a in session.scalars(select(Assignment).where(Assignment.task_id == keep.id))}
    for assignment in session.scalars(select(Assignment).where(Assignment.task_id == other.id)):
        if assignment.org_unit_id in held:
            session.delete(assignment)
        else:
            assignment.task_id = keep.id
            held.add(assignment.org_unit_id)
    target_ids: dict[str, str] = {}
    for target in other.targets:
        copy = TaskTarget(name=target.name, year=target.year, text=target.text, value=target.value,
                          unit=target.unit, comparator=target.comparator)
        keep.targets.append(copy)
        session.flush()
        target_ids[str(target.id)] = str(copy.id)
    milestone_ids: dict[int, int] = {}
    for milestone in other.milestones:
        copy_m = Milestone(title=milestone.title, due=milestone.due)
        keep.milestones.append(copy_m)
        session.flush()
        milestone_ids[milestone.id] = copy_m.id
    taken = {(r.period_id, r.org_unit_id) for r in session.scalars(
        select(LedgerReport).where(LedgerReport.task_id == keep.id))}
    for report in session.scalars(select(LedgerReport).where(LedgerReport.task_id == other.id)):
        if (report.period_id, report.org_unit_id) in taken:
            raise LedgerEditError("discard", f"进展报告 #{report.id} 与保留任务的报告重复")
        report.task_id = keep.id
        report.target_values = {target_ids.get(k, k): v for k, v in (report.target_values or {}).items()} or None
        report.milestones_reached = [milestone_ids.get(m, m) for m in report.milestones_reached or []] or None
        taken.add((report.period_id, report.org_unit_id))
    session.flush()
    session.delete(other)


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
        raise LedgerEditError("discard", f"进展报告 #{min(stray)} 没有与之重复的报告，不能舍弃")
    open_pairs = [(a, b) for a, b in pairs if a.id not in chosen and b.id not in chosen]
    if open_pairs:
        periods = {p.id: p.code for p in session.scalars(select(ReportingPeriod))}
        units = {u.id: u.name for u in session.scalars(select(OrgUnit))}
        raise MergeConflict([(periods.get(a.period_id, str(a.period_id)), units.get(a.org_unit_id, ""), a.id, b.id)
                             for a, b in open_pairs])
    return [r for pair in pairs for r in pair if r.id in chosen]


def _set_fields(session: Session, subject: Task | Project, changes: dict[str, Any]) -> None:
    if isinstance(subject, Task):
        if "title" in changes:
            subject.title = _text(changes["title"], "title", "任务名称")
        if "section" in changes:
            subject.section = str(changes["section"]).strip()
        if "kind" in changes:
            if changes["kind"] not in _KINDS:
                raise LedgerEditError("kind", f"任务类型应为 {'、'.join(_KINDS)} 之一")
            subject.kind = changes["kind"]
        if "deadline" in changes:
            subject.deadline = read_month(changes["deadline"], "deadline")
        if "targets" in changes:
            subject.targets = [_target(n, *row) for n, row in enumerate(changes["targets"], start=1)]
    else:
        if "name" in changes:
            subject.name = _text(changes["name"], "name", "项目名称")
        for field in ("category", "content"):
            if field in changes:
                setattr(subject, field, str(changes[field]).strip() or None)
        if "investment" in changes:
            subject.investment = read_amount(changes["investment"], "investment")
        for field in ("start_year", "end_year"):
            if field in changes:
                setattr(subject, field, read_year(changes[field], field))
        if subject.start_year and subject.end_year and subject.start_year > subject.end_year:
            raise LedgerEditError("end_year", "建设年限的结束年份不能早于开始年份")
        if "annual_investment" in changes:
            plan = {str(read_year(y, "annual_investment")): read_amount(v, f"annual_investment[{y}]")
                    for y, v in changes["annual_investment"].items()}
            subject.annual_investment = {y: v for y, v in plan.items() if v is not None} or None
    if "units" in changes:
        _set_units(session, subject, changes["units"])


def _set_units(session: Session, subject: Task | Project, units: list[list[Any]]) -> None:
    seen: set[int] = set()
    wanted: list[tuple[int, str]] = []
    for unit_id, role in units:
        if role not in ROLES:
            raise LedgerEditError("units", f"责任分工应为 {'、'.join(ROLES)} 之一，而不是「{role}」")
        if not isinstance(unit_id, int) or session.get(OrgUnit, unit_id) is None:
            raise LedgerEditError("units", f"没有编号为 {unit_id} 的单位")
        if unit_id not in seen:
            seen.add(unit_id)
            wanted.append((unit_id, role))
    if isinstance(subject, Task):
        current: dict[int, Assignment | ProjectUnit] = {a.org_unit_id: a for a in session.scalars(
            select(Assignment).where(Assignment.task_id == subject.id))}
    else:
        current = {p.org_unit_id: p for p in session.scalars(
            select(ProjectUnit).where(ProjectUnit.project_id == subject.id))}
    for unit_id, row in current.items():
        if unit_id not in seen:
            session.delete(row)
    session.flush()
    for unit_id, role in wanted:
        if unit_id in current:
            current[unit_id].role = role
        elif isinstance(subject, Task):
            session.add(Assignment(task_id=subject.id, org_unit_id=unit_id, role=role, origin="manual"))
        else:
            session.add(ProjectUnit(project_id=subject.id, org_unit_id=unit_id, role=role))


def _set_milestones(subject: Task | Project, milestones: list[list[str]]) -> None:
    rows = []
    for n, (title, due) in enumerate(milestones, start=1):
        name = _text(title, f"milestones[{n}].title", f"第 {n} 个里程碑的名称")
        rows.append(Milestone(title=name, due=read_month(due, f"milestones[{n}].due") or ""))
    subject.milestones = rows


# ---- small helpers ------------------------------------------------------------------------

def _plan(session: Session, actor: User, plan_id: int) -> Plan:
    check(actor, Action.CORRECT_EXTRACTION)
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise LedgerEditError("plan_id", f"没有编号为 {plan_id} 的规划")
    region_scope.require_plan(session, actor, plan)
    return plan


def _subject(session: Session, actor: User, entity: str, item_id: int) -> Task | Project:
    check(actor, Action.CORRECT_EXTRACTION)
    subject = session.get(Task, item_id) if entity == "task" else (
        session.get(Project, item_id) if entity == "project" else None)
    if subject is None:
        raise LedgerEditError("id", f"没有编号为 {item_id} 的{'任务' if entity == 'task' else '项目'}")
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
                raise LedgerEditError("units", f"单位 #{unit_id} 不是规划所属地区（{plan.region_name}）的单位")


def _change(session: Session, actor: User, subject: Task | Project, action: str, changes: dict[str, Any], *,
            reason: str | None = None) -> None:
    plan = session.get_one(Plan, subject.plan_id)
    entity = "task" if isinstance(subject, Task) else "project"
    before = snapshot(session, subject)
    with session.begin_nested():
        edit = _record(session, actor, plan, entity, action, subject, changes)
        _apply(session, plan, edit, subject, [])
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


def _find(session: Session, plan_id: int, entity: str, key: str, line: int) -> Task | Project | None:
    rows: list[Task | Project] = list(session.scalars(select(Task).where(Task.plan_id == plan_id, Task.key == key))) \
        if entity == "task" else list(session.scalars(select(Project).where(Project.plan_id == plan_id,
                                                                             Project.key == key)))
    return min(rows, key=lambda r: abs(r.line - line)) if rows else None


def _units_of(session: Session, subject: Task | Project) -> list[tuple[int, str]]:
    if isinstance(subject, Task):
        query = select(Assignment.org_unit_id, Assignment.role).where(Assignment.task_id == subject.id)
        return [(u, r) for u, r in session.execute(query.order_by(Assignment.id))]
    return [(u, r) for u, r in session.execute(select(ProjectUnit.org_unit_id, ProjectUnit.role)
                                               .where(ProjectUnit.project_id == subject.id).order_by(ProjectUnit.id))]


def snapshot(session: Session, subject: Task | Project) -> dict[str, Any]:
    """A task's or project's definition as the audit trail keeps it (and the edit form compares)."""
    session.flush()
    common = {"units": [[u, r] for u, r in _units_of(session, subject)], "retired": subject.retired,
              "milestones": [[m.title, m.due] for m in subject.milestones]}
    if isinstance(subject, Task):
        return {"title": subject.title, "section": subject.section, "deadline": subject.deadline,
                "kind": subject.kind, "targets": [[t.name, t.year, t.value, t.unit] for t in subject.targets],
                **common}
    return {"name": subject.name, "category": subject.category, "content": subject.content,
            "investment": subject.investment, "start_year": subject.start_year, "end_year": subject.end_year,
            "annual_investment": subject.annual_investment, **common}


def _nonempty(changes: dict[str, Any]) -> dict[str, Any]:
    if not changes:
        raise LedgerEditError("fields", "没有要修改的内容：请至少修改一项")
    return changes


def _text(value: Any, field: str, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise LedgerEditError(field, problem("ledger.empty", label=label))
    return text


def _target(n: int, name: Any, year: Any, value: Any, unit: Any) -> TaskTarget:
    label = _text(name, f"targets[{n}].name", f"第 {n} 个量化目标的名称")
    checked = read_year(year, f"targets[{n}].year")
    if checked is None:
        raise LedgerEditError(f"targets[{n}].year", problem("ledger.target_year_missing", n=n))
    number = read_number(value, f"targets[{n}].value")
    text = f"{number:g}{unit or ''}" if number is not None else ""
    return TaskTarget(name=label, year=checked, text=text, value=number, unit=str(unit).strip() or None if unit else None,
                      comparator="=")
