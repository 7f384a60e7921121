"""A picture of what the PDF reader read on one page, drawn over the page (as pdfplumber's debugger).

When a plan's table comes out wrong, the question is which step went astray: were the characters
there (a font without a Unicode map reads as nothing), were the borders drawn as rules, did the
rules form a grid, did the rows and columns of a borderless table land where the eye sees them?
The page is rendered by PDFium and the reader's own results are drawn over it, nothing computed
again for the picture: the characters' boxes, the rules, each table's cells (ruled tables and
borderless ones in different colours) with its row and column borders, and the text lines outside
tables. Pages before the one asked for are read first, so that a borderless table running on from
them is found as the reader finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from planwatch.errors import InputError
from planwatch.ingest.pdf.open_tables import Layout
from planwatch.ingest.pdf.page import PageContent, read_page
from planwatch.ingest.pdf.tables import RuledTable
from planwatch.ingest.pdf_reader import PageLayout, page_layout

__all__ = ["COLOURS", "PageDrawing", "draw_page"]

Colour = tuple[int, int, int, int]
Box = Callable[[float, float, float, float], tuple[float, float, float, float]]
# What each colour marks; the CLI prints this legend beside the tolerances.
COLOURS: Final[dict[str, tuple[Colour, str]]] = {
    "char": ((31, 119, 180, 255), "字符框"),
    "rule": ((214, 39, 40, 255), "表格线"),
    "ruled_cell": ((44, 160, 44, 70), "有线表格的单元格"),
    "open_cell": ((255, 127, 14, 70), "无线表格的单元格"),
    "row": ((148, 103, 189, 255), "表格的行分界"),
    "column": ((23, 190, 207, 255), "表格的列分界"),
    "line": ((127, 127, 127, 255), "表格外的文字行"),
}


@dataclass(frozen=True, slots=True)
class PageDrawing:
    """What was drawn: the picture's size in pixels and the counts of each kind of mark."""

    width: int
    height: int
    chars: int
    rules: int
    ruled_tables: int
    open_tables: int
    cells: int
    rows: int
    columns: int
    lines: int
    scanned: bool


def draw_page(path: Path, number: int, output: Path, scale: float = 2.0) -> PageDrawing:
    """Draw page ``number`` (1-based) of the PDF at ``path`` into the PNG ``output``, ``scale`` pixels a point."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        raise InputError(path, "不是可读取的 PDF 文档（文件可能已损坏或已加密）") from None
    try:
        total = len(document)
        if not 1 <= number <= total:
            raise InputError(path, f"第 {number} 页不存在：文件共 {total} 页")
        running_on: Layout | None = None
        for index in range(number - 1):  # a borderless table may run on from the pages before
            _, running_on = page_layout(read_page(document, index), running_on)
        content = read_page(document, number - 1)
        layout, _ = page_layout(content, running_on)
        page = document[number - 1]
        try:
            picture = page.render(scale=scale).to_pil().convert("RGBA")
        finally:
            page.close()
    finally:
        document.close()
    drawn = _draw(picture, content, layout, scale)
    output.parent.mkdir(parents=True, exist_ok=True)
    drawn.convert("RGB").save(output, "PNG")
    return PageDrawing(
        width=drawn.width, height=drawn.height, chars=len(content.glyphs), rules=len(content.rules),
        ruled_tables=len(layout.ruled), open_tables=len(layout.open),
        cells=sum(len(set(table.region.values())) for table in layout.tables),
        rows=sum(len(table.ys) - 1 for table in layout.tables),
        columns=sum(len(table.xs) - 1 for table in layout.tables),
        lines=len(layout.rows), scanned=content.scanned)


def _draw(picture: Image.Image, content: PageContent, layout: PageLayout, scale: float) -> Image.Image:
    overlay = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(overlay)

    def box(x0: float, top: float, x1: float, bottom: float) -> tuple[float, float, float, float]:
        return x0 * scale, top * scale, max(x1, x0) * scale, max(bottom, top) * scale

    for table in layout.ruled:
        _cells(pen, table, COLOURS["ruled_cell"][0], box)
    for table in layout.open:
        _cells(pen, table, COLOURS["open_cell"][0], box)
    for row in layout.rows:
        pen.rectangle(box(min(g.x0 for g in row) - 1, min(g.top for g in row) - 1, max(g.x1 for g in row) + 1,
                          max(g.bottom for g in row) + 1), outline=COLOURS["line"][0], width=1)
    for rule in content.rules:
        pen.line([(rule.x0 * scale, rule.top * scale), (rule.x1 * scale, rule.bottom * scale)], COLOURS["rule"][0],
                 max(1, round(scale)))
    for table in layout.tables:  # over the rules: a border the reader took from a rule shows on it
        for y in table.ys:
            pen.line([(table.xs[0] * scale, y * scale), (table.xs[-1] * scale, y * scale)], COLOURS["row"][0], 1)
        for x in table.xs:
            pen.line([(x * scale, table.ys[0] * scale), (x * scale, table.ys[-1] * scale)], COLOURS["column"][0], 1)
    for glyph in content.glyphs:
        pen.rectangle(box(glyph.x0, glyph.top, glyph.x1, glyph.bottom), outline=COLOURS["char"][0], width=1)
    return Image.alpha_composite(picture, overlay)


def _cells(pen: ImageDraw.ImageDraw, table: RuledTable, colour: Colour, box: Box) -> None:
    """Each merged cell once, over the grid positions it covers."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for (row, column), anchor in table.region.items():
        last = spans.get(anchor, anchor)
        spans[anchor] = (max(last[0], row), max(last[1], column))
    for (top, left), (bottom, right) in spans.items():
        pen.rectangle(box(table.xs[left], table.ys[top], table.xs[right + 1], table.ys[bottom + 1]),
                      fill=colour, outline=(*colour[:3], 255), width=1)
