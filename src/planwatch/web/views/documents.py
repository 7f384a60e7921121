"""Documents: the list of imported files, upload with progress, and the viewer in which an
analyst checks extraction against the original text and corrects it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from planwatch.errors import NotFound, PlanWatchError
from planwatch.extract.records import UNREAD_REASONS, Comparator, TargetType
from planwatch.fields import read_year
from planwatch.ingest import DEFAULT_MAX_BYTES
from planwatch.monitor.permissions import (
    Action,
    PermissionDenied,
    check,
    is_allowed,
)
from planwatch.services import document_reads, region_scope
from planwatch.services.corrections import (
    CorrectionError,
    IndicatorFix,
    add_indicator,
    correct_indicator,
    corrected_ids,
)
from planwatch.services.document_view import ViewBlock, ViewCell, ViewFrontMatter, ViewLine, document_view
from planwatch.services.transactions import Session
from planwatch.store.models import Indicator, SourceFile, User
from planwatch.web.app_state import DbSession, app_database
from planwatch.web.auth import PageUser
from planwatch.web.boundary import body
from planwatch.web.errors import is_fragment_request
from planwatch.web.i18n import Translator
from planwatch.web.params import LineNumber, RowId
from planwatch.web.security import CSRF_FIELD, CSRF_HEADER, csrf_valid
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator
from planwatch.web.uploads import UploadJobs, receive_upload, uploaded_file
from planwatch.web.views.highlight import Mark, Segment, highlight_text

__all__ = ["comparator_choices", "router", "target_type_choices", "upload_router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/documents", name="documents_page")
def documents_page(request: Request, user: PageUser, db: DbSession) -> HTMLResponse:
    return render(request, "documents.html", _documents_context(db, user))


def _documents_context(db: Session, user: User, message: str = "") -> dict[str, Any]:
    """The files of the user's district (those its plans were read from), newest first."""
    return {"files": [{"id": f.id, "name": f.name, "format": f.format, "size": f.size,
                       "imported_at": f.imported_at.strftime("%Y-%m-%d %H:%M"), "indicators": f.indicators,
                       "plans": f.plans} for f in document_reads.file_listing(db, user)],
            "can_upload": is_allowed(user, Action.IMPORT_PLAN), "message": message}


def _jobs(request: Request) -> UploadJobs:
    jobs: UploadJobs = request.app.state.uploads
    return jobs


# The upload's own router: the CSRF dependency of ``router`` would read (and spool to disk)
# the whole body before the log-in is checked; this handler checks the user first.
upload_router = APIRouter(include_in_schema=False)


@upload_router.post("/documents", name="document_upload", openapi_extra=body(DEFAULT_MAX_BYTES, files=True))
async def document_upload(request: Request, user: PageUser, db: DbSession) -> Response:
    check(user, Action.IMPORT_PLAN)
    # End the log-in check's transaction before the body arrives: on SQLite it holds the write
    # lock, which neither a slow upload nor the job's own rows may wait behind.
    await run_in_threadpool(db.commit)
    jobs = _jobs(request)
    form = await receive_upload(request, jobs.max_bytes)
    try:
        sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
        if not csrf_valid(request.session, sent if isinstance(sent, str) else None):
            raise HTTPException(status_code=403, detail=translator(request)("error.csrf"))
        try:
            upload = uploaded_file(form)
            job = await run_in_threadpool(jobs.start, app_database(request.app), user, upload.filename or "",
                                          upload.file)
        except NotFound:  # another district's record: answered 404
            raise
        except PlanWatchError as exc:
            message = str(exc)
            return await run_in_threadpool(
                lambda: render(request, "documents.html", _documents_context(db, user, message), status_code=422))
    finally:
        await form.close()
    return RedirectResponse(local_url(request, "upload_page", job_id=job.id), status_code=303)


@router.get("/uploads/{job_id}", name="upload_page")
def upload_page(request: Request, user: PageUser, db: DbSession, job_id: str) -> HTMLResponse:
    job = _jobs(request).get(db, job_id, user)
    if job is None:
        raise HTTPException(status_code=404, detail=translator(request)("upload.unknown"))
    summaries = {item.plan_id: item for item in job.result.plans} if job.result is not None else {}
    imported = [{"plan": plan, "summary": summaries[plan.id], "indicators": plan.indicators}
                for plan in document_reads.imported_plans(db, user, summaries)]
    source = document_reads.stored_source(db, user, job.result.sha256) if job.result is not None else None
    context = {"job": job, "imported": imported, "stage_label": translator(request)(f"upload.stage.{job.stage}"),
               "source": source, "unread": (source.diagnostics or []) if source is not None else [],
               "unread_labels": _unread_labels(request)}
    if is_fragment_request(request):
        return render(request, "fragments/upload_status.html", context)
    return render(request, "upload.html", context)


def _unread_labels(request: Request) -> dict[str, str]:
    """Why each passage was not read, in the page's language."""
    t = translator(request)
    return {code: t(f"unread.{code}") for code in UNREAD_REASONS}


