"""A PDF development set: the shared plans and seeds printed the way government offices publish them.

Real plans reach users as PDFs exported from Word or WPS, or printed from a web page, and
their indicator tables are where readers fail: a caption set as the table's first row (one
cell spanning every column), a header cell spanning two columns, a category cell merged over
its group with the text in the middle, names wrapped over two or three lines, a table running
over page breaks with its header printed again on every page, ruled grids and three-line tables
(三线表) without vertical rules. This script prints every ``../shared/plans/*.txt`` and
``../shared/seeds/*.txt`` in those layouts, from two producers, so that the reader is measured
on them against the same hand gold as the text files (scored by name: a PDF has no text lines):

* ``libreoffice``: a Word document (python-docx, 仿宋_GB2312 and the other official font
  names mapped to the installed CJK fonts by the report renderer's fontconfig file) converted by
  ``libreoffice --headless --convert-to pdf``: ruled tables, the caption as the first row of the
  grid, a two-row header whose value columns are grouped under one spanning cell (or, with one
  value column, the number and name columns under one name cell), category cells merged
  vertically and centred, the caption and header rows repeated on every page, a narrow name column;
* ``chromium``: an HTML rendering printed by Chromium (Playwright's ``page.pdf()`` with Debian's
  ``/usr/bin/chromium``): three-line tables under a caption line, a header cell spanning two
  columns, category cells spanning their group's rows with the text in the middle, the header
  repeated on every page (``thead``), page numbers in the foot.

Tables are found in the text files by the project's own reader (:func:`planwatch.extract.layout.layout`),
so a table the text reader does not see is printed as the lines it reads; the scraper's wrapper
(YAML front matter, the note quoted under it, markdown heading marks) is not printed, as it is not
part of the document. Output goes to a cache folder keyed by what was printed, never into the
repository: ``<cache>/<producer>/<stem>.pdf`` (the stem of the text file, which names its gold).

Run: ``.venv/bin/python scripts/pdf_devset.py [--shared DIR] [--out DIR] [--producer NAME]…``
prints the PDFs' paths, generating those not cached yet.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from planwatch.extract.layout import Grid, Line, layout
from planwatch.extract.tables import Role, column_role, is_header_row
from planwatch.ingest import read_source
from planwatch.report.render import FONTCONFIG_FILE, docx_to_pdf, libreoffice

PRODUCERS = ("libreoffice", "chromium")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
REPO = Path(__file__).resolve().parents[1]
_VALUE_ROLES = (Role.BASELINE, Role.TARGET)  # a group header (指标值) spans the base year and the targets
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_SCRAPER_NOTE = re.compile(r"\A\s*(?:>[^\n]*\n)+")  # a note quoted under the front matter
_PART = re.compile(r"^(第[一二三四五六七八九十]+[篇章]|[一二三四五六七八九十]+、)")
_SECTION = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_ROW_NUMBER = re.compile(r"^\d{1,3}$")
_SIGNATURE_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
# The group cell over the value columns of a two-row header (指标值 | 2025年 2030年): a word that
# names no role itself, so each column keeps the meaning its own header gives it.
_VALUE_GROUP = "指标值"
# Column widths in characters of the table font (a line of A4 holds about 36 at 12 points): cells up to
# _SHORT_CELL characters are never wrapped; name columns are capped, so that long names wrap.
_LINE_CHARS = 36
_SHORT_CELL = 5
_NAME_CHARS = 12
_TEXT_CHARS = 8
_MIN_TEXT_CHARS = 4
_TABLE_SIZES = (12.0, 10.5, 9.0)


def shared_dir() -> Path:
    return Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared"))


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("PLANWATCH_PDF_DEVSET", Path(base) / "planwatch" / "pdf-devset"))


def sources(shared: Path) -> list[Path]:
    """The text files printed: the plans and the seeds, which have gold."""
    return sorted((shared / "plans").glob("*.txt")) + sorted((shared / "seeds").glob("*.txt"))


def missing(producer: str) -> str | None:
    """Why ``producer`` cannot run here, or None when it can."""
    if producer == "libreoffice":
        return None if libreoffice() else "LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
    if producer == "chromium":
        if not CHROMIUM.exists():
            return f"{CHROMIUM} is not installed (apt-get install chromium)"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "playwright is not installed (pip install -e '.[dev]')"
        return None
    raise ValueError(f"unknown producer {producer!r}; expected one of {', '.join(PRODUCERS)}")


# --- the document as printed ---------------------------------------------------------------------

@dataclass
class Paragraph:
    text: str
    kind: str = "body"  # title | part | section | body | signature


@dataclass
class Table:
    caption: str
    header: list[str]  # the header as the text file prints it, one cell a column
    body: list[list[str]]
    roles: list[str] = field(default_factory=list)  # each column's role (planwatch.extract.tables.Role)

    @property
    def width(self) -> int:
        return len(self.header)

    def category_groups(self, column: int) -> list[tuple[int, int]]:
        """Rows (first, last) of each group of a category column: a category printed once, the empty
        cells under it are its group's (a merged cell in the printed table)."""
        if self.roles[column] != Role.CATEGORY.value:
            return []
        groups: list[tuple[int, int]] = []
        for r, row in enumerate(self.body):
            if row[column] or not groups:
                groups.append((r, r))
            else:
                groups[-1] = (groups[-1][0], r)
        return [g for g in groups if g[1] > g[0] and self.body[g[0]][column]]

    def value_run(self) -> tuple[int, int] | None:
        """The first run of two or more adjacent value columns (base year, targets), for a grouped header."""
        c = 0
        while c < self.width:
            end = c
            while end < self.width and self.roles[end] in {r.value for r in _VALUE_ROLES}:
                end += 1
            if end - c >= 2:
                return c, end - 1
            c = end + 1 if end == c else end
        return None

    def name_span(self) -> int | None:
        """The number column when the name column follows it: one name cell may head both."""
        for c in range(self.width - 1):
            if self.roles[c] == Role.INDEX.value and self.roles[c + 1] == Role.NAME.value:
                return c
        return None

    def printed_spans(self) -> list[tuple[int, int]]:
        """The header cells as the text prints them: an empty header cell belongs to the one before it (a
        cell spanning two columns, such as 指标 over a category and a name)."""
        spans: list[tuple[int, int]] = []
        for c, text in enumerate(self.header):
            if text or not spans:
                spans.append((c, c))
            else:
                spans[-1] = (spans[-1][0], c)
        return spans

    def header_cells(self, grouped_first: bool) -> tuple[int, list[HeaderCell]]:
        """The header as printed, in one or two rows: the value columns grouped under one cell (指标值 over
        2025年 and 2030年) or the number and name columns under the name's cell, whichever the producer
        prefers and the table allows; the cells the text itself spans kept."""
        spans = self.printed_spans()
        group, name = self.value_run(), self.name_span()
        if name is not None and ((name, name) not in spans or (name + 1, name + 1) not in spans):
            name = None
        if group is not None and (grouped_first or name is None):
            first, last = group
            cells = [HeaderCell(_VALUE_GROUP, 0, first, 1, last - first + 1)]
            cells += [HeaderCell(self.header[c], 1, c) for c in range(first, last + 1)]
            cells += [HeaderCell(self.header[a], 0, a, 2, b - a + 1) for a, b in spans if b < first or a > last]
            return 2, cells
        if name is not None:
            spans = [s for s in spans if s[0] not in (name, name + 1)] + [(name, name + 1)]
            return 1, [HeaderCell(self.header[a + 1 if a == name else a], 0, a, 1, b - a + 1) for a, b in spans]
        return 1, [HeaderCell(self.header[a], 0, a, 1, b - a + 1) for a, b in spans]


