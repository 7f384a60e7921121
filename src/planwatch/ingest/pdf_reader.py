"""PDF reader (PDFium through pypdfium2).

A PDF has no paragraphs, only positioned characters and drawn lines. Each page gives
its ruled tables (rebuilt from the rules, see :mod:`planwatch.ingest.pdf.tables`), its tables
with horizontal rules only or none (found by their header row, see
:mod:`planwatch.ingest.pdf.open_tables`) and the text lines outside them, interleaved top to bottom. Page furniture — page numbers such as
“— 3 —” and running heads repeated at the same place on many pages — is dropped; lines
are joined into paragraphs by the page geometry (:mod:`planwatch.ingest.pdf.paragraphs`),
also across page breaks; and a table that a page break cut in two is joined again (its
repeated header rows are dropped, a row the break split is rejoined) so that the rows of
the second page keep their column meanings. Paragraphs and table rows are numbered
across pages, one line number each, as in a Word file.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText
from planwatch.ingest.pdf import OCR_INSTALL
from planwatch.ingest.pdf.lines import TextLine, glyph_rows, text_line
from planwatch.ingest.pdf.ocr import Engine
from planwatch.ingest.pdf.ocr import engine as ocr_engine
from planwatch.ingest.pdf.open_tables import ROW_WORD, Layout, find_open_tables
from planwatch.ingest.pdf.page import Glyph, PageContent, is_page_number, is_scan, read_page
from planwatch.ingest.pdf.paragraphs import Margins, continues, join
from planwatch.ingest.pdf.tables import RuledTable, find_tables
from planwatch.ingest.pdf_tolerances import TOLERANCES

_BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")
_RUNNING_PAGES = TOLERANCES.running_pages
_RUNNING_SHARE = TOLERANCES.running_share
# PDFium is not thread-safe; uploads may be read by several threads of one server.
_PDFIUM = threading.Lock()

Progress = Callable[[int, int], None]
Row = list[tuple[str, bool]]  # (cell text, repeated from a merged cell)
Box = tuple[float, float, float, float]  # x0, top, x1, bottom on the page


def read_pdf(path: Path, data: bytes, progress: Progress | None = None,
             ocr: Callable[[], Engine | None] = ocr_engine) -> SourceText:
    """Read a PDF's text layer, and its scanned pages by OCR; ``progress(pages done, pages total)`` is
    called after each page. ``ocr`` gives the engine for scanned pages, asked at the first one (default:
    the one installed, see :func:`planwatch.ingest.pdf.ocr.engine`; None: no scan is read)."""
    if not data.strip():
        raise InputError(path, "文件是空的；应为 PDF 文档")
    if b"%PDF-" not in data[:1024]:
        raise InputError(path, "不是 PDF 文档（文件开头没有 %PDF- 标记）")
    engine = _Engine(ocr)
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise _open_error(path, exc) from None
        try:
            pages = []
            scanned: list[int] = []
            total = len(document)
            running_on: Layout | None = None  # a borderless table that ran down to the foot of the page before
            for index in range(total):
                content = read_page(document, index, engine.get)
                if content.scanned:
                    scanned.append(content.number)
                page, running_on = _items(content, running_on)
                pages.append(page)
                if progress is not None:
                    progress(index + 1, total)
        except pdfium.PdfiumError:
            raise InputError(path, "PDF 文件已损坏，无法读取") from None
        finally:
            document.close()
    _drop_furniture(pages)
    read_by_ocr = tuple(page.number for page in pages if page.ocr)
    unread = tuple(n for n in scanned if n not in read_by_ocr)
    if not any(p.items for p in pages):
        if unread:
            raise InputError(path, f"PDF 是扫描件（{len(unread)} 页没有文字层），服务器未安装 OCR 引擎，无法读取："
                                   f"{OCR_INSTALL}")
        raise InputError(path, "PDF 没有文字层，扫描页也未能用 OCR 识别出文字")
    blocks = tuple(_blocks(pages))
    return SourceText(
        name=path.name,
        format="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=max((_last_line(b) for b in blocks), default=0),
        pages=len(pages),
        ocr_pages=read_by_ocr,
        ocr_engine=engine.name if read_by_ocr else None,
        unread_pages=unread,
    )


class _Engine:
    """The OCR engine, found (and its model loaded) only when a scanned page needs it."""

    def __init__(self, find: Callable[[], Engine | None]) -> None:
        self._find: Callable[[], Engine | None] | None = find
        self._engine: Engine | None = None
        self.name: str | None = None

    def get(self) -> Engine | None:
        if self._find is not None:
            self._engine, self._find = self._find(), None
            self.name = self._engine.name if self._engine is not None else None
        return self._engine


def scanned_pages(data: bytes) -> int:
    """How many pages are pictures without a text layer (for the time budget of an import), without OCR."""
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return 0
        try:
            return sum(1 for index in range(len(document)) if is_scan(document, index))
        finally:
            document.close()


def _open_error(path: Path, error: pdfium.PdfiumError) -> InputError:
    if getattr(error, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        return InputError(path, "PDF 已加密（有密码保护），请另存一份不加密的副本再导入")
    return InputError(path, "不是可读取的 PDF 文档（文件可能已损坏）")


@dataclass
class _Table:
    rows: list[Row]
    boxes: list[list[Box]]  # each cell's box on the page

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class _Page:
    number: int
    lines: list[TextLine]  # the text lines outside tables, for finding page furniture
    items: list[TextLine | _Table] = field(default_factory=list)
    ocr: bool = False  # read by OCR from a scan


@dataclass
class _PendingRow:
    """A row of a table that may go on over the next page."""

    cells: Row
    line: int
    page: int
    boxes: list[Box]
    ocr: bool


@dataclass(frozen=True, slots=True)
class PageLayout:
    """What the reader makes of one page's characters and rules (``planwatch debug-pdf`` draws it)."""

    ruled: list[RuledTable]  # tables rebuilt from crossing rules
    open: list[RuledTable]  # tables found by their header row, with horizontal rules only or none
    cells: list[list[Glyph]]  # the characters inside each table, ruled ones first
    rows: list[list[Glyph]]  # the characters of each printed line outside the tables

    @property
    def tables(self) -> list[RuledTable]:
        return self.ruled + self.open


