"""From blocks to the items extraction works on: text lines and table grids.

Word and PDF readers hand over real tables. Plain-text exports of the same documents
encode tables in three ways, all of which occur in real gazettes:

* tab rows: one table row per line, cells separated by tabs;
* one cell per line: each cell on its own tab-prefixed line, rows separated by blank
  lines, and a cell's text may continue on following lines without a tab (a header cell
  such as ``2030年`` / ``目标值`` broken by the export);
* markdown pipe tables.

All three become the same :class:`Grid`, so table interpretation never sees the encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from planwatch.extract.stacked import MAX_CELL as _MAX_STACKED_CELL
from planwatch.extract.stacked import StackedCell, is_header_cell, opens_header, stacked_table
from planwatch.extract.text import clean_line
from planwatch.ingest.blocks import Block, BlockKind

# A continuation line of a one-cell-per-line table is a fragment of a cell, never a sentence.
_MAX_CONTINUATION = 20
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
_MD_SEPARATOR = re.compile(r"^\|?[\s:|-]+\|?$")


@dataclass(frozen=True, slots=True)
class GridCell:
    text: str
    line: int


@dataclass(slots=True)
class Grid:
    rows: list[list[GridCell]]
    start_line: int
    end_line: int
    caption: str = ""
    encoding: str = "native"  # tab-rows | cell-per-line | stacked | markdown | native


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # cleaned visible text
    line: int
    level: int | None = None  # heading level stated by the container (Word style, <h2>)


Item = Line | Grid


@dataclass(slots=True)
class _Raw:
    text: str
    line: int
    level: int | None = None
    extra: list[str] = field(default_factory=list)


def layout(blocks: Sequence[Block]) -> list[Item]:
    """Turn a block stream into lines and grids, reconstructing tables encoded as text.
    (Readers of page layouts hand over whole paragraphs: the PDF reader joins lines broken
    at the margin from the page's geometry, which knows more than the text does.)"""
    items: list[Item] = []
    pending: list[_Raw] = []
    for block in blocks:
        if block.kind is BlockKind.TABLE and _is_box(block):
            # a one-column table frames text (a 专栏 box, a bordered note): its paragraphs are lines
            pending.extend(_Raw(part, row[0].source.line) for row in block.rows
                           for text in dict.fromkeys(c.text for c in row if c.text.strip())
                           for part in text.split("\n") if part.strip())
        elif block.kind is BlockKind.TABLE:
            items.extend(_text_items(pending))
            pending = []
            items.append(_native_grid(block))
        else:
            pending.append(_Raw(block.text, block.source.line, block.level))
    items.extend(_text_items(pending))
    _attach_captions(items)
    return items


def _is_box(block: Block) -> bool:
    """Every row holds one text at most (a cell merged across the row repeats the same text)."""
    return all(len({cell.text for cell in row if cell.text.strip()}) <= 1 for row in block.rows)


def _native_grid(block: Block) -> Grid:
    rows = [[GridCell(clean_line(c.text.replace("\n", "")), c.source.line) for c in row] for row in block.rows]
    lines = [c.line for row in rows for c in row] or [block.source.line]
    return Grid(rows, min(lines), max(lines))


def _is_tab_line(text: str) -> bool:
    # An empty cell exported on its own line is a bare tab: still part of the table.
    return "\t" in text


def _is_md_row(text: str) -> bool:
    s = text.strip()
    return s.startswith("|") and s.count("|") >= 2


def _next_nonblank(raws: Sequence[_Raw], i: int) -> int | None:
    for j in range(i, len(raws)):
        if raws[j].text.strip() or _is_tab_line(raws[j].text):
            return j
    return None


def _text_items(raws: Sequence[_Raw]) -> Iterable[Item]:
    i, n = 0, len(raws)
    while i < n:
        raw = raws[i]
        if _is_md_row(raw.text):
            j = i
            while j < n and _is_md_row(raws[j].text):
                j += 1
            yield _markdown_grid(raws[i:j])
            i = j
        elif _is_tab_line(raw.text) and _tab_region_starts(raws, i):
            j = _tab_region_end(raws, i)
            yield from _tab_grid(raws[i:j])
            i = j
        elif (found := _stacked_grid(raws, i)) is not None:
            grid, i = found
            yield grid
        else:
            text = clean_line(raw.text)
            level = raw.level
            heading = _MD_HEADING.match(text)
            if heading:  # a markdown heading: its level, without the marker
                level, text = len(heading.group(1)), heading.group(2).strip()
            if text:
                yield Line(text, raw.line, level)
            i += 1


def _stacked_grid(raws: Sequence[_Raw], i: int) -> tuple[Grid, int] | None:
    """A table printed one cell per line without tabs, whose header starts at ``i``."""
    first = clean_line(raws[i].text)
    if not is_header_cell(first):
        second = _next_nonblank(raws, i + 1)
        if second is None or not opens_header(first, clean_line(raws[second].text)):
            return None
    positions: list[int] = []  # raw index of each cell line
    cells: list[StackedCell] = []
    for j in range(i, len(raws)):
        text = clean_line(raws[j].text)
        if not text:
            continue
        if len(text) > _MAX_STACKED_CELL or _is_tab_line(raws[j].text) or _is_md_row(raws[j].text):
            break
        positions.append(j)
        cells.append(StackedCell(text, raws[j].line))
    if len(cells) < 2 or not is_header_cell(cells[1].text):
        return None
    table = stacked_table(cells, 0)
    if table is None:
        return None
    rows = [[GridCell(c.text, c.line) for c in table.header]]
    rows.extend([GridCell(c.text, c.line) for c in row] for row in table.rows)
    end = positions[table.consumed - 1]
    return Grid(rows, raws[i].line, raws[end].line, encoding="stacked"), end + 1


def _tab_region_starts(raws: Sequence[_Raw], i: int) -> bool:
    """A lone tab in running text (a signature block, a TOC leader) is not a table."""
    cells = [c for c in raws[i].text.split("\t") if c.strip()]
    if len(cells) >= 2:
        return True
    nxt = _next_nonblank(raws, i + 1)
    return nxt is not None and nxt - i <= 3 and _is_tab_line(raws[nxt].text)


def _is_continuation(raws: Sequence[_Raw], j: int, depth: int = 0) -> bool:
    """A short fragment followed, possibly through more fragments, by another cell line."""
    text = clean_line(raws[j].text)
    if not text or len(text) > _MAX_CONTINUATION or text.endswith(("。", "；", "：", ":")):
        return False
    nxt = _next_nonblank(raws, j + 1)
    if nxt is None or nxt - j > 3:
        return False
    if _is_tab_line(raws[nxt].text):
        return True
    return depth < 3 and _is_continuation(raws, nxt, depth + 1)


def _is_single_cell(text: str) -> bool:
    return text.startswith("\t") and text.count("\t") == 1


def _tab_region_end(raws: Sequence[_Raw], i: int) -> int:
    """Where a tab-encoded table ends. The first line fixes the encoding: a table of tab rows
    ends at any line without tabs or at a one-cell line after a gap; a one-cell-per-line
    table also takes short continuation fragments."""
    cell_per_line = _is_single_cell(raws[i].text)
    j = i
    n = len(raws)
    while j < n:
        text = raws[j].text
        if _is_tab_line(text):
            j += 1
        elif not text.strip():
            nxt = _next_nonblank(raws, j)
            if nxt is None or nxt - j > 2:
                break
            nxt_text = raws[nxt].text
            if (_is_tab_line(nxt_text) and (cell_per_line or not _is_single_cell(nxt_text))) or (cell_per_line and _is_continuation(raws, nxt)):
                j = nxt
            else:
                break
        elif cell_per_line and _is_continuation(raws, j):
            j += 1
        else:
            break
    return j


def _split_cells(text: str, line: int) -> list[GridCell]:
    return [GridCell(clean_line(part), line) for part in text.split("\t")]


def _tab_grid(raws: Sequence[_Raw]) -> Iterable[Item]:
    grid = _cell_per_line_grid(raws) if _is_single_cell(raws[0].text) else _tab_rows_grid(raws)
    if grid.rows:
        yield grid


def _tab_rows_grid(raws: Sequence[_Raw]) -> Grid:
    rows: list[list[GridCell]] = []
    for raw in raws:
        if _is_tab_line(raw.text):
            rows.append(_split_cells(raw.text, raw.line))
        elif raw.text.strip() and rows:
            last = rows[-1][-1] if rows[-1] else None
            if last is not None:
                rows[-1][-1] = GridCell(last.text + clean_line(raw.text), last.line)
    return Grid(rows, raws[0].line, raws[-1].line, encoding="tab-rows")


def _cell_per_line_grid(raws: Sequence[_Raw]) -> Grid:
    rows: list[list[GridCell]] = []
    current: list[GridCell] = []
    blank_before = False
    for raw in raws:
        text = raw.text
        if not _is_tab_line(text) and not text.strip():
            blank_before = True
            continue
        if _is_tab_line(text):
            if blank_before and current:
                rows.append(current)
                current = []
            current.extend(_split_cells(text[1:] if text.startswith("\t") else text, raw.line))
        elif current:
            last = current[-1]
            joined = last.text + clean_line(text) if last.text else clean_line(text)
            current[-1] = GridCell(joined, last.line if last.text else raw.line)
        blank_before = False
    if current:
        rows.append(current)
    return Grid(rows, raws[0].line, raws[-1].line, encoding="cell-per-line")


def _markdown_grid(raws: Sequence[_Raw]) -> Grid:
    rows: list[list[GridCell]] = []
    for raw in raws:
        s = raw.text.strip()
        if _MD_SEPARATOR.match(s) and "-" in s:
            continue
        parts = s.strip("|").split("|")
        rows.append([GridCell(clean_line(p.replace("<br>", "")), raw.line) for p in parts])
    return Grid(rows, raws[0].line, raws[-1].line, encoding="markdown")


def _attach_captions(items: list[Item]) -> None:
    """A table's caption is the short line just above it (表2 …, 专栏一 …)."""
    for k, item in enumerate(items):
        if isinstance(item, Grid) and k > 0:
            prev = items[k - 1]
            if isinstance(prev, Line) and len(prev.text) <= 60 and not prev.text.endswith("。") \
                    and item.start_line - prev.line <= 3:
                item.caption = prev.text