@dataclass(frozen=True)
class HeaderCell:
    text: str
    row: int
    column: int
    rows: int = 1
    columns: int = 1


Item = Paragraph | Table


def document(path: Path) -> list[Item]:
    """The text file as a printed document: paragraphs and tables, the scraper's wrapper left out."""
    raw = path.read_text(encoding="utf-8")
    wrapper = _FRONT_MATTER.match(raw)
    text = _SCRAPER_NOTE.sub("", raw[wrapper.end():]) if wrapper else raw
    with tempfile.TemporaryDirectory(prefix="planwatch-devset-") as scratch:
        clean = Path(scratch, path.name)
        clean.write_text(text, encoding="utf-8")
        items = layout(read_source(clean).blocks)
    printed: list[Item] = []
    for k, item in enumerate(items):
        if isinstance(item, Line):
            if k + 1 < len(items) and isinstance(items[k + 1], Grid) and items[k + 1].caption == item.text:
                continue  # printed with its table
            printed.append(Paragraph(item.text, _kind(item, not printed)))
        elif (table := _table(item)) is not None:
            printed.append(table)
        else:
            printed.extend(Paragraph("\u3000".join(c.text for c in row if c.text)) for row in item.rows)
    return printed


def _kind(line: Line, first: bool) -> str:
    if line.level == 1 or (first and line.level is not None):
        return "title"
    if _PART.match(line.text):
        return "part"
    if _SECTION.match(line.text):
        return "section"
    if _SIGNATURE_DATE.match(line.text):
        return "signature"
    return "body"