def page_layout(page: PageContent, running_on: Layout | None) -> tuple[PageLayout, Layout | None]:
    """The page's tables and the lines outside them; and the layout of a borderless table running on."""
    tables = find_tables(page.rules)
    outside, cells = _by_table(page.glyphs, tables)
    rows = glyph_rows(outside)
    open_tables, running_on = find_open_tables(rows, page.rules, running_on)
    if open_tables:
        outside, more = _by_table(outside, open_tables)
        cells = cells + more
        rows = glyph_rows(outside)
    return PageLayout(tables, open_tables, cells, rows), running_on


def _items(page: PageContent, running_on: Layout | None) -> tuple[_Page, Layout | None]:
    """The page's text lines and tables top to bottom; and the layout of a borderless table running on."""
    layout, running_on = page_layout(page, running_on)
    placed: list[tuple[float, TextLine | _Table]] = []
    lines = [line for line in map(text_line, layout.rows) if line.text]
    placed.extend((line.top, line) for line in lines)
    placed.extend((table.top, _Table(table.rows(glyphs), table.boxes()))
                  for table, glyphs in zip(layout.tables, layout.cells, strict=True))
    placed.sort(key=lambda p: p[0])
    return _Page(page.number, lines, [item for _, item in placed], page.ocr), running_on


def _by_table(glyphs: list[Glyph], tables: list[RuledTable]) -> tuple[list[Glyph], list[list[Glyph]]]:
    """The characters outside the tables, and those inside each table."""
    outside: list[Glyph] = []
    cells: list[list[Glyph]] = [[] for _ in tables]
    for glyph in glyphs:
        holder = next((k for k, table in enumerate(tables) if table.contains(glyph)), None)
        if holder is None:
            outside.append(glyph)
        else:
            cells[holder].append(glyph)
    return outside, cells


