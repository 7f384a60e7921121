"""The palette's stylesheet (:func:`planwatch.palette.stylesheet`), so that the badges' CSS and
the charts take their colours from one definition.

Its address carries a digest of the content: browsers may keep it for a year, and a changed
palette is a new address.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Final

from fastapi import APIRouter
from fastapi.responses import Response

from planwatch.palette import stylesheet

__all__ = ["THEME_PATH", "router", "theme_url"]

THEME_PATH: Final = "/theme.css"

router = APIRouter(include_in_schema=False)


@cache
def _css() -> bytes:
    return stylesheet().encode()


def theme_url() -> str:
    """The stylesheet's address with its content digest, for the pages' ``<link>``."""
    return f"{THEME_PATH}?v={hashlib.sha256(_css()).hexdigest()[:12]}"


@router.get(THEME_PATH, name="theme_css")
def theme_css() -> Response:
    return Response(_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=31536000, immutable"})
