"""Word output after GB/T 9704-2012 (党政机关公文格式).

A4 with the standard type area (156 × 225 mm), title in 2号 方正小标宋, body in 3号 仿宋 at
22 lines per page, level-1 headings 黑体, level-2 楷体, page numbers 4号 宋体 "— 1 —" on the
outer side. The official font names go into the East Asian slot so the file looks right on a
government PC; elsewhere the open CJK fonts stand in (see ``render.py``).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from planwatch.report.elements import Annex, Element, Figure, Heading, Paragraph, Signature, Table, Title
from planwatch.text_cleaning import normalise_text

__all__ = ["FONTS", "write_docx"]

FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "heading1": "黑体", "heading2": "楷体_GB2312",
         "page_number": "宋体"}
_LATIN = "Times New Roman"
_BODY_SIZE = Pt(16)  # 3号
_LINE = Pt(28.95)  # 225 mm ÷ 22 lines
_TABLE_SIZE = Pt(10.5)  # 五号
_TABLE_TEXT, _TABLE_HEADER = "TableText", "TableHeader"  # style ids of the two table paragraph styles


def _fonts(rpr_owner: object, east_asia: str, latin: str = _LATIN) -> None:
    """Set every font slot; a theme attribute would override the explicit name, so drop it."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(document: Document, name: str, east_asia: str, size: Pt, *, bold: bool = False) -> None:
    style = document.styles[name]
    language = style.element.get_or_add_rPr().find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        style.element.get_or_add_rPr().append(language)
    language.set(qn("w:eastAsia"), "zh-CN")  # picks the simplified-Chinese face of a pan-CJK font
    font = style.font
    font.size = size
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element, east_asia)
    layout = style.paragraph_format
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = _LINE
    layout.first_line_indent = Pt(32)
    layout.keep_with_next = name.startswith("Heading")


def _writable(element: Element) -> Element:
    """The element with every text as Word's XML can hold it: a control character stored in
    a name before they were cleaned must not stop the report (python-docx refuses them)."""
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(element):
        value = getattr(element, item.name)
        if isinstance(value, str):
            changes[item.name] = normalise_text(value)
        elif isinstance(value, tuple) and value and all(isinstance(v, str | tuple) for v in value):
            changes[item.name] = tuple(tuple(normalise_text(c) for c in v) if isinstance(v, tuple)
                                       else normalise_text(v) for v in value)
    return dataclasses.replace(element, **changes)


def _page(section: object, *, landscape: bool = False) -> None:
    width, height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    section.page_width, section.page_height = (height, width) if landscape else (width, height)  # type: ignore[attr-defined]
    section.top_margin, section.bottom_margin = (Mm(28), Mm(26)) if landscape else (Mm(37), Mm(35))  # type: ignore[attr-defined]
    section.left_margin, section.right_margin = (Mm(37), Mm(35)) if landscape else (Mm(28), Mm(26))  # type: ignore[attr-defined]
    section.footer_distance = Mm(18)  # type: ignore[attr-defined]


def _page_number(paragraph: object, *, odd: bool) -> None:
    """"— 7 —" in 4号 宋体, one character in from the outer edge (right on odd pages)."""
    p = paragraph  # python-docx Paragraph
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT  # type: ignore[attr-defined]
    layout = p.paragraph_format  # type: ignore[attr-defined]
    layout.first_line_indent = Pt(0)
    layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if odd:
        layout.right_indent = Pt(14)
    else:
        layout.left_indent = Pt(14)
    for text, field in (("— ", False), ("PAGE", True), (" —", False)):
        run = p.add_run()  # type: ignore[attr-defined]
        run.font.size = Pt(14)
        _fonts(run._r, FONTS["page_number"])
        if not field:
            run.text = text
            continue
        for kind in ("begin", None, "end"):
            if kind is None:
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = f" {text} "
                run._r.append(instruction)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)


