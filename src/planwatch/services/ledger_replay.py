"""Applying a ledger edit, live and on re-import: the one engine both go through.

Each change a person makes to a plan's ledger (:mod:`planwatch.services.ledger_edits`) is kept
as a :class:`~planwatch.store.models.LedgerEdit` under the plan's key and the subject's stable
key. :func:`apply_edit` makes the change the moment it is recorded and again, in order, when
the plan or a revised plan is imported (:func:`reapply`), so the live edit and its replay
cannot differ. Like indicator corrections (:mod:`services.corrections`), an edit whose task
or project the new text no longer has is skipped, and so is one the new text makes invalid.

Split: the first part keeps the task's row, its reports, evidence and milestones; the other
parts start without reports. Copying the reports would count one unit's work twice in the
assessment, and a report says what was done for the task as it stood when it was written.
Merge: the merged tasks' units, targets, milestones, reports and evidence move to the task
kept, and the merged rows are deleted (their definitions stay in the audit trail).

Values are read as the forms and sheets read them (:mod:`planwatch.fields`); a refusal is a
:class:`LedgerEditError` naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.errors import FieldRefused, InputError, Problem, problem
from planwatch.fields import read_amount, read_month, read_number, read_year
from planwatch.store.models import (
    Assignment,
    LedgerEdit,
    LedgerReport,
    Milestone,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    Task,
    TaskTarget,
)

__all__ = ["ROLES", "LedgerEditError", "MergeConflict", "apply_edit", "extracted_key", "reapply", "snapshot"]

ROLES = ("牵头", "责任", "配合")
_KINDS = ("task", "column", "assignment")
_Read = TypeVar("_Read")


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


def extracted_key(title: str) -> str:
    """The stable key of a task or project as extraction read it."""
    return f"x:{title}"


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
                apply_edit(session, plan, edit, subject, others)
        except LedgerEditError:
            continue
        applied += 1
    return applied


# ---- applying an edit (live and on re-import) ---------------------------------------------

def apply_edit(session: Session, plan: Plan, edit: LedgerEdit, subject: Task | Project | None,
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
        raise LedgerEditError("id", problem("ledger.no_subject"))
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
            raise LedgerEditError("discard", problem("ledger.report_clash", report=report.id))
        report.task_id = keep.id
        report.target_values = {target_ids.get(k, k): v for k, v in (report.target_values or {}).items()} or None
        report.milestones_reached = [milestone_ids.get(m, m) for m in report.milestones_reached or []] or None
        taken.add((report.period_id, report.org_unit_id))
    session.flush()
    session.delete(other)


def _set_fields(session: Session, subject: Task | Project, changes: dict[str, Any]) -> None:
    if isinstance(subject, Task):
        if "title" in changes:
            subject.title = _text(changes["title"], "title", "任务名称")
        if "section" in changes:
            subject.section = str(changes["section"]).strip()
        if "kind" in changes:
            if changes["kind"] not in _KINDS:
                raise LedgerEditError("kind", problem("ledger.kind", choices="、".join(_KINDS)))
            subject.kind = changes["kind"]
        if "deadline" in changes:
            subject.deadline = _read(read_month, changes["deadline"], "deadline")
        if "targets" in changes:
            subject.targets = [_target(n, *row) for n, row in enumerate(changes["targets"], start=1)]
    else:
        if "name" in changes:
            subject.name = _text(changes["name"], "name", "项目名称")
        for field in ("category", "content"):
            if field in changes:
                setattr(subject, field, str(changes[field]).strip() or None)
        if "investment" in changes:
            subject.investment = _read(read_amount, changes["investment"], "investment")
        for field in ("start_year", "end_year"):
            if field in changes:
                setattr(subject, field, _read(read_year, changes[field], field))
        if subject.start_year and subject.end_year and subject.start_year > subject.end_year:
            raise LedgerEditError("end_year", problem("ledger.years_reversed"))
        if "annual_investment" in changes:
            plan = {str(_read(read_year, y, "annual_investment")): _read(read_amount, v, f"annual_investment[{y}]")
                    for y, v in changes["annual_investment"].items()}
            subject.annual_investment = {y: v for y, v in plan.items() if v is not None} or None
    if "units" in changes:
        _set_units(session, subject, changes["units"])


def _set_units(session: Session, subject: Task | Project, units: list[list[Any]]) -> None:
    seen: set[int] = set()
    wanted: list[tuple[int, str]] = []
    for unit_id, role in units:
        if role not in ROLES:
            raise LedgerEditError("units", problem("ledger.role", choices="、".join(ROLES), role=role))
        if not isinstance(unit_id, int) or session.get(OrgUnit, unit_id) is None:
            raise LedgerEditError("units", problem("ledger.no_unit", unit=unit_id))
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
        rows.append(Milestone(title=name, due=_read(read_month, due, f"milestones[{n}].due") or ""))
    subject.milestones = rows


# ---- small helpers ------------------------------------------------------------------------


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


def _read(reader: Callable[[object, str], _Read], value: object, field: str) -> _Read:
    """A field read as the forms and sheets read it (:mod:`planwatch.fields`), refused as an
    edit's error, so a replay skips it and a caller catches one kind of error."""
    try:
        return reader(value, field)
    except FieldRefused as refused:
        raise LedgerEditError(field, refused.why) from None


def _text(value: Any, field: str, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise LedgerEditError(field, problem("ledger.empty", label=label))
    return text


def _target(n: int, name: Any, year: Any, value: Any, unit: Any) -> TaskTarget:
    label = _text(name, f"targets[{n}].name", f"第 {n} 个量化目标的名称")
    checked = _read(read_year, year, f"targets[{n}].year")
    if checked is None:
        raise LedgerEditError(f"targets[{n}].year", problem("ledger.target_year_missing", n=n))
    number = _read(read_number, value, f"targets[{n}].value")
    text = f"{number:g}{unit or ''}" if number is not None else ""
    return TaskTarget(name=label, year=checked, text=text, value=number, unit=str(unit).strip() or None if unit else None,
                      comparator="=")
