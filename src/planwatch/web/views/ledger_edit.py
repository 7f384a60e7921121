"""Editing the task ledger in the browser: add, edit, milestones, split, merge, retire, restore.

The monitoring and evaluation groups (and the administrator) shape the extracted ledger
here; every change goes through :mod:`planwatch.services.ledger_edits`, which audits it and
keeps it for re-imports. The edit form sends the whole definition; only the fields that
differ from the stored ones are recorded, so that a later revision of the plan text still
comes through for what the person did not touch.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from planwatch.errors import InputError, problem
from planwatch.fields import read_amount, read_number, read_year
from planwatch.monitor.permissions import Action, check
from planwatch.services import ledger_edits, ledger_reads, ledger_replay, orgunit_reads, region_scope, regions
from planwatch.services.ledger_edits import ProjectFields, TargetIn, TaskFields
from planwatch.services.ledger_replay import ROLES, LedgerEditError, MergeConflict
from planwatch.services.transactions import Session
from planwatch.store.models import Plan, Project, Task, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.messages import refusal_text
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

_KINDS = ("task", "column", "assignment")
_ROLE_FIELDS = {"lead": "牵头", "responsible": "责任", "support": "配合"}


def _entity(kind: str) -> str:
    if kind not in ("tasks", "projects"):
        raise HTTPException(status_code=404)
    return kind[:-1]


def _subject(db: Session, user: User, kind: str, item_id: RowId) -> Task | Project:
    if _entity(kind) == "task":
        return region_scope.task(db, user, item_id)
    return region_scope.project(db, user, item_id)


def _back(request: Request, subject: Task | Project) -> RedirectResponse:
    anchor = f"task-{subject.id}" if isinstance(subject, Task) else f"project-{subject.id}"
    url = local_url(request, "plan_ledger", plan_id=subject.plan_id)
    return RedirectResponse(f"{url}?edited=1#{anchor}", status_code=303)


def _values(db: Session, subject: Task | Project) -> dict[str, Any]:
    """The stored definition in the form's terms."""
    stored = ledger_replay.snapshot(db, subject)
    return {**stored, "units": {unit_id: role for unit_id, role in stored["units"]},
            "annual": sorted((subject.annual_investment or {}).items()) if isinstance(subject, Project) else []}


def _form(request: Request, db: Session, user: User, plan: Plan, kind: str, subject: Task | Project | None, *,
          values: dict[str, Any] | None = None, error: str = "", conflicts: list[tuple[str, str, int, int]] | None = None,
          status_code: int = 200) -> HTMLResponse:
    check(user, Action.CORRECT_EXTRACTION)
    t = translator(request)
    others = ledger_reads.other_tasks(db, user, subject) if isinstance(subject, Task) else []
    return render(request, "ledger_edit.html", {
        "plan": plan, "kind": kind, "subject": subject, "error": error, "conflicts": conflicts or [],
        "values": values if values is not None else (_values(db, subject) if subject is not None else {"units": {}}),
        "units": regions.plan_units(db, user, plan), "role_fields": {f: (role, t(f"ledger.role.{f}")) for f, role in _ROLE_FIELDS.items()},
        "kinds": {k: t(f"ledger.kind.{k}") for k in _KINDS}, "others": others,
    }, status_code=status_code)


@router.get("/plans/{plan_id}/ledger/{kind}/new", name="ledger_new")
def new_form(request: Request, user: PageUser, db: DbSession, plan_id: RowId, kind: str) -> HTMLResponse:
    _entity(kind)
    return _form(request, db, user, region_scope.plan(db, user, plan_id), kind, None)


@router.get("/ledger/{kind}/{item_id}/edit", name="ledger_edit")
def edit_form(request: Request, user: PageUser, db: DbSession, kind: str, item_id: RowId) -> HTMLResponse:
    subject = _subject(db, user, kind, item_id)
    return _form(request, db, user, region_scope.plan(db, user, subject.plan_id), kind, subject)


def _rows(*columns: list[str]) -> list[list[str]]:
    """Repeated inputs read across, rows left wholly blank dropped."""
    width = max((len(c) for c in columns), default=0)
    rows = [[(c[n] if n < len(c) else "").strip() for c in columns] for n in range(width)]
    return [row for row in rows if any(row)]


def _units(lead: list[int], responsible: list[int], support: list[int]) -> list[tuple[int, str]]:
    return [(unit_id, role) for ids, role in ((lead, "牵头"), (responsible, "责任"), (support, "配合"))
            for unit_id in ids]


class EditForm(BaseModel):
    """The edit form of a task or a project; repeated inputs (targets, milestones, annual plan) as lists."""

    title: str = Field(default="", max_length=4000)
    section: str = Field(default="", max_length=4000)
    deadline: str = Field(default="", max_length=16)
    task_kind: str = Field(default="task", max_length=16)
    name: str = Field(default="", max_length=4000)
    category: str = Field(default="", max_length=4000)
    content: str = Field(default="", max_length=4000)
    investment: str = Field(default="", max_length=32)
    start_year: str = Field(default="", max_length=8)
    end_year: str = Field(default="", max_length=8)
    lead: list[RowId] = []
    responsible: list[RowId] = []
    support: list[RowId] = []
    target_name: list[str] = []
    target_year: list[str] = []
    target_value: list[str] = []
    target_unit: list[str] = []
    milestone_title: list[str] = []
    milestone_due: list[str] = []
    annual_year: list[str] = []
    annual_amount: list[str] = []


