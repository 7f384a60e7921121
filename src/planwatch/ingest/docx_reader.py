"""Word (.docx) reader: the body of word/document.xml in one pass.

Paragraphs and tables are read in body order so that a table stays between the
paragraphs that introduce and follow it. Lines are counted as a running number of
paragraphs (each soft line break starts a new line) and table rows, which is what the
extraction reports as ``line``.

The text is what Word shows, as offices save it: list labels generated from numbering
(see docx_styles), tracked insertions kept and deletions dropped, content controls
(w:sdt) read through and their unfilled placeholders dropped, each text box read once
after the paragraph that anchors it (Word stores a modern and a legacy copy of it), and
tables laid out on their grid: a cell merged across columns (w:gridSpan) or rows
(w:vMerge) is repeated in every position it covers, marked ``merged``, and rows that
skip grid columns (w:gridBefore/w:gridAfter) are padded, so every row has the grid's
width; deleted rows are dropped. A table used only to lay out the page (a frame around a
caption and a data table, a one-column box) is read as the paragraphs and tables inside
it; a small table nested in a data cell is kept as that cell's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText
from planwatch.ingest.docx_package import MC_NS, Element, open_docx, w
from planwatch.ingest.docx_styles import Numbering, ParagraphStyles

_P, _TBL, _TR, _TC = w("p"), w("tbl"), w("tr"), w("tc")
_T, _TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN, _R = (
    w("t"), w("tab"), w("ptab"), w("br"), w("cr"), w("noBreakHyphen"), w("r"))
_SDT, _SDT_CONTENT, _CUSTOM_XML = w("sdt"), w("sdtContent"), w("customXml")
_TEXT_NODES = (_T, _TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN)
_BLOCK_CONTENT = (_P, _TBL)
_P_PR, _TR_PR, _TC_PR, _DEL, _VAL = w("pPr"), w("trPr"), w("tcPr"), w("del"), w("val")
_GRID_SPAN, _V_MERGE, _H_MERGE, _GRID_BEFORE, _GRID_AFTER = (
    w("gridSpan"), w("vMerge"), w("hMerge"), w("gridBefore"), w("gridAfter"))


def read_docx(path: Path, data: bytes) -> SourceText:
    parts = open_docx(path, data)
    body = parts.document.find(w("body"))
    text_boxes = _prepare(parts.document)
    texts = _paragraph_texts([parts.document, *(box for boxes in text_boxes.values() for box in boxes)])
    reader = _BodyReader(ParagraphStyles(parts.styles), Numbering(parts.numbering, parts.styles), texts, text_boxes)
    blocks = tuple(reader.blocks(body)) if body is not None else ()
    if not any(b.text.strip() or b.rows for b in blocks):
        raise InputError(path, ".docx 文档中没有文字")
    return SourceText(
        name=path.name,
        format="docx",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=max((_last_line(b) for b in blocks), default=0),
    )


def _prepare(root: Element) -> dict[Element, list[Element]]:
    """Drop what Word does not show and detach text boxes; returns each paragraph's text boxes.

    Word saves a shape twice (mc:Choice and a legacy mc:Fallback copy) and text moved by a
    tracked change at both ends (w:moveFrom, w:moveTo): one copy of each is kept. A text
    box's paragraphs belong to no sentence of the paragraph that anchors it, so they are
    read after it instead of inside it.
    """
    for dropped in [*root.iter(f"{{{MC_NS}}}Fallback", w("moveFrom"))]:
        dropped.getparent().remove(dropped)
    for control in root.iter(_SDT):
        properties = control.find(w("sdtPr"))
        if properties is not None and properties.find(w("showingPlcHdr")) is not None:
            for text in control.iter(_T):  # the prompt of a control nobody filled in
                text.text = ""
    boxes: dict[Element, list[Element]] = {}
    for box in [*root.iter(w("txbxContent"))]:
        anchor = next(box.iterancestors(_P), None)
        box.getparent().remove(box)
        if anchor is not None:
            boxes.setdefault(anchor, []).append(box)
    return boxes


def _content(parent: Element, wanted: tuple[str, ...]) -> Iterator[Element]:
    """Children with the wanted tags, looking through content controls and custom XML wrappers."""
    for child in parent:  # plain iteration: lxml's tag-filtered iterators cost more on short lists
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _content(content, wanted)
        elif tag == _CUSTOM_XML:
            yield from _content(child, wanted)


def _paragraph_texts(roots: list[Element]) -> dict[Element, str]:
    """Every paragraph's text as shown, in one pass over each tree (text boxes detached, so
    paragraphs do not nest): runs, tracked insertions, tabs and breaks; no deleted text or
    field codes, which live in w:delText and w:instrText."""
    texts: dict[Element, list[str]] = {}
    out: list[str] = []
    for root in roots:
        for node in root.iter(_P, *_TEXT_NODES):
            tag = node.tag
            if tag == _P:
                out = texts[node] = []
            elif tag == _T:
                out.append(node.text or "")
            elif node.getparent().tag != _R:  # tab stops defined in w:pPr, not characters
                continue
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                out.append("-")
            else:
                out.append("\t")
    return {paragraph: "".join(parts) for paragraph, parts in texts.items()}


def _last_line(block: Block) -> int:
    return block.rows[-1][0].source.line if block.rows and block.rows[-1] else block.source.line


class _BodyReader:
    """Walks the body in reading order, keeping the running line, paragraph and table counts
    that provenance needs across tables, layout frames and text boxes."""

    def __init__(self, styles: ParagraphStyles, numbering: Numbering, texts: dict[Element, str],
                 text_boxes: dict[Element, list[Element]]) -> None:
        self._styles = styles
        self._numbering = numbering
        self._texts = texts
        self._text_boxes = text_boxes
        self._line = 0
        self._paragraphs = 0
        self._tables = 0

    def blocks(self, container: Element, in_layout_cell: bool = False) -> Iterator[Block]:
        for item in _content(container, _BLOCK_CONTENT):
            if item.tag == _TBL:
                yield from self._table(item)
            elif not (in_layout_cell and not self._texts[item].strip() and item not in self._text_boxes):
                yield from self._paragraph(item)

    def _paragraph(self, paragraph: Element) -> Iterator[Block]:
        self._paragraphs += 1
        paragraph_format = self._styles.of(_properties(paragraph, _P_PR))
        text = self._numbering.label(paragraph_format) + self._texts[paragraph]
        level = paragraph_format.level
        kind = BlockKind.HEADING if level is not None else BlockKind.PARAGRAPH
        for part in text.split("\n"):
            self._line += 1
            yield Block(kind, Provenance(line=self._line, paragraph=self._paragraphs), text=part, level=level)
        for box in self._text_boxes.get(paragraph, ()):
            yield from self.blocks(box)

    def _labelled_text(self, paragraph: Element) -> str:
        return self._numbering.label(self._styles.of(_properties(paragraph, _P_PR))) + self._texts[paragraph]

    def _table(self, table: Element) -> Iterator[Block]:
        rows = [row for row in _content(table, (_TR,)) if not _deleted(row)]
        cells = [list(_content(row, (_TC,))) for row in rows]
        if self._is_layout(table, cells):
            for row_cells in cells:
                for cell in row_cells:
                    if not _merge(cell).continues_above:
                        yield from self.blocks(cell, in_layout_cell=True)
            return
        self._tables += 1
        grid: list[list[Cell]] = []
        above: list[str] = []
        for row_index, (row, row_cells) in enumerate(zip(rows, cells, strict=True), start=1):
            self._line += 1
            source = Provenance(line=self._line, table=self._tables, row=row_index)
            before, after = _grid_skips(row)
            empty = Cell("", source)
            line = [empty] * before
            for cell in row_cells:
                merge = _merge(cell)
                if merge is _NO_MERGE:
                    line.append(Cell(self._cell_text(cell), source))
                    continue
                column = len(line)
                if merge.continues_above and column < len(above):
                    text, continued = above[column], True
                elif merge.continues_left and line:
                    text, continued = line[-1].text, True
                else:
                    text, continued = self._cell_text(cell), False
                line.append(Cell(text, source, merged=continued))
                line.extend([Cell(text, source, merged=True)] * (merge.span - 1))
            line.extend([empty] * after)
            above = [c.text for c in line]
            grid.append(line)
        width = max((len(line) for line in grid), default=0)
        if width == 0:
            return
        for line in grid:
            line.extend([Cell("", line[0].source)] * (width - len(line)))
        yield Block(BlockKind.TABLE, grid[0][0].source, rows=tuple(tuple(line) for line in grid))

    def _cell_text(self, cell: Element) -> str:
        """A data cell's paragraphs, one per line; a table nested in it gives one line per row."""
        lines: list[str] = []
        for item in _content(cell, _BLOCK_CONTENT):
            if item.tag == _P:
                lines.append(self._labelled_text(item))
            else:
                for row in _content(item, (_TR,)):
                    lines.append(" ".join(self._cell_text(c) for c in _content(row, (_TC,))))
        return "\n".join(lines).strip("\n")  # blank lines at a cell's edges are spacing

    def _is_layout(self, table: Element, cells: list[list[Element]]) -> bool:
        """A table that only frames content on the page, read as what it holds.

        A one-column table is a box (a 专栏 column of projects or goals, a bordered note):
        its lines are paragraphs, with no columns to relate. A table holding tables is a
        frame when its rows hold either tables and nothing beside them, or at most one cell
        of text (a caption, a source note). A data table has rows of several filled cells,
        even if one of its cells holds a small table; it stays a table.
        """
        if all(len(row_cells) <= 1 for row_cells in cells):
            return True
        if next(table.iterdescendants(_TBL), None) is None:
            return False
        for row_cells in cells:
            holders = [any(True for _ in _content(cell, (_TBL,))) for cell in row_cells]
            texts = [not holds and bool(self._cell_paragraph_text(cell).strip())
                     for cell, holds in zip(row_cells, holders, strict=True)]
            if sum(texts) > (0 if any(holders) else 1):
                return False
        return True

    def _cell_paragraph_text(self, cell: Element) -> str:
        return "".join(self._texts[p] for p in _content(cell, (_P,)))


