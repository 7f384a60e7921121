"""HTML reader for plans published as government web pages.

A government page wraps the document in navigation, banners, share buttons and
footers. The main text is the element holding most of the page's prose (the
``TRS_Editor`` / ``article`` / ``content`` container on most sites); only it is read.
Block elements and ``<br>`` break lines, headings keep their level, and data tables
become table blocks with row and column spans expanded. Old sites lay whole pages
out with tables: a table holding another table is layout, not data, and is read as
text. Lines are numbered as the page's text lines and table rows are met.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import CData, NavigableString, Tag
from lxml import etree  # type: ignore[import-untyped]

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText

_NOISE = ("script", "style", "noscript", "template", "nav", "footer", "aside", "form",
          "iframe", "button", "select", "svg", "head")
_BLOCK = {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
          "pre", "center", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "hr", "address", "figure",
          "figcaption", "caption"}
_HEADING = re.compile(r"^h([1-6])$")
_CONTAINERS = frozenset({"div", "article", "main", "section", "td"})
_TEXT_TYPES = (NavigableString, CData)  # what get_text() counts: not comments or doctypes
# Real pages nest a few dozen elements; the reader's walk recurses once per level.
MAX_NESTING = 256
# Navigation and footers that sites mark with class names rather than HTML5 elements.
_NOISE_CLASS = re.compile(r"(^|[-_\s])(nav|navbar|menu|breadcrumb|footer|share|sidebar|crumb|copyright|"
                          r"toolbar|banner|related)($|[-_\s])", re.I)


def read_html(path: Path, data: bytes) -> SourceText:
    if not data.strip():
        raise InputError(path, "文件是空的；应为 HTML 网页")
    if b"\x00" in data[:4096]:
        raise InputError(path, "这是二进制文件（含 NUL 字节），应为 HTML 网页")
    _check_nesting(path, data)
    soup = BeautifulSoup(data, "lxml", from_encoding=_declared_encoding(data))
    for tag in soup.find_all(_NOISE):
        tag.decompose()
    for tag in soup.find_all(True, attrs={"class": _NOISE_CLASS}):
        if isinstance(tag, Tag) and not tag.decomposed and tag.name not in ("body", "html"):
            tag.decompose()
    root = _main_content(soup)
    if root is None or not root.get_text(strip=True):
        raise InputError(path, "HTML 网页中没有正文")
    blocks = tuple(_Walker().blocks(root))
    return SourceText(
        name=path.name,
        format="html",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=max((_last_line(b) for b in blocks), default=0),
    )


def _declared_encoding(data: bytes) -> str | None:
    """GB2312/GBK pages often contain characters only GB18030 has: read them as GB18030."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True, search_entire_document=False)
    if declared and declared.lower().replace("-", "") in ("gb2312", "gbk", "gb18030", "x-gbk"):
        return "gb18030"
    return declared


def _check_nesting(path: Path, data: bytes) -> None:
    """Refuse nesting past :data:`MAX_NESTING` in a streaming pass of libxml2 (milliseconds,
    stopping at the limit) before BeautifulSoup builds the tree and the reader walks it."""
    depth = 0
    for event, _ in etree.iterparse(io.BytesIO(data), events=("start", "end"), html=True, recover=True,
                                    huge_tree=True):
        depth += 1 if event == "start" else -1
        if depth > MAX_NESTING:
            raise InputError(path, f"HTML 元素嵌套超过 {MAX_NESTING} 层，"
                             "不是规划网页（或网页已损坏）")