def _table(grid: Grid) -> Table | None:
    width = max(len(row) for row in grid.rows)
    rows = [[cell.text for cell in row] + [""] * (width - len(row)) for row in grid.rows]
    if width < 2 or len(rows) < 2:
        return None
    header_rows = 1  # a grid starts at its header; stacked header rows (2030年 over 目标值) are joined
    while header_rows < len(rows) - 1 and is_header_row(rows[header_rows]):
        header_rows += 1
    header = ["".join(row[c] for row in rows[:header_rows]) for c in range(width)]
    roles = [column_role(h).value for h in header]
    return Table(grid.caption, header, [_aligned(row, roles) for row in rows[header_rows:]], roles)


def _aligned(row: list[str], roles: list[str]) -> list[str]:
    """A row whose merged leading cells the text export left out (its number in the category column, its
    last cells empty) moved right to its columns, as the printed table has it."""
    index = roles.index(Role.INDEX.value) if Role.INDEX.value in roles else None
    trailing = next((k for k, cell in enumerate(reversed(row)) if cell), 0)
    if index is None or not trailing or index - trailing < 0 or not _ROW_NUMBER.match(row[index - trailing]) \
            or _ROW_NUMBER.match(row[index]):
        return row
    return [""] * trailing + row[:-trailing]


# --- Word, printed by LibreOffice ----------------------------------------------------------------

def _docx(items: Sequence[Item], out: Path) -> None:
    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _font(word.styles["Normal"], "仿宋_GB2312", 16)
    _page_number_footer(section.footer.paragraphs[0])
    for item in items:
        if isinstance(item, Table):
            _word_table(word, item, Mm(210 - 28 - 26))
            word.add_paragraph()
            continue
        paragraph = word.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(item.text)
        if item.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, "方正小标宋简体", 22)
        elif item.kind == "signature":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            paragraph.paragraph_format.first_line_indent = Pt(32)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if item.kind in ("part", "section"):
                _font(run, "黑体" if item.kind == "part" else "楷体_GB2312", 16)
    word.save(str(out))


def _font(holder: Any, family: str, size: float, bold: bool = False) -> None:
    """A run's or style's font, the East Asian slot too (python-docx sets only the Latin one)."""
    holder.font.name, holder.font.size, holder.font.bold = family, Pt(size), bold
    holder.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)


