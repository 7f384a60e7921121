"""Text lines from positioned characters.

Characters are grouped by their baseline and read left to right, whatever order
the content stream drew them in (Word-to-PDF printers draw quotation marks and Latin runs
in separate passes, so stream order puts “ ” before the words they enclose). Spacing is
rebuilt from the gaps: justified Chinese lines spread their characters apart, so no space
is ever put next to a Chinese character or full-width sign; between Latin characters a gap
wider than a narrow space is a word space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from planwatch.ingest.pdf.page import Glyph
from planwatch.ingest.pdf_tolerances import TOLERANCES

_SAME_LINE = TOLERANCES.same_line
_SMALL = TOLERANCES.small
_RAISED = TOLERANCES.raised
_WORD_SPACE = TOLERANCES.word_space
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’（）《》〔〕【】、，。：；！？…—·]")


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float  # its largest font size, which the lines of a paragraph or a title share


def text_lines(glyphs: Iterable[Glyph]) -> list[TextLine]:
    """The lines the characters form, top to bottom."""
    return [text_line(row) for row in glyph_rows(glyphs)]


def glyph_rows(glyphs: Iterable[Glyph]) -> list[list[Glyph]]:
    """The characters of each printed line, top to bottom (a table reader splits them into cells)."""
    rows: list[list[Glyph]] = []
    baseline = size = 0.0
    for glyph in sorted(glyphs, key=lambda g: g.baseline):
        if rows and glyph.baseline - baseline <= _SAME_LINE * max(size, glyph.size):
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
            baseline, size = glyph.baseline, glyph.size
    return _with_raised_and_lowered(rows)


def _with_raised_and_lowered(rows: list[list[Glyph]]) -> list[list[Glyph]]:
    """Superscripts and subscripts (m³, PM₂.₅ set by Word as raised or lowered small characters) sit off
    their line's baseline: a row of small characters joins the nearer neighbouring line if it is close."""
    merged: list[list[Glyph]] = []
    for k, row in enumerate(rows):
        small = max(g.size for g in row)
        middle = _middle(row)
        candidates = [n for n in (merged[-1] if merged else None, rows[k + 1] if k + 1 < len(rows) else None)
                      if n is not None and small < _SMALL * max(g.size for g in n)]
        near = min(candidates, key=lambda n: abs(_middle(n) - middle), default=None)
        if near is not None and abs(_middle(near) - middle) <= _RAISED * max(g.size for g in near):
            near.extend(row)
        else:
            merged.append(row)
    return merged


def _middle(row: list[Glyph]) -> float:
    return sum(g.middle for g in row) / len(row)


def text_line(glyphs: list[Glyph]) -> TextLine:
    """One printed line of these characters, sorted left to right in place."""
    glyphs.sort(key=lambda g: g.x0)
    parts: list[str] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        if previous is not None:
            if glyph.text == previous.text and glyph.x0 - previous.x0 < (previous.x1 - previous.x0) * 0.5:
                continue  # drawn twice, slightly offset: simulated bold
            gap = glyph.x0 - previous.x1
            if gap > _WORD_SPACE * glyph.size and not _WIDE.match(previous.text) and not _WIDE.match(glyph.text):
                parts.append(" ")
        parts.append(glyph.text)
        previous = glyph
    return TextLine("".join(parts), min(g.top for g in glyphs), max(g.bottom for g in glyphs),
                    glyphs[0].x0, max(g.x1 for g in glyphs), max(g.size for g in glyphs))
