"""The block stream every reader produces.

Readers turn very different containers (plain text, Word, PDF, web pages) into one
shape so that extraction never needs to know where a document came from. Every block
keeps the position it was read from, because every extracted number must be traceable
to the sentence it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    TABLE = "table"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a piece of text was read from.

    ``line`` is the 1-based line that extraction reports: the text line for .txt/.md
    files, and a running count of paragraphs and table rows for containers without
    lines (.docx, .html, and .pdf across its pages). The other fields locate the block
    inside its container.
    """

    line: int
    page: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    # Where on its page a PDF's text was printed (x0, top, x1, bottom in points from the top-left corner),
    # and whether it was read by OCR from a scanned page rather than from a text layer.
    box: tuple[float, float, float, float] | None = None
    ocr: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    source: Provenance
    # A cell merged over several columns or rows is repeated in each grid position
    # it covers; ``merged`` marks the repeats so that category columns can be filled
    # down without double counting.
    merged: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    source: Provenance
    text: str = ""
    level: int | None = None  # heading level when the container states it (Word styles, <h1>…)
    rows: tuple[tuple[Cell, ...], ...] = field(default=())

    @property
    def is_table(self) -> bool:
        return self.kind is BlockKind.TABLE


@dataclass(frozen=True, slots=True)
class SourceText:
    """One input file read into blocks."""

    name: str  # the input's base name, as reported in extraction output
    format: str  # "txt", "md", "docx", "pdf", "html"
    sha256: str
    blocks: tuple[Block, ...]
    line_count: int  # number of reportable lines (last line number in use)
    pages: int = 0  # a paged container's pages (PDF); 0 for formats without pages
    ocr_pages: tuple[int, ...] = ()  # the pages whose text was read by OCR (scans without a text layer)
    ocr_engine: str | None = None  # the engine that read them, as named to users
    unread_pages: tuple[int, ...] = ()  # scanned pages left unread: no OCR engine is installed
