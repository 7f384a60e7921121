"""The Excel round trip on the data-entry page: download the unit's template, upload it filled.

The upload goes through the same service as ``planwatch submit`` (one transaction, every
bad cell listed, nothing stored when one is wrong). Its values land as drafts, to be checked
on the page and sent with 全部报送, unless the clerk ticks 直接报送. Its router has no CSRF dependency: that
would read the body before the log-in is checked; the handler checks the user, then reads
at most :data:`TEMPLATE_MAX_BYTES`, then the token.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from planwatch.errors import NotFound, PlanWatchError
from planwatch.monitor.exchange import CellProblem, ExchangeError
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import exchange, import_history, region_scope
from planwatch.services.import_history import Channel
from planwatch.services.transactions import Session
from planwatch.store.models import User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.boundary import body
from planwatch.web.params import RowId
from planwatch.web.security import CSRF_FIELD, CSRF_HEADER, csrf_valid
from planwatch.web.templating import translator
from planwatch.web.uploads import receive_upload, save_upload, uploaded_file
from planwatch.web.views.entry import render_entry_page

__all__ = ["TEMPLATE_MAX_BYTES", "router"]

router = APIRouter(include_in_schema=False)

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024  # a template of a few hundred indicators is some 50 KB
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/entry/template", name="entry_template")
def entry_template(user: PageUser, db: DbSession, period: RowId, unit: RowId | None = None) -> Response:
    """The unit's template for the period: a clerk's own unit, any unit of the district for the others."""
    the_period = region_scope.period(db, user, period)
    if the_period.locked:
        raise HTTPException(status_code=409, detail=f"报告期 {the_period.code} 已锁定")
    own = visible_org_unit_id(user)
    chosen = own if own is not None else unit
    if chosen is None:
        raise HTTPException(status_code=422, detail="unit：请选择填报单位")
    the_unit = region_scope.org_unit(db, user, chosen)
    data = io.BytesIO()
    exchange.write_unit_template(db, user, the_unit, the_period, data)
    filename = f"{the_unit.name}_{the_period.code}_填报表.xlsx"
    return Response(data.getvalue(), media_type=_XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}"})


@router.post("/entry/upload", name="entry_upload", openapi_extra=body(TEMPLATE_MAX_BYTES, files=True))
async def entry_upload(request: Request, user: PageUser, db: DbSession) -> Response:
    check(user, Action.ENTER, Scope(org_unit_id=visible_org_unit_id(user), window_open=True))
    form = await receive_upload(request, TEMPLATE_MAX_BYTES)
    try:
        sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
        if not csrf_valid(request.session, sent if isinstance(sent, str) else None):
            raise HTTPException(status_code=403, detail=translator(request)("error.csrf"))
        upload = uploaded_file(form)
        submit = form.get("submit") == "1"  # unticked: the values land as drafts, checked before 全部报送
        # the period and unit the page showed: a refused file brings the user back to them
        shown = (_form_id(form.get("period")), visible_org_unit_id(user) or _form_id(form.get("unit")))
        return await run_in_threadpool(_import, request, db, user, upload.filename or "", upload.file, submit, shown)
    finally:
        await form.close()


def _form_id(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10 else None


def _import(request: Request, db: Session, user: User, name: str, stream: Any, submit: bool,
            shown: tuple[int | None, int | None]) -> Response:
    t = translator(request)
    period, unit = shown
    path = None
    try:
        # one bad cell: nothing of the file stays; either way the upload is in the import history
        with import_history.recorded(db, user, Channel.TEMPLATE_UPLOAD, name, org_unit_id=unit) as note:
            path = save_upload(name, stream, TEMPLATE_MAX_BYTES, suffixes=(".xlsx",))
            note.size = path.stat().st_size
            summary = exchange.submit_template(db, user, path, submit=submit)
            note.org_unit_id = summary.org_unit_ids[0] if summary.org_unit_ids else unit
            note.summary = import_history.values_summary(summary.rows, summary.submitted, summary.ledger_reports)
    except ExchangeError as exc:
        return render_entry_page(request, db, user, period, unit, status_code=422,
                                 upload=_outcome(error=t("entry.excel.refused", file=name), problems=exc.problems))
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return render_entry_page(request, db, user, period, unit, status_code=422,
                                 upload=_outcome(error=str(exc)))
    finally:
        if path is not None:
            shutil.rmtree(path.parent, ignore_errors=True)
    key = "entry.excel.imported" if submit else "entry.excel.imported_drafts"
    return render_entry_page(request, db, user, summary.period_ids[0] if summary.period_ids else period,
                             summary.org_unit_ids[0] if summary.org_unit_ids else unit, upload=_outcome(summary=t(
        key, file=name, rows=summary.rows, submitted=summary.submitted,
        ledger=summary.ledger_reports), ignored=t("entry.excel.formulas", count=len(summary.ignored),
                                                   cells="、".join(summary.ignored)) if summary.ignored else ""))


def _outcome(*, summary: str = "", error: str = "", problems: Sequence[CellProblem] = (),
             ignored: str = "") -> dict[str, Any]:
    return {"summary": summary, "error": error, "problems": list(problems), "ignored": ignored}