def _main_content(soup: BeautifulSoup) -> Tag | None:
    """The deepest container still holding most of the page's text is the article.

    Depths and text lengths come from two linear passes over the tree: asking each
    container for its text and its ancestors took time quadratic in the nesting (a 2 MB
    page of nested ``<div>`` ran for minutes).
    """
    body = soup.body or soup
    nodes = list(body.descendants)
    depth = {id(body): len(list(body.parents))}
    for node in nodes:  # document order: every parent before its children
        if isinstance(node, Tag):
            depth[id(node)] = depth[id(node.parent)] + 1
    text: dict[int, int] = {}
    for node in reversed(nodes):  # every node after all of its descendants
        parent = id(node.parent)
        if isinstance(node, Tag):
            text[parent] = text.get(parent, 0) + text.get(id(node), 0)
        elif type(node) in _TEXT_TYPES:
            text[parent] = text.get(parent, 0) + len(str(node).strip())
    total = text.get(id(body), 0)
    best: Tag | None = None
    best_score = 0
    for node in nodes:
        if not isinstance(node, Tag) or node.name not in _CONTAINERS:
            continue
        length = text.get(id(node), 0)
        if length < total * 0.5:
            continue
        score = depth[id(node)] * 10 + length * 100 // max(total, 1)
        if score > best_score:
            best, best_score = node, score
    return best or (body if isinstance(body, Tag) else None)


def _last_line(block: Block) -> int:
    return block.rows[-1][0].source.line if block.rows and block.rows[-1] else block.source.line


class _Walker:
    def __init__(self) -> None:
        self.line = 0
        self.table = 0
        self.buffer: list[str] = []
        self.level: int | None = None

    def blocks(self, root: Tag) -> Iterator[Block]:
        yield from self._walk(root)
        yield from self._flush()

    def _flush(self) -> Iterator[Block]:
        text = re.sub(r"[ \t\r\n\xa0]+", " ", "".join(self.buffer)).strip()
        self.buffer = []
        level, self.level = self.level, None
        if text:
            self.line += 1
            kind = BlockKind.HEADING if level is not None else BlockKind.PARAGRAPH
            yield Block(kind, Provenance(line=self.line), text=text, level=level)

    def _walk(self, node: Tag) -> Iterator[Block]:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                yield from self._flush()
            elif name == "table" and child.find("table") is None:
                yield from self._flush()
                yield from self._data_table(child)
            elif name in _BLOCK:
                yield from self._flush()
                heading = _HEADING.match(name)
                if heading:
                    self.level = int(heading.group(1))
                yield from self._walk(child)
                yield from self._flush()
            else:
                yield from self._walk(child)

    def _data_table(self, table: Tag) -> Iterator[Block]:
        self.table += 1
        grid: dict[tuple[int, int], tuple[str, bool]] = {}
        row_lines: list[int] = []
        for r, tr in enumerate(_rows(table)):
            self.line += 1
            row_lines.append(self.line)
            c = 0
            for cell in tr.find_all(["td", "th"], recursive=False):
                while (r, c) in grid:
                    c += 1
                text = _cell_text(cell)
                rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = (text, dr > 0 or dc > 0)
                c += colspan
        if not row_lines:
            return
        width = 1 + max(c for _, c in grid) if grid else 0

        def cell_at(r: int, c: int, line: int) -> Cell:
            text, repeat = grid.get((r, c), ("", False))
            return Cell(text, Provenance(line=line, table=self.table, row=r + 1), merged=repeat)

        rows = tuple(tuple(cell_at(r, c, line) for c in range(width)) for r, line in enumerate(row_lines))
        if width:
            yield Block(BlockKind.TABLE, rows[0][0].source, rows=rows)


def _rows(table: Tag) -> list[Tag]:
    """Rows of this table only (through thead/tbody/tfoot), not of tables nested in cells."""
    rows: list[Tag] = []
    for child in table.children:
        if isinstance(child, Tag):
            if child.name == "tr":
                rows.append(child)
            elif child.name in ("thead", "tbody", "tfoot"):
                rows.extend(t for t in child.children if isinstance(t, Tag) and t.name == "tr")
    return rows


def _cell_text(cell: Tag) -> str:
    parts = [re.sub(r"[ \t\r\n\xa0]+", " ", s).strip() for s in cell.stripped_strings]
    return "\n".join(p for p in parts if p)


def _span(cell: Tag, attribute: str) -> int:
    raw = cell.get(attribute)
    value = raw if isinstance(raw, str) else "1"
    digits = re.match(r"\s*(\d+)", value)
    return max(1, min(int(digits.group(1)), 1000)) if digits else 1
