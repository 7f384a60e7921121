"""Finding things across plans: full-text search over documents, and one indicator compared
across plans and districts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from planwatch.services import comparison, search
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.params import MAX_ROW_ID, Year
from planwatch.web.templating import render

__all__ = ["PAGE_SIZE", "router"]

PAGE_SIZE = 20

router = APIRouter(include_in_schema=False)


@router.get("/search", name="search_page")
def search_page(request: Request, user: PageUser, db: DbSession, q: str = "",
                page: Annotated[int, Field(ge=1, le=MAX_ROW_ID // PAGE_SIZE)] = 1) -> HTMLResponse:
    page = max(page, 1)
    results = search.search(db, user, q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE) if q.strip() else None
    pages = (results.total + PAGE_SIZE - 1) // PAGE_SIZE if results else 0
    return render(request, "search.html", {"q": q, "results": results, "page": page, "pages": pages,
                                           "page_size": PAGE_SIZE})


@router.get("/compare", name="compare_page")
def compare_page(request: Request, user: PageUser, db: DbSession, q: str = "",
                 year: Year | None = None) -> HTMLResponse:
    rows = comparison.compare(db, user, q, year) if q.strip() else []
    return render(request, "compare.html", {"q": q, "rows": rows, "shared": comparison.shared_names(db, user)})