def _page_number_footer(paragraph: Any) -> None:
    """“— 3 —” centred in the foot, as GB/T 9704 prints page numbers."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    begin, code, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code.text = "PAGE"
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.extend([begin, code, end])
    paragraph.add_run(" —")


def _put(cell: Any, text: str, header: bool = False, size: float = _TABLE_SIZES[0]) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), "黑体" if header else "仿宋_GB2312", size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _word_table(word: Any, table: Table, text_width: int) -> None:
    """A ruled Word table: the caption in its first row, a grouped or spanning header, both repeated
    on every page, category cells merged over their groups."""
    header_rows, header = table.header_cells(grouped_first=True)
    caption_rows = 1 if table.caption else 0
    top = caption_rows + header_rows
    grid = word.add_table(rows=top + len(table.body), cols=table.width)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _column_widths(table, text_width)
    size = table_size(table)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for row in grid.rows:
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
    if caption_rows:
        _put(grid.cell(0, 0).merge(grid.cell(0, table.width - 1)), table.caption, header=True, size=14)
    for cell in header:
        first = grid.cell(caption_rows + cell.row, cell.column)
        last = grid.cell(caption_rows + cell.row + cell.rows - 1, cell.column + cell.columns - 1)
        _put(first.merge(last) if (cell.rows, cell.columns) != (1, 1) else first, cell.text, header=True, size=size)
    for r in range(top):
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        grid.rows[r]._tr.get_or_add_trPr().append(repeat)
    merged: set[tuple[int, int]] = set()
    for c in range(table.width):
        for first, last in table.category_groups(c):
            _put(grid.cell(top + first, c).merge(grid.cell(top + last, c)), table.body[first][c], size=size)
            merged.update((r, c) for r in range(first, last + 1))
    for r, row in enumerate(table.body):
        for c, text in enumerate(row):
            if (r, c) not in merged:
                _put(grid.cell(top + r, c), text, size=size)


def _chars(text: str) -> float:
    """Width in characters of the table font: Latin letters and digits take about half a Chinese one."""
    return sum(0.55 if ord(ch) < 0x2000 else 1.0 for ch in text)


def _needs(table: Table) -> list[float]:
    return [max([_chars(table.header[c])] + [_chars(row[c]) for row in table.body]) for c in range(table.width)]


def table_size(table: Table) -> float:
    """The table's font size: 小四 (12 points), or 五号 and 小五 for a table too wide for it, as offices
    set wide tables in a smaller font rather than break their numbers."""
    need = _needs(table)
    wanted = sum(n + 1.5 if n <= _SHORT_CELL else _MIN_TEXT_CHARS for n in need)
    return next((size for size in _TABLE_SIZES if wanted <= _LINE_CHARS * _TABLE_SIZES[0] / size), _TABLE_SIZES[-1])


def _column_widths(table: Table, total: int) -> list[int]:
    """Short cells (numbers, units, attributes) keep to one line, as offices size them; the columns of
    longer text share the rest, the name column capped at a few characters, so long names wrap."""
    need = _needs(table)
    line = _LINE_CHARS * _TABLE_SIZES[0] / table_size(table)
    fixed = {c: n + 1.5 for c, n in enumerate(need) if n <= _SHORT_CELL}
    caps = {c: min(n, _NAME_CHARS if table.roles[c] == Role.NAME.value else _TEXT_CHARS)
            for c, n in enumerate(need) if c not in fixed}
    room = max(line - sum(fixed.values()), 0.5 * line)
    chars = {**fixed, **{c: room * cap / sum(caps.values()) for c, cap in caps.items()}}
    return [int(total * chars[c] / sum(chars.values())) for c in range(table.width)]


# --- HTML, printed by Chromium -------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "仿宋_GB2312", serif; font-size: 16pt; line-height: 1.75; margin: 0; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.title { font-family: "方正小标宋简体", serif; font-size: 22pt; text-align: center; text-indent: 0;
          margin: 0 0 1em; line-height: 1.4; }
p.part { font-family: "黑体", sans-serif; }
p.section { font-family: "楷体_GB2312", serif; }
p.signature { text-align: right; }
p.caption { font-family: "黑体", sans-serif; text-align: center; text-indent: 0; margin-top: 0.6em; font-size: 14pt; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; margin: 0.3em 0 1em; font-size: 12pt; line-height: 1.4;
        border-top: 1.5pt solid #000; border-bottom: 1.5pt solid #000; }
thead { display: table-header-group; }
thead tr:last-child th { border-bottom: 0.75pt solid #000; }
th { font-family: "黑体", sans-serif; font-weight: normal; padding: 3pt 4pt; }
td { padding: 3pt 4pt; text-align: center; vertical-align: middle; }
th.group { border-bottom: 0.75pt solid #000; }
td.name { text-align: left; }
"""


