"""The administrator's org-unit page: the tree a branch at a time (a province has 20,000
units), a search, adding and editing a unit (its parent chosen in a picker that suggests as
one types), deactivating and reactivating it, and importing the tree from a CSV/XLSX table.

Every change is a call to :mod:`planwatch.services.orgunits`, which checks the role and
writes the audit event; an import is read with the CLI's reader and stored in one
savepoint, so a bad file stores nothing and its rows' problems are listed together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check
from planwatch.services import import_history, orgunit_reads, orgunits, pickers, region_scope, table_files
from planwatch.services.import_history import Channel, Outcome, problems_of
from planwatch.services.orgunit_import import import_in_batches
from planwatch.services.transactions import Session
from planwatch.store.models import OrgUnit, User
from planwatch.web.app_state import DbSession, app_database
from planwatch.web.auth import PageUser
from planwatch.web.boundary import body
from planwatch.web.paging import PAGE_SIZE, PageNumber, Paging
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.table_upload import MAX_TABLE_BYTES, uploaded_table
from planwatch.web.templating import local_url, render, translator

__all__ = ["field_problem", "router", "upload_problems"]

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])

KIND_CODES = tuple(orgunits.KINDS)


def upload_problems(exc: InputError) -> list[str]:
    """The lines to show for a rejected table: one per bad row, else the one problem."""
    return exc.problems if isinstance(exc, table_files.RowErrors) else [exc.problem]


@dataclass(frozen=True, slots=True)
class _View:
    """Which part of the tree the page shows: a branch (None: the top, or the one top unit's
    children), or what a search finds; and its page."""

    branch: int | None = None
    q: str = ""
    page: int = 1


def _page(request: Request, db: Session, actor: User, view: _View = _View(), *, message: str | None = None,
          problems: list[str] | None = None, form: dict[str, str] | None = None,
          editing: int | None = None) -> HTMLResponse:
    t = translator(request)
    failed = bool(problems)
    shown = region_scope.org_unit(db, actor, view.branch) if view.branch is not None else None
    offset = (view.page - 1) * PAGE_SIZE
    if view.q.strip():
        listed = orgunits.find_units(db, actor, view.q, offset=offset, limit=PAGE_SIZE)
    else:
        listed = orgunits.branch(db, actor, shown.id if shown else None, offset=offset, limit=PAGE_SIZE)
        if shown is None and listed.total == 1 and view.page == 1:  # one district: open it
            shown = listed.lines[0].unit
            listed = orgunits.branch(db, actor, shown.id, offset=offset, limit=PAGE_SIZE)
    url = local_url(request, "admin_orgunits").include_query_params(
        **{k: v for k, v in {"branch": view.branch, "q": view.q}.items() if v})
    edited = region_scope.org_unit(db, actor, editing) if editing is not None else None
    parent_of = orgunit_reads.parent_of(db, actor, edited) if edited is not None else None
    return render(request, "admin_orgunits.html", {
        "lines": listed.lines, "paging": Paging(view.page, listed.total, url), "branch": shown,
        "path": orgunits.ancestors(db, shown) if shown else [], "q": view.q, "searching": bool(view.q.strip()),
        "kinds": [(k, t(f"orgunit.kind.{k}")) for k in KIND_CODES],
        "kind_labels": {k: t(f"orgunit.kind.{k}") for k in KIND_CODES}, "edited": edited,
        "edited_parent": parent_of.name if parent_of else "",
        "message": message, "problems": problems or [], "form": form or {}},
        status_code=422 if failed else 200)


def _unit(db: Session, actor: User, unit_id: int) -> OrgUnit:
    return region_scope.org_unit(db, actor, unit_id)


def _parent_id(db: Session, actor: User, value: str) -> int | None:
    """The parent picker's value: empty for a top-level unit, else a unit's name or code (of
    the administrator's district)."""
    if not value.strip():
        return None
    parent = pickers.unit_named(db, region_scope.region_of(db, actor), value)
    if parent is None:
        raise orgunits.OrgUnitError("parent", f"没有名称或代码为「{value.strip()}」的单位")
    return parent.id


def _done(request: Request, done: str, branch: int | None = None) -> RedirectResponse:
    """Back to the branch of the unit changed, where it shows."""
    url = local_url(request, "admin_orgunits").include_query_params(done=done)
    return RedirectResponse(url.include_query_params(branch=branch) if branch is not None else url, status_code=303)


_DONE = frozenset({"added", "updated", "deactivated", "activated", "imported"})


@router.get("/orgunits", name="admin_orgunits")
def orgunits_page(request: Request, actor: PageUser, db: DbSession, done: str = "", edit: RowId | None = None,
                  branch: RowId | None = None, q: Annotated[str, Query(max_length=200)] = "",
                  page: PageNumber = 1) -> HTMLResponse:
    check(actor, Action.MANAGE_ORG_UNITS)
    message = translator(request)(f"orgunit.done.{done}") if done in _DONE else None
    return _page(request, db, actor, _View(branch, q, page), message=message, editing=edit)


@router.post("/orgunits", name="admin_orgunit_add")
def orgunit_add(request: Request, actor: PageUser, db: DbSession, code: Annotated[str, Form(max_length=200)],
                name: Annotated[str, Form(max_length=400)], kind: Annotated[str, Form(max_length=32)],
                parent: Annotated[str, Form(max_length=400)] = "",
                short_name: Annotated[str, Form(max_length=200)] = "") -> Response:
    check(actor, Action.MANAGE_ORG_UNITS)
    try:
        with db.begin_nested():
            unit = orgunits.create_org_unit(db, actor, code=code, name=name, kind=kind,
                                            parent_id=_parent_id(db, actor, parent), short_name=short_name)
    except InputError as exc:
        return _page(request, db, actor, problems=[field_problem(request, exc)],
                     form={"code": code, "name": name, "kind": kind, "parent": parent, "short_name": short_name})
    return _done(request, "added", unit.parent_id)


def field_problem(request: Request, exc: InputError) -> str:
    """A refusal naming its field: a unit's field by its label in the page's language."""
    if isinstance(exc, orgunits.OrgUnitError):
        return f"{translator(request)(f'orgunit.{exc.field}')}：{exc.problem}"
    return str(exc)


@router.post("/orgunits/import", name="admin_orgunit_import", openapi_extra=body(MAX_TABLE_BYTES, files=True))
def orgunit_import(request: Request, actor: PageUser, db: DbSession, file: UploadFile | None = None) -> Response:
    """Declared before ``/orgunits/{unit_id}``, whose pattern would take the word import."""
    check(actor, Action.MANAGE_ORG_UNITS)
    # The log-in check's transaction ends here: the import is checked whole, then written in
    # short batches of its own, so other people's saves do not wait for a large table.
    db.commit()
    name = (file.filename or "") if file else ""
    try:
        with uploaded_table(file) as path:
            size = path.stat().st_size
            created, updated = import_in_batches(app_database(request.app), actor.id,
                                                 orgunits.read_org_unit_file(path))
    except InputError as exc:  # the history is written after the batches, never holding their lock
        import_history.record(db, actor, Channel.ORG_UNITS, name, Outcome.REFUSED, problems=problems_of(exc))
        return _page(request, db, actor, problems=upload_problems(exc))
    import_history.record(db, actor, Channel.ORG_UNITS, name, Outcome.IMPORTED, size=size,
                          summary=f"新增 {created} 个单位，修改 {updated} 个")
    return _done(request, "imported")


@router.post("/orgunits/{unit_id}", name="admin_orgunit_update")
def orgunit_update(request: Request, actor: PageUser, db: DbSession, unit_id: RowId,
                   name: Annotated[str, Form(max_length=400)], kind: Annotated[str, Form(max_length=32)],
                   parent: Annotated[str, Form(max_length=400)] = "",
                   short_name: Annotated[str, Form(max_length=200)] = "") -> Response:
    check(actor, Action.MANAGE_ORG_UNITS)
    unit = _unit(db, actor, unit_id)
    try:
        with db.begin_nested():
            orgunits.update_org_unit(db, actor, unit, name=name, short_name=short_name, kind=kind,
                                     parent_id=_parent_id(db, actor, parent))
    except InputError as exc:
        db.expire(unit)
        return _page(request, db, actor, _View(unit.parent_id), problems=[field_problem(request, exc)],
                     editing=unit.id)
    return _done(request, "updated", unit.parent_id)


@router.post("/orgunits/{unit_id}/active", name="admin_orgunit_active")
def orgunit_active(request: Request, actor: PageUser, db: DbSession, unit_id: RowId,
                   active: Annotated[str, Form(pattern="^(on|off)$")]) -> Response:
    check(actor, Action.MANAGE_ORG_UNITS)
    unit = _unit(db, actor, unit_id)
    orgunits.set_org_unit_active(db, actor, unit, active == "on")
    return _done(request, "activated" if active == "on" else "deactivated", unit.parent_id)
