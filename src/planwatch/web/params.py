"""Bounds on the numbers a request may carry, declared once so the OpenAPI schema shows them.

Ids are INTEGER columns; an id of 2⁶³ or more does not even fit SQLite's binding and used
to end in a 500, and a search offset past any table is a request for nothing. Out-of-range
numbers are answered 422 by validation, before any query runs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = ["MAX_ROW_ID", "MAX_YEAR", "MIN_YEAR", "LineNumber", "Offset", "RowId", "Year"]

MAX_ROW_ID = 2**31 - 1  # INTEGER on PostgreSQL; no row has a larger id or line
MIN_YEAR, MAX_YEAR = 1900, 2200

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
LineNumber = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Offset = Annotated[int, Field(ge=0, le=MAX_ROW_ID)]
