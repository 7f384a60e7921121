"""The API's interactive documentation (Swagger UI) from an installed package.

FastAPI's default page loads Swagger UI from a CDN without integrity checks and starts it
with an inline script; here the files come from the pinned ``swagger-ui-bundle-v2`` wheel
under /api/v1/docs/assets and the start-up script from this app's static folder, so the
page works offline (district networks often are) and passes the app's
Content-Security-Policy.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from planwatch.web.templating import render

__all__ = ["ASSETS_PATH", "assets", "router"]

ASSETS_PATH: Final = "/api/v1/docs/assets"

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    return StaticFiles(directory=swagger_ui_path)


@router.get("/api/v1/docs", name="api_docs")
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", {"openapi_url": request.app.openapi_url})