# ---- the viewer and corrections -------------------------------------------------------------

def comparator_choices(t: Translator) -> list[tuple[str, str]]:
    """The comparators of a target, in the page's language, for correction forms."""
    return [(c.value, t(f"comparator.{c.name.lower()}")) for c in Comparator]


def target_type_choices(t: Translator) -> list[tuple[str, str]]:
    """The target types (level, change, rate, cumulative, qualitative) in the page's language."""
    return [(kind.value, t(f"target_type.{kind.value}")) for kind in TargetType]


@router.get("/documents/{source_file_id}", name="document_page")
def document_page(request: Request, user: PageUser, db: DbSession, source_file_id: RowId,
                  saved: RowId | None = None, add_line: LineNumber | None = None,
                  ) -> HTMLResponse:
    return _document(request, db, user, source_file_id, saved=saved, add_line=add_line)


def _document(request: Request, db: Session, user: User, source_file_id: int, *, saved: int | None = None,
              add_line: int | None = None, error: str = "", status_code: int = 200,
              typed: dict[str, Any] | None = None) -> HTMLResponse:
    """The viewer; after a refused correction or addition, ``typed`` is what was sent (``id``:
    the corrected indicator, None for an addition), shown again in its form with the error."""
    source, file_plans = document_reads.opened_file(db, user, source_file_id)
    indicators = [i for p in file_plans for i in p.indicators]
    fixed = set().union(*(corrected_ids(db, p) for p in file_plans)) if file_plans else set()
    marks = {i.id: Mark(i.line, i.name, f"ind-{i.id}", f"{i.code} {i.name}") for i in indicators}
    blocks = _view_blocks(document_view(source.text), marks.values(), {d["line"] for d in source.diagnostics or []})
    shown = {s.mark.anchor for s in _segments_of(blocks) if s.mark}
    message = translator(request)("correction.saved") if saved is not None else ""
    return render(request, "document.html", {
        "document": {"id": source.id, "title": source.name}, "blocks": blocks,
        "indicators": [{"row": i, "mark": marks[i.id], "corrected": i.id in fixed,
                        "final": i.targets[-1] if i.targets else None}
                       for i in sorted(indicators, key=lambda i: i.line) if marks[i.id].anchor in shown],
        "plans": file_plans, "can_correct": is_allowed(user, Action.CORRECT_EXTRACTION),
        "comparators": comparator_choices(translator(request)), "message": message, "error": error,
        "target_types": target_type_choices(translator(request)),
        "type_names": dict(target_type_choices(translator(request))),
        "unread": source.diagnostics or [],
        "unread_labels": _unread_labels(request),
        "add_line": add_line, "ocr": _ocr_view(source), "typed": typed,
    }, status_code=status_code)


def _ocr_view(source: SourceFile) -> dict[str, Any]:
    """The scanned pages of a PDF for the viewer: the lines read by OCR, and the pages left unread."""
    record = source.ocr or {}
    return {"engine": record.get("engine") or "", "pages": "、".join(map(str, record.get("pages", []))),
            "lines": {line: page for line, page in record.get("lines", [])},
            "unread": "、".join(map(str, record.get("unread_pages", [])))}


def _view_blocks(blocks: Sequence[ViewBlock], marks: Iterable[Mark], unread: set[int]) -> list[dict[str, Any]]:
    """The viewer's blocks ready to render: each line anchored once (``line-N``), each
    indicator marked once, in its line or in the cell of its row that names it."""
    by_line: dict[int, list[Mark]] = {}
    for mark in marks:
        by_line.setdefault(mark.line, []).append(mark)
    anchored: set[int] = set()

    def anchor(line: int) -> int | None:
        if line in anchored:
            return None
        anchored.add(line)
        return line

    shown: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, ViewFrontMatter):
            shown.append({"kind": "front", "fields": block.header.fields, "notes": block.notes,
                          "anchors": [n for n in block.lines if anchor(n)]})
        elif isinstance(block, ViewLine):
            shown.append({"kind": "line", "number": block.number, "anchor": anchor(block.number),
                          "level": block.level, "gap": block.gap_before, "unread": block.number in unread,
                          "segments": highlight_text(block.text, by_line.pop(block.number, []))})
        else:
            shown.append({"kind": "table", "name_column": block.name_column, "rows": [
                _view_row(row, by_line, anchor, unread, block.name_column) for row in block.rows]})
    return shown