_EditForm = Annotated[EditForm, Form()]


class MergeForm(BaseModel):
    other: list[RowId] = []  # the tasks merged into this one
    discard: list[RowId] = []  # reports dropped where two clash


class SplitForm(BaseModel):
    part_title: list[str] = []
    part_unit: list[str] = []  # "<part>:<org unit id>"
    part_target: list[str] = []  # "<part>:<task target id>"


@router.post("/plans/{plan_id}/ledger/{kind}/new", name="ledger_add")
def add(request: Request, user: PageUser, db: DbSession, plan_id: RowId, kind: str, form: _EditForm) -> Response:
    return _save(request, db, user, region_scope.plan(db, user, plan_id), kind, None, form)


@router.post("/ledger/{kind}/{item_id}/edit", name="ledger_save")
def save(request: Request, user: PageUser, db: DbSession, kind: str, item_id: RowId, form: _EditForm) -> Response:
    subject = _subject(db, user, kind, item_id)
    return _save(request, db, user, region_scope.plan(db, user, subject.plan_id), kind, subject, form)


def _save(request: Request, db: Session, user: User, plan: Plan, kind: str, subject: Task | Project | None,
          form: EditForm) -> Response:
    entity = _entity(kind)
    units = _units(form.lead, form.responsible, form.support)
    milestones = [(t, d) for t, d in _rows(form.milestone_title, form.milestone_due)]
    typed: dict[str, Any] = {
        **form.model_dump(), "kind": form.task_kind, "units": {u: r for u, r in reversed(units)},
        "targets": _rows(form.target_name, form.target_year, form.target_value, form.target_unit),
        "milestones": milestones, "annual": _rows(form.annual_year, form.annual_amount)}
    try:
        fields: TaskFields | ProjectFields
        if entity == "task":
            fields = TaskFields(title=form.title, section=form.section, deadline=form.deadline, kind=form.task_kind,
                                units=units,
                                targets=[TargetIn(n, read_year(y, f"targets[{i}].year") or 0,
                                                  read_number(v, f"targets[{i}].value"), u or None)
                                         for i, (n, y, v, u) in enumerate(typed["targets"], start=1)])
        else:
            fields = ProjectFields(
                name=form.name, category=form.category, content=form.content,
                investment=read_amount(form.investment, "investment"), start_year=read_year(form.start_year, "start_year"),
                end_year=read_year(form.end_year, "end_year"), units=units,
                annual_investment={read_year(y, "annual_investment") or 0: read_amount(a, "annual_investment") or 0.0
                                   for y, a in typed["annual"]})
        if subject is None:
            added = ledger_edits.add_task(db, user, plan.id, fields) if isinstance(fields, TaskFields) \
                else ledger_edits.add_project(db, user, plan.id, fields)
            if milestones:
                ledger_edits.set_milestones(db, user, entity, added.id, milestones)
            return _back(request, added)
        _save_changes(db, user, subject, fields, milestones)
    except InputError as exc:
        db.rollback()
        return _form(request, db, user, plan, kind, subject, values=typed, error=refusal_text(exc, translator(request)), status_code=422)
    return _back(request, subject)


def _save_changes(db: Session, user: User, subject: Task | Project, fields: TaskFields | ProjectFields,
                  milestones: list[tuple[str, str]]) -> None:
    """Record only what differs from the stored definition."""
    stored = ledger_replay.snapshot(db, subject)
    wanted = fields.changes()
    changed = {k: v for k, v in wanted.items() if _differs(k, stored.get(k), v)}
    if "deadline" in wanted and (stored.get("deadline") or "") == wanted["deadline"]:
        changed.pop("deadline", None)
    if isinstance(fields, ProjectFields) and (stored.get("annual_investment") or {}) != wanted.get(
            "annual_investment", {}):
        changed["annual_investment"] = wanted.get("annual_investment", {})
    milestones_changed = [list(m) for m in milestones] != stored["milestones"]
    if not changed and not milestones_changed:
        raise LedgerEditError("fields", problem("ledger.nothing_changed"))
    if changed:
        if isinstance(subject, Task):
            ledger_edits.edit_task(db, user, subject.id, TaskFields(**_task_args(changed)))
        else:
            ledger_edits.edit_project(db, user, subject.id, ProjectFields(**_project_args(changed)))
    if milestones_changed:
        ledger_edits.set_milestones(db, user, "task" if isinstance(subject, Task) else "project", subject.id,
                                    milestones)


def _differs(key: str, old: Any, new: Any) -> bool:
    if key == "units":
        before: list[tuple[Any, ...]] = sorted(tuple(row) for row in old or [])
        return before != sorted(tuple(row) for row in new)
    if key in ("category", "content"):
        return bool((old or "") != new)
    if key == "annual_investment":
        return False  # compared by the caller: empty and absent are the same plan
    return bool(old != new)