def _properties(element: Element, tag: str) -> Element | None:
    """The element's property child (w:pPr, w:trPr, w:tcPr), which Word always writes first."""
    first = element[0] if len(element) else None
    return first if first is not None and first.tag == tag else None


def _deleted(row: Element) -> bool:
    properties = _properties(row, _TR_PR)
    return properties is not None and properties.find(_DEL) is not None


class _Merge(NamedTuple):
    span: int  # grid columns the cell covers (w:gridSpan)
    continues_above: bool  # w:vMerge without "restart": the cell above goes on here (Word writes it bare)
    continues_left: bool  # w:hMerge, the horizontal merge older Word versions save


_NO_MERGE = _Merge(1, False, False)


def _merge(cell: Element) -> _Merge:
    properties = _properties(cell, _TC_PR)
    if properties is None:
        return _NO_MERGE
    span, above, left = 1, False, False
    for node in properties:
        tag = node.tag
        if tag == _GRID_SPAN:
            span = max(_int_value(node, 1), 1)
        elif tag == _V_MERGE:
            above = node.get(_VAL, "continue") != "restart"
        elif tag == _H_MERGE:
            left = node.get(_VAL, "continue") != "restart"
    return _NO_MERGE if (span, above, left) == (1, False, False) else _Merge(span, above, left)


def _grid_skips(row: Element) -> tuple[int, int]:
    """Grid columns a row leaves out before its first cell and after its last (w:gridBefore/After)."""
    properties = _properties(row, _TR_PR)
    if properties is None:
        return 0, 0
    before = after = 0
    for node in properties:
        if node.tag == _GRID_BEFORE:
            before = _int_value(node, 0)
        elif node.tag == _GRID_AFTER:
            after = _int_value(node, 0)
    return before, after


def _int_value(node: Element, default: int) -> int:
    value = node.get(_VAL, "")
    return int(value) if value.isdigit() else default