def _view_row(row: Sequence[ViewCell], by_line: dict[int, list[Mark]], anchor: Callable[[int], int | None],
              unread: set[int], name_column: int | None) -> dict[str, Any]:
    """One table row; a mark goes to the cell holding its name, else the name column's cell."""
    placed: dict[int, list[Mark]] = {}
    for line in dict.fromkeys(cell.line for cell in row):
        for mark in by_line.pop(line, []):
            holder = next((k for k, cell in enumerate(row) if mark.text and mark.text in cell.text), None)
            if holder is None:
                holder = name_column if name_column is not None and name_column < len(row) else 0
            placed.setdefault(holder, []).append(mark)
    lines = [cell.line for cell in row]
    return {"line": lines[0], "anchor": anchor(lines[0]), "unread": any(line in unread for line in lines),
            "cells": [{"line": cell.line, "anchor": anchor(cell.line) if k else None,
                       "segments": highlight_text(cell.text, placed.get(k, []))} for k, cell in enumerate(row)]}


def _segments_of(blocks: Sequence[dict[str, Any]]) -> Iterator[Segment]:
    for block in blocks:
        if block["kind"] == "line":
            yield from block["segments"]
        elif block["kind"] == "table":
            for row in block["rows"]:
                for cell in row["cells"]:
                    yield from cell["segments"]


class CorrectionForm(BaseModel):
    """The correction form as posted; every field is text, blank when left empty."""

    name: str = ""
    unit: str = ""
    attribute: str = ""
    baseline_year: str = ""
    baseline: str = ""
    target_year: str = ""
    target: str = ""
    comparator: str = ""
    target_type: str = ""  # "" leaves the type to the classifier
    reason: str = ""  # why, for the audit trail; not a field of the indicator


_CLEARABLE = frozenset({"unit", "attribute", "baseline"})  # a blank name, year or target is not a change


def _fix(form: CorrectionForm, before: Indicator | None) -> IndicatorFix:
    """Only what the form changed (for a new indicator: what it filled in), so an untouched
    field never overwrites extraction's reading."""
    sent = {k: v.strip() for k, v in form.model_dump(exclude={"reason"}).items()}
    if before is None:
        changed = {k: v for k, v in sent.items() if v}
    else:
        final = before.targets[-1] if before.targets else None
        old = {"name": before.name, "unit": before.unit or "", "attribute": before.attribute or "",
               "baseline_year": str(before.baseline_year or ""), "baseline": before.baseline_text or "",
               "target_year": str(final.year) if final else "", "target": final.text if final else "",
               "comparator": final.comparator if final else "",
               "target_type": (final.target_type or "") if final else ""}
        changed = {k: v for k, v in sent.items() if v != old[k] and (v or k in _CLEARABLE)}
    values: dict[str, Any] = dict(changed)
    for field in ("baseline_year", "target_year"):
        if field in values:
            values[field] = read_year(values[field], field)
    return IndicatorFix(**values)


@router.post("/indicators/{indicator_id}/correction", name="indicator_correct")
def indicator_correct(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                      form: Annotated[CorrectionForm, Form()]) -> Response:
    check(user, Action.CORRECT_EXTRACTION)  # who may not correct hears that, not what the form lacks
    indicator = region_scope.indicator(db, user, indicator_id)
    source_file_id = indicator.plan.source_file_id
    try:
        with db.begin_nested():
            correct_indicator(db, user, indicator_id, _fix(form, indicator), reason=_reason(form))
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        db.expire_all()
        return _document(request, db, user, source_file_id, error=str(exc), status_code=_status(exc),
                         typed={"id": indicator_id, **form.model_dump()})
    return _back_to(request, source_file_id, indicator_id)


@router.post("/documents/{source_file_id}/indicators", name="indicator_add")
def indicator_add(request: Request, user: PageUser, db: DbSession, source_file_id: RowId,
                  plan_id: Annotated[RowId, Form()], line: Annotated[LineNumber, Form()],
                  form: Annotated[CorrectionForm, Form()]) -> Response:
    check(user, Action.CORRECT_EXTRACTION)
    plan = region_scope.plan(db, user, plan_id)
    if plan.source_file_id != source_file_id:
        raise HTTPException(status_code=404, detail=f"plan_id：本文件中没有编号为 {plan_id} 的规划")
    try:
        with db.begin_nested():
            added = add_indicator(db, user, plan_id, line, _fix(form, None), reason=_reason(form))
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        db.expire_all()
        return _document(request, db, user, source_file_id, error=str(exc), status_code=_status(exc),
                         typed={"id": None, "plan_id": plan_id, "line": line, **form.model_dump()})
    return _back_to(request, source_file_id, added.id)


def _reason(form: CorrectionForm) -> str:
    """Why the analyst changes what extraction read: the form asks, the audit trail keeps it."""
    if not form.reason.strip():
        raise CorrectionError("请填写更正的原因（如：原文表格第 3 行，单位应为万人）")
    return form.reason.strip()


def _back_to(request: Request, source_file_id: int, indicator_id: int) -> RedirectResponse:
    url = local_url(request, "document_page", source_file_id=source_file_id).include_query_params(saved=indicator_id)
    return RedirectResponse(f"{url}#ind-{indicator_id}", status_code=303)


def _status(exc: PlanWatchError) -> int:
    return 403 if isinstance(exc, PermissionDenied) else 422
