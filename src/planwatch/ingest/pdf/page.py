"""What one PDF page holds for a reader: its characters with their boxes and its straight drawn lines.

Coordinates are PDF points measured from the page's top-left corner (y grows downwards),
the order in which a reader's eye meets them.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from planwatch.ingest.pdf_tolerances import TOLERANCES

if TYPE_CHECKING:
    from planwatch.ingest.pdf.ocr import Engine

_RULE_THICKNESS = TOLERANCES.rule_thickness
# Spaces, byte-order marks and soft hyphens: spacing comes from the geometry (and PDFium's own
# made-up characters are all spaces and line breaks).
_INVISIBLE = frozenset((0x3000, 0xA0, 0xFFFE, 0xFEFF, 0xAD))
_PAGE_NUMBER = re.compile(r"^\s*(?:[—–\-－]\s*\d+\s*[—–\-－]|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")


@dataclass(frozen=True, slots=True)
class Glyph:
    """A character placed by its baseline and font size, which all characters of a printed line share.

    (Character boxes do not: fonts without metrics give each glyph its own inked box, so a
    dash or a full stop would seem to sit on a line of its own.)
    """

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def top(self) -> float:
        return self.baseline - 0.88 * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + 0.12 * self.size

    @property
    def middle(self) -> float:
        return self.baseline - 0.38 * self.size

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal (top == bottom) or vertical (x0 == x1) drawn line."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.x1 - self.x0 >= self.bottom - self.top


@dataclass(frozen=True, slots=True)
class PageContent:
    number: int  # 1-based
    glyphs: list[Glyph]
    rules: list[Rule]
    scanned: bool = False  # a picture and no text layer
    ocr: bool = False  # its characters and rules were read from the picture by OCR


def is_page_number(text: str) -> bool:
    """A page's foot such as “— 3 —” or 第3页 (共12页): furniture, never part of the text or a table."""
    return bool(_PAGE_NUMBER.match(text))


def read_page(document: pdfium.PdfDocument, index: int, ocr: Callable[[], Engine | None] | None = None) -> PageContent:
    """A page's characters and rules; a scanned page's read from its picture by the engine ``ocr`` gives
    (asked only for a scanned page: loading a model takes time), if any."""
    page = document[index]
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            glyphs = _glyphs(textpage, height)
        finally:
            textpage.close()
        rules = _rules(page, height)
        scanned = not glyphs and _has_picture(page)
        engine = ocr() if scanned and ocr is not None else None
        if engine is not None:
            from planwatch.ingest.pdf.ocr import DPI, page_content  # numpy, only for scans

            scale = DPI / 72
            glyphs, rules = page_content(page.render(scale=scale, grayscale=True).to_numpy(), scale, engine)
    finally:
        page.close()
    return PageContent(index + 1, glyphs, rules, scanned, engine is not None)


def is_scan(document: pdfium.PdfDocument, index: int) -> bool:
    """Whether a page is a picture without a text layer, found without reading its characters."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            empty = pdfium_c.FPDFText_CountChars(textpage.raw) <= 0
        finally:
            textpage.close()
        return empty and _has_picture(page)
    finally:
        page.close()


def _has_picture(page: pdfium.PdfPage) -> bool:
    handle = page.raw
    return any(pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(handle, k)) == pdfium_c.FPDF_PAGEOBJ_IMAGE
               for k in range(pdfium_c.FPDFPage_CountObjects(handle)))


def _glyphs(textpage: pdfium.PdfTextPage, height: float) -> list[Glyph]:
    """Visible characters; the spaces and line breaks PDFium makes up are left out (layout decides spacing)."""
    handle = textpage.raw  # the raw handle: the wrapper object costs a conversion on every call
    box = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    glyphs: list[Glyph] = []
    for i in range(pdfium_c.FPDFText_CountChars(handle)):
        code = pdfium_c.FPDFText_GetUnicode(handle, i)
        if code <= 0x20 or code in _INVISIBLE:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(handle, i, box) or not pdfium_c.FPDFText_GetCharOrigin(handle, i, x, y):
            continue
        # The font size is in text space: a printer that draws in its own units (Chromium's CSS pixels under
        # a 0.75 matrix) sets 16 for 12 points. The matrix gives the size on the page.
        size = pdfium_c.FPDFText_GetFontSize(handle, i)
        if pdfium_c.FPDFText_GetMatrix(handle, i, matrix):
            size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        glyphs.append(Glyph(chr(code), box.left, box.right, height - y.value, size if size > 0 else box.top - box.bottom))
    return glyphs


def _rules(page: pdfium.PdfPage, height: float) -> list[Rule]:
    """Straight lines drawn on the page: strokes, thin filled bars and the sides of rectangles."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    rules: list[Rule] = []
    handle = page.raw
    for index in range(pdfium_c.FPDFPage_CountObjects(handle)):
        obj = pdfium_c.FPDFPage_GetObject(handle, index)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        x0, x1, y0, y1 = left.value, right.value, height - top.value, height - bottom.value
        if x1 - x0 <= _RULE_THICKNESS or y1 - y0 <= _RULE_THICKNESS:
            middle_x, middle_y = (x0 + x1) / 2, (y0 + y1) / 2
            if x1 - x0 <= _RULE_THICKNESS:
                rules.append(Rule(middle_x, y0, middle_x, y1))
            else:
                rules.append(Rule(x0, middle_y, x1, middle_y))
        elif _is_rectangle(obj):
            rules += [Rule(x0, y0, x1, y0), Rule(x0, y1, x1, y1), Rule(x0, y0, x0, y1), Rule(x1, y0, x1, y1)]
    return rules


def _is_rectangle(obj: ctypes.c_void_p) -> bool:
    """A path of four straight sides (``re`` or move/line/line/line/close): its bounds are its sides."""
    count = pdfium_c.FPDFPath_CountSegments(obj)
    if count not in (4, 5):
        return False
    x, y = ctypes.c_float(), ctypes.c_float()
    xs: set[float] = set()
    ys: set[float] = set()
    for s in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, s)
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return False
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        xs.add(round(x.value, 1))
        ys.add(round(y.value, 1))
    return len(xs) == 2 and len(ys) == 2
