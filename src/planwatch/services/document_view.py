"""A stored source text as the document viewer shows it: prose lines, tables as tables, the
scraper's front matter folded away.

Every line keeps its number (links to ``#line-N``, corrections and the unread passages
point at them). Tables are found as extraction finds them (:func:`planwatch.extract.layout.layout`:
tab rows, one cell per line, Markdown pipes, the rows of Word and PDF tables), so the viewer
shows the table extraction read, with the name column marked for the add-an-indicator form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from planwatch.extract.layout import Grid, Line, layout
from planwatch.ingest.blocks import Block, BlockKind, Provenance
from planwatch.ingest.front_matter import FrontMatter, front_matter

__all__ = ["ViewCell", "ViewFrontMatter", "ViewLine", "ViewTable", "document_view"]

_MD_LINK: Final = re.compile(r"\[([^\]]+)\]\((?:https?://|/)[^)\s]*\)")
_NAME_HEADERS: Final = ("指标名称", "指标", "名称", "项目名称", "项目", "任务")


@dataclass(frozen=True, slots=True)
class ViewLine:
    number: int
    text: str
    level: int | None = None  # a heading's level (a Markdown ``#`` line, a Word heading)
    gap_before: bool = False  # a blank line stood before it in the source


@dataclass(frozen=True, slots=True)
class ViewCell:
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class ViewTable:
    rows: tuple[tuple[ViewCell, ...], ...]
    start_line: int
    end_line: int
    name_column: int | None  # the column of indicator (or task) names, from the header


@dataclass(frozen=True, slots=True)
class ViewFrontMatter:
    header: FrontMatter

    @property
    def lines(self) -> range:
        return range(1, self.header.end + 1)

    @property
    def notes(self) -> tuple[str, ...]:
        """The scraper's notes as words (its Markdown links as their text)."""
        return tuple(_shown(note) for note in self.header.notes)


ViewBlock = ViewLine | ViewTable | ViewFrontMatter


def document_view(text: str) -> list[ViewBlock]:
    """The blocks of a stored source text (its numbered lines joined by newlines)."""
    lines = text.split("\n")
    header = front_matter(lines)
    blocks: list[ViewBlock] = [ViewFrontMatter(header)] if header.end else []
    raw = [Block(BlockKind.PARAGRAPH, Provenance(n), line) for n, line in enumerate(lines, start=1)
           if n > header.end]
    previous = header.end
    for item in layout(raw):
        if isinstance(item, Grid):
            rows = tuple(tuple(ViewCell(c.line, _shown(c.text)) for c in row) for row in item.rows if row)
            blocks.append(ViewTable(rows, item.start_line, item.end_line, _name_column(rows)))
            previous = item.end_line
        elif isinstance(item, Line):
            gap = item.line > previous + 1 and not any(lines[n].strip() for n in range(previous, item.line - 1)) \
                if previous else False
            blocks.append(ViewLine(item.line, _shown(item.text), item.level, gap))
            previous = item.line
    return blocks


def _shown(text: str) -> str:
    """A Markdown link as its words: the viewer shows the document, not the scraper's markup."""
    return _MD_LINK.sub(r"\1", text)


def _name_column(rows: Sequence[Sequence[ViewCell]]) -> int | None:
    if not rows:
        return None
    header = [cell.text.replace(" ", "") for cell in rows[0]]
    for wanted in _NAME_HEADERS:
        for index, cell in enumerate(header):
            if wanted in cell and "序号" not in cell:
                return index
    return None
