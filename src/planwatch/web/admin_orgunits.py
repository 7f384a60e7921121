"""The administrator's org-unit page: the tree, adding and editing a unit, deactivating and
reactivating it, and importing the tree from a CSV/XLSX table.

Every change is a call to :mod:`planwatch.services.orgunits`, which checks the role and
writes the audit event; an import is read with the CLI's reader and stored in one
savepoint, so a bad file stores nothing and its rows' problems are listed together.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from planwatch.errors import InputError
from planwatch.monitor.permissions import Action, check
from planwatch.services import import_history, orgunits, region_scope
from planwatch.services.import_history import Channel, Outcome, problems_of
from planwatch.services.orgunit_import import import_in_batches
from planwatch.store.models import OrgUnit, User
from planwatch.web.app_state import DbSession, app_database
from planwatch.web.auth import PageUser
from planwatch.web.boundary import body
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.table_upload import MAX_TABLE_BYTES, uploaded_table
from planwatch.web.templating import local_url, render, translator

__all__ = ["field_problem", "router", "upload_problems"]

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_csrf)])

KIND_CODES = tuple(orgunits.KINDS)


def upload_problems(exc: InputError) -> list[str]:
    """The lines to show for a rejected table: one per bad row, else the one problem."""
    return exc.problems if isinstance(exc, orgunits.RowErrors) else [exc.problem]


def _page(request: Request, db: Session, actor: User, *, message: str | None = None,
          problems: list[str] | None = None, form: dict[str, str] | None = None,
          editing: int | None = None) -> HTMLResponse:
    t = translator(request)
    failed = bool(problems)
    tree = orgunits.org_unit_tree(db, actor)
    return render(request, "admin_orgunits.html", {
        "tree": tree, "children": Counter(e.unit.parent_id for e in tree if e.unit.parent_id is not None),
        "kinds": [(k, t(f"orgunit.kind.{k}")) for k in KIND_CODES],
        "kind_labels": {k: t(f"orgunit.kind.{k}") for k in KIND_CODES},
        "message": message, "problems": problems or [], "form": form or {}, "editing": editing},
        status_code=422 if failed else 200)


def _unit(db: Session, actor: User, unit_id: int) -> OrgUnit:
    return region_scope.org_unit(db, actor, unit_id)


def _parent_id(value: str) -> int | None:
    """The parent select's value: empty for a root, else a unit id."""
    if not value.strip():
        return None
    if not value.isdigit() or not 1 <= int(value) <= 2**31 - 1:
        raise orgunits.OrgUnitError("parent", f"上级单位应为单位编号，实际为「{value}」")
    return int(value)


def _done(request: Request, done: str) -> RedirectResponse:
    return RedirectResponse(local_url(request, "admin_orgunits").include_query_params(done=done), status_code=303)


_DONE = frozenset({"added", "updated", "deactivated", "activated", "imported"})


@router.get("/orgunits", name="admin_orgunits")
def orgunits_page(request: Request, actor: PageUser, db: DbSession, done: str = "",
                  edit: RowId | None = None) -> HTMLResponse:
    check(actor, Action.MANAGE_ORG_UNITS)
    message = translator(request)(f"orgunit.done.{done}") if done in _DONE else None
    return _page(request, db, actor, message=message, editing=edit)


@router.post("/orgunits", name="admin_orgunit_add")
def orgunit_add(request: Request, actor: PageUser, db: DbSession, code: Annotated[str, Form(max_length=200)],
                name: Annotated[str, Form(max_length=400)], kind: Annotated[str, Form(max_length=32)],
                parent: Annotated[str, Form(max_length=16)] = "",
                short_name: Annotated[str, Form(max_length=200)] = "") -> Response:
    check(actor, Action.MANAGE_ORG_UNITS)
    try:
        with db.begin_nested():
            orgunits.create_org_unit(db, actor, code=code, name=name, kind=kind, parent_id=_parent_id(parent),
                                     short_name=short_name)
    except InputError as exc:
        return _page(request, db, actor, problems=[field_problem(request, exc)],
                     form={"code": code, "name": name, "kind": kind, "parent": parent, "short_name": short_name})
    return _done(request, "added")


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
                   parent: Annotated[str, Form(max_length=16)] = "",
                   short_name: Annotated[str, Form(max_length=200)] = "") -> Response:
    check(actor, Action.MANAGE_ORG_UNITS)
    unit = _unit(db, actor, unit_id)
    try:
        with db.begin_nested():
            orgunits.update_org_unit(db, actor, unit, name=name, short_name=short_name, kind=kind,
                                     parent_id=_parent_id(parent))
    except InputError as exc:
        db.expire(unit)
        return _page(request, db, actor, problems=[field_problem(request, exc)], editing=unit.id)
    return _done(request, "updated")


@router.post("/orgunits/{unit_id}/active", name="admin_orgunit_active")
def orgunit_active(request: Request, actor: PageUser, db: DbSession, unit_id: RowId,
                   active: Annotated[str, Form(pattern="^(on|off)$")]) -> Response:
    check(actor, Action.MANAGE_ORG_UNITS)
    unit = _unit(db, actor, unit_id)
    orgunits.set_org_unit_active(db, actor, unit, active == "on")
    return _done(request, "activated" if active == "on" else "deactivated")
