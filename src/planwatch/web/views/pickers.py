"""Suggestions for the picker boxes (units, indicators), as ``<option>`` lines for a datalist.

static/app.js fetches them as someone types into an ``input[data-suggest]``; without
JavaScript the box takes a typed name or code as it is.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from planwatch.services import pickers, region_scope
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.params import RowId
from planwatch.web.templating import render, translator

__all__ = ["router"]

router = APIRouter(prefix="/suggest", include_in_schema=False)


@router.get("/units", name="suggest_units")
def suggest_units(request: Request, user: PageUser, db: DbSession, q: str = "") -> HTMLResponse:
    t = translator(request)
    choices = [(u.name, f"{u.code} · {t(f'orgunit.kind.{u.kind}')}") for u in pickers.suggest_units(
        db, region_scope.region_of(db, user), q[:200])]
    return render(request, "fragments/options.html", {"choices": choices})


@router.get("/indicators", name="suggest_indicators")
def suggest_indicators(request: Request, user: PageUser, db: DbSession, plan: RowId, q: str = "",
                       leave_out: RowId | None = None) -> HTMLResponse:
    region_scope.plan(db, user, plan)  # another district's plan is answered as a missing one
    found = pickers.suggest_indicators(db, plan, q[:200], leave_out=leave_out)
    choices = [(i.code, i.name + (f"（{i.unit}）" if i.unit else "")) for i in found]
    return render(request, "fragments/options.html", {"choices": choices})