def _task_args(changed: dict[str, Any]) -> dict[str, Any]:
    args = {k: v for k, v in changed.items() if k in ("title", "section", "deadline", "kind")}
    if "units" in changed:
        args["units"] = [(u, r) for u, r in changed["units"]]
    if "targets" in changed:
        args["targets"] = [TargetIn(*row) for row in changed["targets"]]
    return args


def _project_args(changed: dict[str, Any]) -> dict[str, Any]:
    args = {k: v for k, v in changed.items() if k in ("name", "category", "content", "investment", "start_year",
                                                       "end_year")}
    if "units" in changed:
        args["units"] = [(u, r) for u, r in changed["units"]]
    if "annual_investment" in changed:
        args["annual_investment"] = {int(y): v for y, v in changed["annual_investment"].items()}
    return args


@router.post("/ledger/{kind}/{item_id}/retire", name="ledger_retire")
def retire(request: Request, user: PageUser, db: DbSession, kind: str, item_id: RowId,
           reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Confirmed on the ledger page with the reason, which the audit trail keeps."""
    subject = _subject(db, user, kind, item_id)
    ledger_edits.retire(db, user, _entity(kind), subject.id, reason)
    return _back(request, subject)


@router.post("/ledger/{kind}/{item_id}/restore", name="ledger_restore")
def restore(request: Request, user: PageUser, db: DbSession, kind: str, item_id: RowId,
            reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    subject = _subject(db, user, kind, item_id)
    ledger_edits.restore(db, user, _entity(kind), subject.id, reason)
    return _back(request, subject)


@router.post("/ledger/tasks/{item_id}/merge", name="ledger_merge")
def merge(request: Request, user: PageUser, db: DbSession, item_id: RowId, form: Annotated[MergeForm, Form()]) -> Response:
    task = _subject(db, user, "tasks", item_id)
    try:
        ledger_edits.merge_tasks(db, user, task.id, form.other, form.discard)
    except MergeConflict as exc:
        db.rollback()
        return _form(request, db, user, region_scope.plan(db, user, task.plan_id), "tasks", task, error=refusal_text(exc, translator(request)),
                     conflicts=exc.pairs, status_code=409)
    except InputError as exc:  # LedgerEditError, or a field the reader refused
        db.rollback()
        return _form(request, db, user, region_scope.plan(db, user, task.plan_id), "tasks", task, error=refusal_text(exc, translator(request)), status_code=422)
    return _back(request, task)


@router.get("/ledger/tasks/{item_id}/split", name="ledger_split")
def split_form(request: Request, user: PageUser, db: DbSession, item_id: RowId) -> HTMLResponse:
    task = _subject(db, user, "tasks", item_id)
    return _split_page(request, db, user, task)


def _split_page(request: Request, db: Session, user: User, task: Task | Project, *, error: str = "",
                status_code: int = 200) -> HTMLResponse:
    check(user, Action.CORRECT_EXTRACTION)
    assert isinstance(task, Task)
    stored = ledger_replay.snapshot(db, task)
    names = orgunit_reads.unit_names(db, user, [u for u, _ in stored["units"]])
    return render(request, "ledger_split.html", {
        "task": task, "error": error, "parts": range(1, 4), "roles": ROLES,
        "task_units": [(u, names.get(u, str(u)), r) for u, r in stored["units"]]}, status_code=status_code)


@router.post("/ledger/tasks/{item_id}/split", name="ledger_split_save")
def split(request: Request, user: PageUser, db: DbSession, item_id: RowId, form: Annotated[SplitForm, Form()]) -> Response:
    task = _subject(db, user, "tasks", item_id)
    assert isinstance(task, Task)
    roles = {u: r for u, r in ledger_replay.snapshot(db, task)["units"]}
    targets = {str(t.id): TargetIn(t.name, t.year, t.value, t.unit) for t in task.targets}
    chosen_units: dict[int, list[tuple[int, str]]] = {}
    chosen_targets: dict[int, list[TargetIn]] = {}
    for pair in form.part_unit:
        number, _, unit = pair.partition(":")
        if number.isdigit() and unit.isdigit() and int(unit) in roles:
            chosen_units.setdefault(int(number), []).append((int(unit), roles[int(unit)]))
    for pair in form.part_target:
        number, _, target = pair.partition(":")
        if number.isdigit() and target in targets:
            chosen_targets.setdefault(int(number), []).append(targets[target])
    given = {id(t) for chosen in chosen_targets.values() for t in chosen}
    left = [t for t in targets.values() if id(t) not in given]  # targets ticked for no part stay with the first
    parts = [TaskFields(title=text, units=chosen_units.get(n) or None,
                        targets=chosen_targets.get(n, []) + (left if n == 1 else []))
             for n, text in enumerate(form.part_title, start=1) if text.strip()]
    try:
        ledger_edits.split_task(db, user, task.id, parts)
    except InputError as exc:  # LedgerEditError, or a field the reader refused
        db.rollback()
        return _split_page(request, db, user, task, error=refusal_text(exc, translator(request)), status_code=422)
    return _back(request, task)