def _html(items: Sequence[Item]) -> str:
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"]
    for item in items:
        if isinstance(item, Paragraph):
            kind = f" class='{item.kind}'" if item.kind != "body" else ""
            parts.append(f"<p{kind}>{html.escape(item.text)}</p>")
        else:
            parts.append(_html_table(item))
    parts.append("</body></html>")
    return "".join(parts)


def _html_table(table: Table) -> str:
    header_rows, header = table.header_cells(grouped_first=False)
    out = [f"<p class='caption'>{html.escape(table.caption)}</p>" if table.caption else ""]
    widths = _column_widths(table, 1000)
    out.append(f"<table style='font-size:{table_size(table)}pt'><colgroup>" + "".join(f"<col style='width:{w / 10:.1f}%'>" for w in widths) + "</colgroup><thead>")
    for row in range(header_rows):
        cells = []
        for cell in sorted((c for c in header if c.row == row), key=lambda c: c.column):
            spans = (f" rowspan='{cell.rows}'" if cell.rows > 1 else "") + (f" colspan='{cell.columns}'" if cell.columns > 1 else "")
            group = " class='group'" if cell.columns > 1 and header_rows > cell.rows else ""
            cells.append(f"<th{spans}{group}>{html.escape(cell.text)}</th>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</thead><tbody>")
    spans: dict[tuple[int, int], int] = {}
    covered: set[tuple[int, int]] = set()
    for c in range(table.width):
        for first, last in table.category_groups(c):
            spans[first, c] = last - first + 1
            covered.update((r, c) for r in range(first + 1, last + 1))
    names = {c for c, role in enumerate(table.roles) if role == Role.NAME.value}
    for r, row in enumerate(table.body):
        cells = []
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            span = f" rowspan='{spans[r, c]}'" if (r, c) in spans else ""
            kind = " class='name'" if c in names else ""
            cells.append(f"<td{span}{kind}>{html.escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


_FOOTER = ("<div style='width:100%;text-align:center;font-size:12pt;font-family:serif'>"
           "— <span class='pageNumber'></span> —</div>")


def _print_html(pages: Iterable[tuple[str, Path]]) -> None:
    """Print each HTML document to its PDF with one Chromium."""
    from playwright.sync_api import sync_playwright

    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG_FILE)}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=environment)
        try:
            page = browser.new_page()
            for markup, out in pages:
                page.set_content(markup, wait_until="load")
                page.pdf(path=str(out), format="A4", prefer_css_page_size=True, display_header_footer=True,
                         header_template="<div></div>", footer_template=_FOOTER)
        finally:
            browser.close()


# --- scans ---------------------------------------------------------------------------------------