def _running_key(line: TextLine) -> tuple[str, int]:
    """A head/foot line's identity across pages: its words without the numbers, and its height on the page."""
    return re.sub(r"\d+", "#", line.text), round(line.top / 4)


def _drop_furniture(pages: list[_Page]) -> None:
    """Remove page numbers and the running heads and feet that repeat on many pages."""
    edges = Counter(key for page in pages for key in {_running_key(line) for line in page.lines[:2] + page.lines[-2:]})
    least = max(_RUNNING_PAGES, _RUNNING_SHARE * len(pages))
    running = {key for key, count in edges.items() if count >= least}
    for page in pages:
        edge = {id(line) for line in page.lines[:2] + page.lines[-2:]}
        page.items = [item for item in page.items
                      if not (isinstance(item, TextLine) and id(item) in edge and _running_key(item) in running)]
        items = page.items
        for i in reversed(range(len(items))):
            item = items[i]
            if isinstance(item, TextLine) and (is_page_number(item.text)
                                               or (_BARE_NUMBER.match(item.text) and i in (0, len(items) - 1))):
                del items[i]


def _blocks(pages: list[_Page]) -> Iterator[Block]:
    margins = Margins.of(page.lines for page in pages)
    number = 0
    pending: list[_PendingRow] = []  # rows of a table that may continue on the next page
    # The paragraph being read: its text, where it starts (its box on its first page), and its last line.
    paragraph: tuple[str, Provenance, TextLine] | None = None

    def flush() -> Iterator[Block]:
        nonlocal paragraph
        if paragraph is not None:
            yield Block(BlockKind.PARAGRAPH, paragraph[1], text=paragraph[0])
            paragraph = None
        if pending:
            first, last = _inside_title_rows([row.cells for row in pending])
            for row in pending[:first]:
                yield Block(BlockKind.PARAGRAPH, _where(row, row.line), text=row.cells[0][0])
            rows = tuple(
                tuple(Cell(text, replace(_where(row, row.line, column), row=i), merged=repeat)
                      for column, (text, repeat) in enumerate(row.cells))
                for i, row in enumerate(pending[first:last], start=1)
            )
            if rows:
                yield Block(BlockKind.TABLE, rows[0][0].source, rows=rows)
            for row in pending[last:]:
                yield Block(BlockKind.PARAGRAPH, _where(row, row.line), text=row.cells[0][0])
            pending.clear()

    previous_page = 0
    for page in pages:
        for index, item in enumerate(page.items):
            if isinstance(item, _Table):
                continues_table = bool(pending) and index == 0 and len(pending[0].cells) == item.width
                if not continues_table:
                    yield from flush()
                rows, boxes = item.rows, item.boxes
                if continues_table:
                    table = [row.cells for row in pending]
                    repeated = _repeated_header(rows, table)
                    rows, boxes = rows[repeated:], boxes[repeated:]
                    if rows and _is_split_row(rows[0], table[-1], rows[1:2]):
                        _rejoin(table, rows)
                        rows, boxes = rows[1:], boxes[1:]
                    if rows:
                        _carry_groups(rows, table)
                for row, row_boxes in zip(rows, boxes, strict=True):
                    number += 1
                    pending.append(_PendingRow(row, number, page.number, row_boxes, page.ocr))
                continue
            box = (item.x0, item.top, item.x1, item.bottom)
            if paragraph is not None and continues(paragraph[2], item, margins, page.number == previous_page):
                text, where, _ = paragraph
                if where.page == page.number and where.box is not None:
                    where = replace(where, box=_union(where.box, box))
                paragraph = (join(text, item.text), where, item)
            else:
                yield from flush()
                number += 1
                paragraph = (item.text, Provenance(line=number, page=page.number, box=box, ocr=page.ocr), item)
            previous_page = page.number
    yield from flush()