class _Writer:
    def __init__(self) -> None:
        self.document = new_document()
        self.document.settings.odd_and_even_pages_header_footer = True
        for name, east_asia, size in (("Normal", FONTS["body"], _BODY_SIZE),
                                      ("Heading 1", FONTS["heading1"], _BODY_SIZE),
                                      ("Heading 2", FONTS["heading2"], _BODY_SIZE),
                                      ("Heading 3", FONTS["body"], _BODY_SIZE),
                                      ("Title", FONTS["title"], Pt(22))):
            _style(self.document, name, east_asia, size)
        title = self.document.styles["Title"].paragraph_format
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.first_line_indent = Pt(0)
        title.line_spacing = Pt(36)
        title_style = self.document.styles["Title"].element
        border = title_style.find(qn("w:pPr"))
        if border is not None and border.find(qn("w:pBdr")) is not None:
            border.remove(border.find(qn("w:pBdr")))  # the default template underlines titles
        for style_id, east_asia in ((_TABLE_TEXT, FONTS["body"]), (_TABLE_HEADER, FONTS["heading1"])):
            self._table_style(style_id, east_asia)
        self._rows: list[tuple[Table, list[int]]] = []  # each table's rows, written at save
        self._section(self.document.sections[0])

    def _table_style(self, style_id: str, east_asia: str) -> None:
        style = self.document.styles.add_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = self.document.styles["Normal"]
        style.font.size = _TABLE_SIZE
        _fonts(style.element, east_asia)
        layout = style.paragraph_format
        layout.first_line_indent = Pt(0)
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if style_id == _TABLE_HEADER:
            layout.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _section(self, section: object, *, landscape: bool = False) -> None:
        _page(section, landscape=landscape)
        # The width tables take, kept here: asking the document for its last section walks the body.
        self._usable = int(section.page_width - section.left_margin - section.right_margin)  # type: ignore[attr-defined]
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):  # type: ignore[attr-defined]
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            for run in list(paragraph.runs):
                run._r.getparent().remove(run._r)
            _page_number(paragraph, odd=odd)

    def write(self, elements: Iterable[Element]) -> None:
        for stored in elements:
            element = _writable(stored)
            match element:
                case Title():
                    self.document.add_paragraph(element.text, style="Title")
                    if element.subtitle:
                        sub = self.document.add_paragraph(element.subtitle)
                        self._centered(sub)
                        _fonts(sub.runs[0]._r, FONTS["heading2"])
                    self.document.add_paragraph()
                case Heading():
                    self.document.add_paragraph(element.text, style=f"Heading {min(element.level, 3)}")
                case Paragraph():
                    paragraph = self.document.add_paragraph()
                    run = paragraph.add_run(element.text)
                    if element.placeholder:
                        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                        _fonts(run._r, FONTS["heading2"])
                case Table():
                    self._table(element)
                case Figure():
                    paragraph = self.document.add_paragraph()
                    self._centered(paragraph, single=True)
                    paragraph.add_run().add_picture(io.BytesIO(element.png), width=Cm(element.width_cm))
                    self._caption(element.caption)
                case Annex():
                    section = self.document.add_section(WD_SECTION.NEW_PAGE)
                    self._section(section, landscape=True)
                    label = self.document.add_paragraph()
                    label.paragraph_format.first_line_indent = Pt(0)
                    _fonts(label.add_run(element.label)._r, FONTS["heading1"])
                    self.document.add_paragraph(element.title, style="Title")
                case Signature():
                    # The issuer and the date stay together, and with the last lines of the text:
                    # GB/T 9704 does not let the date stand alone on a page.
                    self.document.paragraphs[-1].paragraph_format.keep_with_next = True
                    for n, line in enumerate(element.lines):
                        paragraph = self.document.add_paragraph(line)
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                        paragraph.paragraph_format.right_indent = Pt(64)
                        paragraph.paragraph_format.keep_with_next = n < len(element.lines) - 1

    def _centered(self, paragraph: object, *, single: bool = False) -> None:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
        layout = paragraph.paragraph_format  # type: ignore[attr-defined]
        layout.first_line_indent = Pt(0)
        if single:  # an exact line height would crop a picture to one line
            layout.line_spacing_rule = WD_LINE_SPACING.SINGLE

    def _caption(self, text: str) -> None:
        if not text:
            return
        caption = self.document.add_paragraph()
        self._centered(caption)
        run = caption.add_run(text)
        run.font.size = Pt(12)
        _fonts(run._r, FONTS["heading1"])

    def _table(self, element: Table) -> None:
        """The table's properties and grid are made here; its rows are written straight into
        the file when it is saved (see :meth:`save`): python-docx builds each cell element by
        element (an annex of 10,000 indicators took 50 s and 500 MB)."""
        if element.caption:
            self._caption(element.caption)
        table = self.document.add_table(rows=0, cols=len(element.header))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = column_widths(element, self._usable)
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid column: what LibreOffice and WPS lay out by
        table._tbl.append(etree.Comment(f"{_ROWS}{len(self._rows)}"))
        self._rows.append((element, [Emu(w).twips for w in widths]))
        self.document.add_paragraph()

    def save(self, path: Path) -> None:
        """The package as python-docx writes it, with each table's rows streamed into the
        document part in place of its marker: memory stays that of one row."""
        package = io.BytesIO()
        self.document.save(package)
        with zipfile.ZipFile(package) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                if item.filename != _DOCUMENT_PART:
                    target.writestr(item, source.read(item))
                    continue
                part = zipfile.ZipInfo(item.filename, item.date_time)
                part.compress_type = zipfile.ZIP_DEFLATED
                with target.open(part, "w") as out:
                    for n, piece in enumerate(re.split(_ROW_MARKER, source.read(item))):
                        if n % 2 == 0:
                            out.write(piece)
                            continue
                        element, twips = self._rows[int(piece)]
                        out.write(_row_xml(element.header, twips, _TABLE_HEADER, header=True).encode())
                        for row in element.rows:
                            out.write(_row_xml(row, twips, _TABLE_TEXT).encode())


