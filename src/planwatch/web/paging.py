"""Long lists a page at a time: the page number a request asks for, and what the pager shows.

A list of a province's units, users or indicators runs to tens of thousands of rows; a page
of them costs what it shows. The services take ``offset`` and ``limit`` and say how many
rows pass the filters; the page's URL keeps its filters, the pager changes only ``page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from pydantic import Field
from starlette.datastructures import URL

from planwatch.web.params import MAX_ROW_ID

__all__ = ["PAGE_SIZE", "PageNumber", "Paging"]

PAGE_SIZE: Final = 50
PageNumber = Annotated[int, Field(ge=1, le=MAX_ROW_ID // PAGE_SIZE)]


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    total: int  # rows that pass the filters
    url: URL  # the list's URL with its filters
    size: int = PAGE_SIZE
    parameter: str = "page"  # a page with two lists pages them by two names
    anchor: str = ""  # where the list is on its page

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def link(self, page: int) -> str:
        return str(self.url.include_query_params(**{self.parameter: page})) + (f"#{self.anchor}" if self.anchor else "")
