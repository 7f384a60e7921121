"""Word (.docx) reader.

A .docx is a zip of XML parts. Paragraphs and tables are read in body order so that a
table stays between the paragraphs that introduce and follow it. Lines are counted as
a running number of paragraphs (each soft line break starts a new line) and table rows,
which is what the extraction reports as ``line``.

Two things a plain ``paragraph.text`` would lose are restored: list labels that Word
generates from its numbering definitions (“一、”, “（一）”, “第一章” are often automatic
in government templates, and the outline depends on them) and the text of tracked
insertions.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText
from planwatch.ingest.containers import check_zip_container
from planwatch.numerals import to_chinese_integer


def read_docx(path: Path, data: bytes) -> SourceText:
    check_zip_container(path, data, suffix=".docx", main_part="word/document.xml")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise InputError(path, f"not a readable .docx document ({type(exc).__name__}: {exc})") from None
    numbering = _Numbering(document)
    blocks = tuple(_blocks(document, numbering))
    if not any(b.text.strip() or b.rows for b in blocks):
        raise InputError(path, "the .docx document contains no text")
    return SourceText(
        name=path.name,
        format="docx",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=max((_last_line(b) for b in blocks), default=0),
    )


def _last_line(block: Block) -> int:
    return block.rows[-1][0].source.line if block.rows and block.rows[-1] else block.source.line


def _blocks(document: Any, numbering: _Numbering) -> Iterator[Block]:
    line = 0
    paragraph_index = 0
    table_index = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            paragraph_index += 1
            label = numbering.label(item)
            level = _heading_level(item)
            kind = BlockKind.HEADING if level is not None else BlockKind.PARAGRAPH
            for part in (label + _paragraph_text(item._p)).split("\n"):
                line += 1
                yield Block(kind, Provenance(line=line, paragraph=paragraph_index), text=part, level=level)
        elif isinstance(item, Table):
            table_index += 1
            rows = _table_rows(item, line, table_index)
            if rows:
                line = rows[-1][0].source.line
                yield Block(BlockKind.TABLE, rows[0][0].source, rows=rows)


def _paragraph_text(element: Any) -> str:
    """Text as shown: runs, tracked insertions, tabs and breaks; no deleted text or field codes."""
    out: list[str] = []
    for node in element.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if node.tag == qn("w:t"):
            out.append(node.text or "")
        elif node.tag == qn("w:tab"):
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _heading_level(paragraph: Paragraph) -> int | None:
    """Level stated by a Word heading style (“Heading 2”, “标题 2”), if any."""
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return None
    name = (style.name if style is not None else "") or ""
    for prefix in ("Heading", "heading", "标题"):
        rest = name[len(prefix):].strip()
        if name.startswith(prefix) and rest.isdigit():
            return int(rest)
    return None


def _table_rows(table: Table, line: int, table_index: int) -> tuple[tuple[Cell, ...], ...]:
    rows: list[tuple[Cell, ...]] = []
    above: list[Any] = []
    for row_index, row in enumerate(table.rows, start=1):
        line += 1
        source = Provenance(line=line, table=table_index, row=row_index)
        cells: list[Cell] = []
        seen: list[Any] = []
        for column, cell in enumerate(row.cells):
            tc = cell._tc
            repeat = (seen and seen[-1] is tc) or (column < len(above) and above[column] is tc)
            text = "\n".join(_paragraph_text(p) for p in tc.iter(qn("w:p")))
            cells.append(Cell(text, source, merged=bool(repeat)))
            seen.append(tc)
        above = seen
        rows.append(tuple(cells))
    return tuple(r for r in rows if r)


class _Numbering:
    """Renders the labels Word draws in front of numbered paragraphs."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in node.findall(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    _child_value(lvl, "w:numFmt") or "decimal",
                    _child_value(lvl, "w:lvlText") or "",
                    int(_child_value(lvl, "w:start") or "1"),
                )
            abstract[node.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            ref = _child_value(num, "w:abstractNumId")
            if ref in abstract:
                self._levels[num.get(qn("w:numId"), "")] = abstract[ref]

    def label(self, paragraph: Paragraph) -> str:
        num_id, level = self._numbering_of(paragraph)
        if num_id is None or num_id not in self._levels:
            return ""
        levels = self._levels[num_id]
        counters = self._counters.setdefault(num_id, {})
        start = levels.get(level, ("decimal", "", 1))[2]
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        fmt, text, _ = levels.get(level, ("decimal", "", 1))
        if fmt in ("bullet", "none") or not text:
            return ""
        for k in range(level + 1):
            value = counters.get(k, levels.get(k, ("decimal", "", 1))[2])
            text = text.replace(f"%{k + 1}", _format_counter(value, levels.get(k, ("decimal", "", 1))[0]))
        return text

    @staticmethod
    def _numbering_of(paragraph: Paragraph) -> tuple[str | None, int]:
        for ppr in (paragraph._p.pPr, _style_ppr(paragraph)):
            num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if num_pr is not None:
                num_id = _child_value(num_pr, "w:numId")
                level = int(_child_value(num_pr, "w:ilvl") or "0")
                return (num_id if num_id not in (None, "0") else None), level
        return None, 0


def _style_ppr(paragraph: Paragraph) -> Any:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return None
    return style.element.find(qn("w:pPr")) if style is not None else None


def _child_value(node: Any, tag: str) -> str | None:
    child = node.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _format_counter(n: int, fmt: str) -> str:
    if fmt.startswith("chineseCounting") or fmt in ("taiwaneseCounting", "taiwaneseCountingThousand",
                                                    "ideographDigital", "japaneseCounting"):
        return to_chinese_integer(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 0 < n <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = ""
        for value, symbol in _ROMAN:
            count, n = divmod(n, value)
            roman += symbol * count
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)
