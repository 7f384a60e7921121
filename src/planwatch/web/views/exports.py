"""The export page: a plan's data and reports as downloads, for the office's own files.

Data in the formats ``planwatch export`` writes (long CSV, Excel, DHIS2, SDMX), of the
approved values or of every current value, for one period or all; reports (annual,
mid-term, final) as Word, Excel annex, web page and PDF. PDF is written by LibreOffice:
where the server has none, the page says so instead of offering a link that fails.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.report import FORMATS, ReportKind
from planwatch.report.render import libreoffice
from planwatch.services import periods, plan_calendar, region_scope
from planwatch.services.data_export import DataFormat, export_data
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.params import RowId, Year
from planwatch.web.session import require_csrf
from planwatch.web.templating import render, translator

__all__ = ["attachment", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    """A download under its Chinese file name (RFC 5987), whatever the browser."""
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(filename)}"})


@router.get("/exports", name="exports_page")
def exports_page(request: Request, user: PageUser, db: DbSession, plan: RowId | None = None,
                 year: Year | None = None) -> HTMLResponse:
    check(user, Action.EXPORT, Scope(org_unit_id=visible_org_unit_id(user)))
    t = translator(request)
    monitored = region_scope.plans(db, user, monitored=True)
    chosen = next((p for p in monitored if p.id == plan), monitored[0] if monitored else None)
    return render(request, "exports.html", {
        "plans": monitored, "plan": chosen,
        "periods": periods.list_periods(db, user, chosen.id) if chosen else [],
        "year": year or (plan_calendar.default_year(db, chosen) if chosen else None),
        "data_formats": [(f.value, t(f"export.format.{f.value}")) for f in DataFormat],
        "report_kinds": [(k.value, t(f"report.{k.value}")) for k in ReportKind],
        "report_formats": [f[1:] for f in FORMATS], "pdf_available": libreoffice() is not None,
        "report_format_labels": {f[1:]: t(f"export.report_format.{f[1:]}") for f in FORMATS},
    })


@router.get("/exports/data", name="export_data_download")
def export_download(user: PageUser, db: DbSession, plan: RowId, format: DataFormat,
                    scope: Literal["approved", "all"] = "approved",
                    period: Annotated[str, Query(max_length=8)] = "") -> Response:
    the_plan = region_scope.plan(db, user, plan)
    exported = export_data(db, user, the_plan, format, period=period or None, approved_only=scope == "approved")
    return attachment(exported.data, exported.filename, exported.media_type)
