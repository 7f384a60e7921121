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
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText
from planwatch.ingest.pdf.lines import TextLine, glyph_rows, text_line
from planwatch.ingest.pdf.open_tables import Layout, find_open_tables
from planwatch.ingest.pdf.page import Glyph, PageContent, is_page_number, read_page
from planwatch.ingest.pdf.paragraphs import Margins, continues, join
from planwatch.ingest.pdf.tables import RuledTable, find_tables

_BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")
# A running head or foot is repeated at the same height on this many pages at least, and on this share of
# them (odd and even pages may carry different heads); a label such as 附件1 atop a few pages is not one.
_RUNNING_PAGES = 3
_RUNNING_SHARE = 0.4
# PDFium is not thread-safe; uploads may be read by several threads of one server.
_PDFIUM = threading.Lock()

Progress = Callable[[int, int], None]
Row = list[tuple[str, bool]]  # (cell text, repeated from a merged cell)


def read_pdf(path: Path, data: bytes, progress: Progress | None = None) -> SourceText:
    """Read a PDF's text layer; ``progress(pages done, pages total)`` is called after each page."""
    if not data.strip():
        raise InputError(path, "文件是空的；应为 PDF 文档")
    if b"%PDF-" not in data[:1024]:
        raise InputError(path, "不是 PDF 文档（文件开头没有 %PDF- 标记）")
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise _open_error(path, exc) from None
        try:
            pages = []
            total = len(document)
            running_on: Layout | None = None  # a borderless table that ran down to the foot of the page before
            for index in range(total):
                page, running_on = _items(read_page(document, index), running_on)
                pages.append(page)
                if progress is not None:
                    progress(index + 1, total)
        except pdfium.PdfiumError:
            raise InputError(path, "PDF 文件已损坏，无法读取") from None
        finally:
            document.close()
    _drop_furniture(pages)
    if not any(p.items for p in pages):
        raise InputError(path, "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）")
    blocks = tuple(_blocks(pages))
    return SourceText(
        name=path.name,
        format="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=max((_last_line(b) for b in blocks), default=0),
    )


def _open_error(path: Path, error: pdfium.PdfiumError) -> InputError:
    if getattr(error, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        return InputError(path, "PDF 已加密（有密码保护），请另存一份不加密的副本再导入")
    return InputError(path, "不是可读取的 PDF 文档（文件可能已损坏）")


@dataclass
class _Table:
    rows: list[Row]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class _Page:
    number: int
    lines: list[TextLine]  # the text lines outside tables, for finding page furniture
    items: list[TextLine | _Table] = field(default_factory=list)


def _items(page: PageContent, running_on: Layout | None) -> tuple[_Page, Layout | None]:
    """The page's text lines and tables top to bottom; and the layout of a borderless table running on."""
    tables = find_tables(page.rules)
    outside, cells = _by_table(page.glyphs, tables)
    rows = glyph_rows(outside)
    open_tables, running_on = find_open_tables(rows, page.rules, running_on)
    if open_tables:
        outside, more = _by_table(outside, open_tables)
        tables, cells = tables + open_tables, cells + more
        rows = glyph_rows(outside)
    placed: list[tuple[float, TextLine | _Table]] = []
    lines = [line for line in map(text_line, rows) if line.text]
    placed.extend((line.top, line) for line in lines)
    placed.extend((table.top, _Table(table.rows(glyphs))) for table, glyphs in zip(tables, cells, strict=True))
    placed.sort(key=lambda p: p[0])
    return _Page(page.number, lines, [item for _, item in placed]), running_on


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
    # Rows of a table that may continue on the next page: (cells, line, page).
    pending: list[tuple[Row, int, int]] = []
    # The paragraph being read: its text, where it starts, and its last printed line so far.
    paragraph: tuple[str, Provenance, TextLine] | None = None

    def flush() -> Iterator[Block]:
        nonlocal paragraph
        if paragraph is not None:
            yield Block(BlockKind.PARAGRAPH, paragraph[1], text=paragraph[0])
            paragraph = None
        if pending:
            rows = tuple(
                tuple(Cell(text, Provenance(line=at, page=page, row=i), merged=repeat) for text, repeat in row)
                for i, (row, at, page) in enumerate(pending, start=1)
            )
            yield Block(BlockKind.TABLE, rows[0][0].source, rows=rows)
            pending.clear()

    previous_page = 0
    for page in pages:
        for index, item in enumerate(page.items):
            if isinstance(item, _Table):
                continues_table = bool(pending) and index == 0 and len(pending[0][0]) == item.width
                if not continues_table:
                    yield from flush()
                rows = item.rows
                if continues_table:
                    rows = _without_repeated_header(rows, [row for row, _, _ in pending])
                if continues_table and rows and _is_split_row(rows[0], pending[-1][0]):
                    previous = pending[-1][0]
                    previous[:] = [(join(a, b) if b else a, rep) for (a, rep), (b, _) in zip(previous, rows[0], strict=False)]
                    rows = rows[1:]
                for row in rows:
                    number += 1
                    pending.append((row, number, page.number))
                continue
            if paragraph is not None and continues(paragraph[2], item, margins, page.number == previous_page):
                paragraph = (join(paragraph[0], item.text), paragraph[1], item)
            else:
                yield from flush()
                number += 1
                paragraph = (item.text, Provenance(line=number, page=page.number), item)
            previous_page = page.number
    yield from flush()


def _without_repeated_header(rows: list[Row], table: list[Row]) -> list[Row]:
    """A continued table's rows without the header rows Word repeats at the top of every page."""
    repeated = 0
    while repeated < min(len(rows), len(table) - 1) and rows[repeated] == table[repeated]:
        repeated += 1
    return rows[repeated:]


def _is_split_row(row: Row, previous: Row) -> bool:
    """The rest of a row that a page break cut: its text only goes on under cells of the row above that
    had text, and some of those cells, complete on the first page (a number, a year), have nothing more.
    A new row under merged cells printed once (empty category and number, a name of its own) is not."""
    pairs = list(zip((text for text, _ in row), (text for text, _ in previous), strict=False))
    goes_on = [bool(before) for text, before in pairs if text]
    return (not row[0][0] and bool(goes_on) and all(goes_on)
            and any(before and not text for text, before in pairs))


def _last_line(block: Block) -> int:
    return block.rows[-1][0].source.line if block.rows and block.rows[-1] else block.source.line