def _where(row: _PendingRow, line: int, column: int = 0) -> Provenance:
    box = row.boxes[column] if column < len(row.boxes) else None
    return Provenance(line=line, page=row.page, box=box, ocr=row.ocr)


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _repeated_header(rows: list[Row], table: list[Row]) -> int:
    """How many rows atop a continued table's page are the header rows Word repeats on every page: the same
    cells, or the same characters cut otherwise into cells (a label over two columns, 指标值 over 2020年
    and 2025年, set at the middle of its cell, falls on either side of a column border as a page's widths
    go: 2020年 | 指标值2025年 on one page, 指2020年 | 标值2025年 on the next; a name cell read as spanning the
    number column on one page and not on the next), a merged cell's text counted once."""
    def characters(row: Row) -> list[str]:
        return sorted("".join(text for text, repeat in row if not repeat).replace(" ", ""))

    repeated = 0
    while repeated < min(len(rows), len(table) - 1) and (
            rows[repeated] == table[repeated] or characters(rows[repeated]) == characters(table[repeated])):
        repeated += 1
    return repeated


def _is_split_row(row: Row, previous: Row, below: list[Row]) -> bool:
    """The rest of a row that a page break cut: its text only goes on under cells of the row above that
    had text, and some of those cells, complete on the first page (a number, a year), have nothing more.
    A new row under merged cells printed once (empty category and number, a name of its own) is not, nor
    one printing a figure of its own under a figure of the row above (its number, its value): figures and
    attributes are never wrapped. Its first cell is empty, unless it is the rest of a category merged over
    a group that the break cut too (妇女与社会保 / 障, the cell going on down the next rows)."""
    pairs = list(zip((text for text, _ in row), (text for text, _ in previous), strict=False))
    goes_on = [bool(before) for text, before in pairs if text]
    first_goes_on = not row[0][0] or (bool(below) and below[0][0] == (row[0][0], True))
    return (first_goes_on and bool(goes_on) and all(goes_on)
            and any(before and not text for text, before in pairs)
            and not any(ROW_WORD.match(text) and ROW_WORD.match(before) for text, before in pairs if text))


def _rejoin(table: list[Row], rows: list[Row]) -> None:
    """Join the rest of a split row (``rows[0]``) to the table's last row; a merged cell whose text the break
    cut gets its whole text in every row it covers, above and below the break."""
    previous, rest = table[-1], rows[0]
    for column, ((before, repeat), (more, _)) in enumerate(zip(previous, rest, strict=False)):
        if not more:
            continue
        whole = join(before, more)
        previous[column] = (whole, repeat)
        for row in reversed(table[:-1] if repeat else []):  # the merged cell's rows above, up to its first
            if column >= len(row) or row[column][0] != before:
                break
            first = not row[column][1]
            row[column] = (whole, row[column][1])
            if first:
                break
        for row in rows[1:]:  # and below, on the next page
            if column >= len(row) or row[column] != (more, True):
                break
            row[column] = (whole, True)


def _carry_groups(rows: list[Row], table: list[Row]) -> None:
    """A category cell merged over a group that a page break cut prints its text once, on the first page:
    the rows of the group atop the next page (an empty cell, merged down as far as the group goes) get it.
    Only in a column that holds merged groups: a cell simply left empty stays empty."""
    for column, (text, _) in enumerate(table[-1]):
        grouped = any(repeat and cell and column < len(row)
                      for row in table[2:] for cell, repeat in row[column:column + 1])
        if not text or not grouped or column >= len(rows[0]) or rows[0][column][0]:
            continue
        for k, row in enumerate(rows):
            if row[column][0] or (k and not row[column][1]):
                break
            row[column] = (text, True)


def _inside_title_rows(rows: list[Row]) -> tuple[int, int]:
    """Where a ruled table's grid starts and ends without the rows of one cell spanning every column above
    its header and below its last row: Word prints a table's caption (表1 …主要指标) and its notes (注：…)
    inside the grid, as rows of their own. They are the paragraphs they say, not rows of the table."""
    def title(row: Row) -> bool:
        return len(row) >= 2 and all(repeat for _, repeat in row[1:]) and all(text == row[0][0] for text, _ in row)

    first = 0
    while first < len(rows) and title(rows[first]):
        first += 1
    last = len(rows)
    while last > first + 1 and title(rows[last - 1]):
        last -= 1
    return first, last


def _last_line(block: Block) -> int:
    return block.rows[-1][0].source.line if block.rows and block.rows[-1] else block.source.line
