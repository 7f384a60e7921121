"""PDF reader (pdfplumber).

A PDF has no paragraphs, only positioned characters. Each page gives its ruled tables
(pdfplumber's table finder) and the text lines outside them, interleaved top to bottom.
Lines are numbered across pages; a table row takes one line number. Page furniture —
page numbers such as “— 3 —” — is dropped, and a table that a page break cut in two is
joined again (its repeated header row is dropped) so that the rows of the second page
keep their column meanings. Paragraphs wrapped at the right margin are rejoined by the
extraction layout, which knows sentence ends.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from planwatch.errors import InputError
from planwatch.ingest.blocks import Block, BlockKind, Cell, Provenance, SourceText

_PAGE_NUMBER = re.compile(r"^\s*(?:[—–\-－]\s*\d+\s*[—–\-－]|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")
_BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
# Justified CJK lines come out with spaces between widely set characters.
_CJK_GAP = re.compile(rf"(?<={_CJK}) +(?={_CJK})")


def read_pdf(path: Path, data: bytes) -> SourceText:
    if not data.strip():
        raise InputError(path, "the file is empty; expected a PDF document")
    if b"%PDF-" not in data[:1024]:
        raise InputError(path, "not a PDF document (no %PDF- header)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise _open_error(path, exc.args[0] if exc.args else exc) from None
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise _open_error(path, exc) from None
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise InputError(path, f"not a readable PDF document ({type(exc).__name__}: {exc})") from None
    with pdf:
        try:
            pages = [_read_page(page) for page in pdf.pages]
        except Exception as exc:
            raise InputError(path, f"the PDF is damaged and cannot be read ({type(exc).__name__}: {exc})") from None
    if not any(p.items for p in pages):
        raise InputError(path, "the PDF has no text layer (a scanned image?); run OCR on it first")
    blocks = tuple(_blocks(pages))
    return SourceText(
        name=path.name,
        format="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        line_count=max((_last_line(b) for b in blocks), default=0),
    )


def _open_error(path: Path, cause: object) -> InputError:
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return InputError(path, "the PDF is encrypted (password protected); save an unprotected copy first")
    return InputError(path, f"not a readable PDF document ({type(cause).__name__}: {cause})")


@dataclass
class _Table:
    rows: list[list[tuple[str, bool]]]  # (text, repeated from a merged cell)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class _Page:
    number: int
    items: list[str | _Table] = field(default_factory=list)


def _read_page(page: Any) -> _Page:
    tables = [t for t in page.find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]
    boxes = [t.bbox for t in tables]

    def outside_tables(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    placed: list[tuple[float, str | _Table]] = []
    for line in page.filter(outside_tables).extract_text_lines(return_chars=False):
        placed.append((line["top"], _CJK_GAP.sub("", line["text"]).strip()))
    placed.extend((t.bbox[1], _table(t)) for t in tables)
    placed.sort(key=lambda p: p[0])
    items = [item for _, item in placed]
    _drop_page_numbers(items)
    return _Page(page.page_number, items)


def _drop_page_numbers(items: list[str | _Table]) -> None:
    for i in reversed(range(len(items))):
        item = items[i]
        if isinstance(item, str) and (_PAGE_NUMBER.match(item) or not item
                                      or (_BARE_NUMBER.match(item) and i in (0, len(items) - 1))):
            del items[i]


def _table(table: Any) -> _Table:
    """Rows of cell texts; a merged cell's text repeated (marked) in every position it covers."""
    texts = table.extract()
    boxes = [list(r.cells) for r in table.rows]
    width = max(len(r) for r in boxes)
    column_x = [next((r[c][0] for r in boxes if c < len(r) and r[c] is not None), 0.0) for c in range(width)]
    rows: list[list[tuple[str, bool]]] = []
    for r, row_boxes in enumerate(boxes):
        row_top = next((b[1] for b in row_boxes if b is not None), 0.0)
        row: list[tuple[str, bool]] = []
        for c in range(width):
            box = row_boxes[c] if c < len(row_boxes) else None
            if box is not None:
                row.append(((texts[r][c] or "").strip(), False))
            elif c > 0 and _covers_x(row_boxes, c, column_x):
                row.append((row[c - 1][0], True))
            elif r > 0 and _covers_y(boxes, r, c, row_top):
                row.append((rows[r - 1][c][0], True))
            else:
                row.append(("", False))
        rows.append(row)
    return _Table(rows)


def _covers_x(row_boxes: list[Any], c: int, column_x: list[float]) -> bool:
    left = next((row_boxes[k] for k in range(c - 1, -1, -1) if k < len(row_boxes) and row_boxes[k] is not None), None)
    return left is not None and left[2] > column_x[c] + 1


def _covers_y(boxes: list[list[Any]], r: int, c: int, row_top: float) -> bool:
    above = next((boxes[k][c] for k in range(r - 1, -1, -1) if c < len(boxes[k]) and boxes[k][c] is not None), None)
    return above is not None and above[3] > row_top + 1


def _blocks(pages: list[_Page]) -> Iterator[Block]:
    line = 0
    # Rows of a table that may continue on the next page: (cells, line, page).
    pending: list[tuple[list[tuple[str, bool]], int, int]] = []

    def flush() -> Iterator[Block]:
        if pending:
            rows = tuple(
                tuple(Cell(text, Provenance(line=at, page=page, row=i), merged=repeat) for text, repeat in row)
                for i, (row, at, page) in enumerate(pending, start=1)
            )
            yield Block(BlockKind.TABLE, rows[0][0].source, rows=rows)
            pending.clear()

    for page in pages:
        for index, item in enumerate(page.items):
            if isinstance(item, _Table):
                continues = bool(pending) and index == 0 and len(pending[0][0]) == item.width
                if not continues:
                    yield from flush()
                rows = item.rows
                if continues and rows[0] == pending[0][0]:
                    rows = rows[1:]  # the header row repeated on every page
                if continues and rows and _is_split_row(rows[0], pending[-1][0]):
                    previous = pending[-1][0]
                    previous[:] = [(a + "\n" + b if b else a, rep) for (a, rep), (b, _) in zip(previous, rows[0], strict=False)]
                    rows = rows[1:]
                for row in rows:
                    line += 1
                    pending.append((row, line, page.number))
                continue
            yield from flush()
            line += 1
            yield Block(BlockKind.PARAGRAPH, Provenance(line=line, page=page.number), text=item)
    yield from flush()


def _is_split_row(row: list[tuple[str, bool]], previous: list[tuple[str, bool]]) -> bool:
    """The rest of a row that a page break cut: no number of its own, mostly empty."""
    empty = sum(1 for text, _ in row if not text)
    return not row[0][0] and bool(previous[0][0]) and empty * 2 >= len(row) and empty < len(row)


def _last_line(block: Block) -> int:
    return block.rows[-1][0].source.line if block.rows and block.rows[-1] else block.source.line