_DOCUMENT_PART = "word/document.xml"
_ROWS = "planwatch-rows-"
_ROW_MARKER = re.compile(f"<!--{_ROWS}(\\d+)-->".encode())
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML 1.0 cannot carry


def _row_xml(values: Sequence[str], twips: Sequence[int], style: str, *, header: bool = False) -> str:
    """One table row as WordprocessingML: each cell as wide as its grid column, its text in
    the table paragraph style; a header row repeats on every page."""
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{_run_xml(value)}</w:p></w:tc>'
                    for value, width in zip(values, twips, strict=True))
    properties = '<w:trPr><w:tblHeader w:val="true"/></w:trPr>' if header else ""
    return f"<w:tr>{properties}{cells}</w:tr>"


def _run_xml(text: str) -> str:
    """A run of ``text``; line breaks and tabs as Word's own elements (as python-docx writes them)."""
    if not text:
        return "<w:r/>"
    parts = []
    for n, line in enumerate(_NOT_XML.sub("", text).split("\n")):
        if n:
            parts.append("<w:br/>")
        for m, piece in enumerate(line.split("\t")):
            if m:
                parts.append("<w:tab/>")
            if piece:
                space = ' xml:space="preserve"' if piece != piece.strip() else ""
                parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return f"<w:r>{''.join(parts)}</w:r>"


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"  # CJK and fullwidth: one em each
_WIDE = re.compile(f"[{_CJK}]")
_CELL_PADDING = 2  # half-ems: the cell's left and right margins
# A cell this short (6 Chinese characters, 12 Latin) is one word to the reader: 预期性, 无数据,
# 完成进度, 50（2030年） wrapped one character a line read as 预/期/性 down the page.
_WORD = 12
# A Latin run longer than this (a file name, a URL) breaks anywhere in Word and WPS: it may
# not claim a column's width for itself.
_LONGEST_RUN = 14


def _half_ems(text: str) -> int:
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


def _token(text: str) -> int:
    """Half-ems of the longest part no line may break in: a number with its sign, decimals
    and unit (−12.35%, 2024) or a Latin word, up to :data:`_LONGEST_RUN`; Chinese text
    breaks between any two characters."""
    runs = [run for run in re.split(f"\\s+|(?=[{_CJK}])", text) if run]
    return max((min(_half_ems(run), _LONGEST_RUN) for run in runs), default=0)


def _word(text: str) -> int:
    """Half-ems a short cell needs on one line (预期性, 无数据, 50（2030年）); a longer one, its token."""
    width = _half_ems(text.strip())
    return width if width <= _WORD else _token(text)


def _header(text: str) -> int:
    """A header may take two lines (完成/进度), never one character a line."""
    width = _half_ems(text.strip())
    return max(_token(text), min(width, max(4, -(-width // 4) * 2)))


def column_widths(element: Table, usable: int, font_size: int = _TABLE_SIZE) -> list[int]:
    """Column widths (EMU) sized by their content, fitting ``usable``.

    Each column first gets what should stay on one line — its short cells whole (属性
    预期性 is never 预/期/性), a number with its unit, a Latin word up to a length, its header
    in at most two lines — and a column of long text (an indicator's name, a note) at least
    :data:`_WORD` half-ems. What is left of the page goes to the columns whose text would
    otherwise wrap, in proportion to how much text they hold (weighted by the table's
    relative widths). On a page too narrow for that, long-text columns give up their
    minimum first, then short cells may wrap; numbers are never split.
    """
    half_em = font_size // 2
    columns = range(len(element.header))
    body = element.rows or [element.header]
    shares = element.widths or tuple(1.0 for _ in element.header)
    hard = [max([_token(row[c]) for row in [element.header, *element.rows]]) + _CELL_PADDING for c in columns]
    soft = [max(hard[c], _header(element.header[c]), *(_word(row[c]) for row in element.rows)) + _CELL_PADDING
            for c in columns]
    ideal = [max(max(_half_ems(row[c]) for row in body), soft[c]) + _CELL_PADDING for c in columns]
    roomy = [max(soft[c], min(ideal[c], _WORD + _CELL_PADDING)) for c in columns]
    room = usable // half_em
    least = next((option for option in (roomy, soft, hard) if sum(option) < room), None)
    if least is None:  # cannot fit: shrink in proportion (a very wide table)
        return [int(usable * w / sum(hard)) for w in hard]
    extra = room - sum(least)
    wraps = [i - w for i, w in zip(ideal, least, strict=True)]
    if extra >= sum(wraps):  # nothing needs to wrap: the rest of the page by the relative widths
        rest = extra - sum(wraps)
        return [int((i + rest * s / sum(shares)) * half_em) for i, s in zip(ideal, shares, strict=True)]
    want = [w * s for w, s in zip(wraps, shares, strict=True)]
    spread: Sequence[float] = [extra * w / sum(want) for w in want]
    return [int((w + s) * half_em) for w, s in zip(least, spread, strict=True)]


def write_docx(elements: Iterable[Element], path: Path) -> None:
    writer = _Writer()
    writer.write(elements)
    writer.save(path)