def scanned(pdf: Path, out: Path, pages: Iterable[int] | None = None, dpi: int = 200, noise: float = 12.0,
            seed: int = 7) -> Path:
    """``pdf`` with ``pages`` (1-based; default all) as an office scans a printed copy: a greyscale picture
    (pdftoppm at ``dpi``) with the scanner's grain (Gaussian noise of ``noise`` grey levels, a few specks),
    JPEG-compressed, and no text layer. The other pages keep theirs: a notice whose annex was scanned."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    random = np.random.default_rng(seed)
    source = pdfium.PdfDocument(pdf)
    wanted = set(pages) if pages is not None else set(range(1, len(source) + 1))
    result = pdfium.PdfDocument.new()
    with tempfile.TemporaryDirectory(prefix="planwatch-scan-") as scratch:
        for number in range(1, len(source) + 1):
            if number not in wanted:
                result.import_pages(source, [number - 1])
                continue
            stem = Path(scratch, f"page{number}")
            subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", "-f", str(number),
                            "-l", str(number), str(pdf), str(stem)], check=True)
            grey = np.asarray(Image.open(f"{stem}.png").convert("L"), dtype=np.float32)
            grey += random.normal(0.0, noise, grey.shape)
            grey[random.random(grey.shape) < 0.0005] = 0.0
            Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).save(f"{stem}.jpg", quality=85)
            width, height = source[number - 1].get_size()
            page = result.new_page(width, height)
            picture = pdfium.PdfImage.new(result)
            picture.load_jpeg(f"{stem}.jpg", inline=True)
            picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
            page.insert_obj(picture)
            page.gen_content()
        out.parent.mkdir(parents=True, exist_ok=True)
        result.save(out)
    return out


# --- the cache -----------------------------------------------------------------------------------

def _key(items: Sequence[Item], producer: str) -> str:
    model = [asdict(item) | {"type": type(item).__name__} for item in items]
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(producer.encode())
    digest.update(json.dumps(model, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def build(shared: Path, producers: Sequence[str] = PRODUCERS, out: Path | None = None) -> dict[str, list[Path]]:
    """The dev-set PDFs of each producer that runs here, generated where the cache does not hold
    them for what is printed now (the text, its tables as read, this script)."""
    root = out or cache_dir()
    documents = {path.stem: document(path) for path in sources(shared)}
    built: dict[str, list[Path]] = {}
    for producer in producers:
        if missing(producer) is not None:
            continue
        folder = root / producer
        folder.mkdir(parents=True, exist_ok=True)
        todo: list[tuple[str, Path, Path]] = []
        for stem, items in documents.items():
            pdf, stamp = folder / f"{stem}.pdf", folder / f"{stem}.key"
            key = _key(items, producer)
            if not (pdf.exists() and stamp.exists() and stamp.read_text() == key):
                todo.append((stem, pdf, stamp))
        _produce(producer, [(documents[stem], pdf) for stem, pdf, _ in todo])
        for stem, _, stamp in todo:
            stamp.write_text(_key(documents[stem], producer))
        built[producer] = [folder / f"{stem}.pdf" for stem in documents]
    return built


def _produce(producer: str, work: Sequence[tuple[list[Item], Path]]) -> None:
    if not work:
        return
    if producer == "chromium":
        _print_html((_html(items), pdf) for items, pdf in work)
        return
    with tempfile.TemporaryDirectory(prefix="planwatch-devset-") as scratch:
        for items, pdf in work:
            docx = Path(scratch, pdf.stem + ".docx")
            _docx(items, docx)
            produced = Path(scratch, pdf.name)
            docx_to_pdf(docx, produced)
            shutil.move(produced, pdf)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=shared_dir(), help="the shared folder (plans/, seeds/)")
    parser.add_argument("--out", type=Path, default=None, help=f"the output folder (default {cache_dir()})")
    parser.add_argument("--producer", action="append", choices=PRODUCERS, help="only these producers")
    args = parser.parse_args(argv)
    if not sources(args.shared):
        print(f"no plans/*.txt or seeds/*.txt in {args.shared}", file=sys.stderr)
        return 2
    producers = args.producer or list(PRODUCERS)
    for producer in producers:
        if (reason := missing(producer)) is not None:
            print(f"{producer}: skipped: {reason}", file=sys.stderr)
    for paths in build(args.shared, producers, args.out).values():
        for path in paths:
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
