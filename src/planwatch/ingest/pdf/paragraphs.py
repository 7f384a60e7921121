"""Paragraphs from printed lines, by the geometry of a page set by Word.

A paragraph's lines run to the right margin (give or take the characters that may not
open or end a line) and go on flush at the left margin, on the same page or at the top of
the next; paragraphs are told apart by an indented first line (two characters in Chinese
documents) or, where the document does not indent, by a wider gap, room left on the line
and a sentence end. A title set centred and too long for one line fills the width (the
room left split on both sides) and goes on in a shorter centred line. The document number
under a title and each entry of a table of contents stand on their own lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from planwatch.ingest.pdf.lines import TextLine
from planwatch.ingest.pdf_tolerances import TOLERANCES

_BLANK_LINE = TOLERANCES.blank_line
_SHORT_LINE = TOLERANCES.short_line
_SENTENCE_END = ("。", "！", "？", "；", "：", ":", "!", "?", ";")
_ITEM_OPENING = re.compile(r"^(第[一二三四五六七八九十百\d]+[篇章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|"
                           r"\d{1,2}[．.、](?!\d)|——|表\s*\d|专栏|附件)")
# A document number (发文字号, GB/T 9704) is set on a line of its own under the title.
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［]\d{4}[〕\]］]\d{1,4}号$")
# A table of contents entry ends with dot leaders and its page number at the right margin.
_CONTENTS_ENTRY = re.compile(r"(?:[.…·．]\s*){3,}\d{1,4}$")
_WIDE = re.compile(r"[^\x00-\u02ff]")
_SPLIT_NUMBER = re.compile(r"[\d.][\d.%‰]")
# A Latin word or number, or one Chinese character, with what a slash binds to it, the punctuation
# that may not open a line after it, and an opening bracket or quote with the character it opens
# (neither may end a line).
_OPEN = "[（(“‘《〔【\\[]"
_TOKEN = r"(?:[A-Za-z0-9.,%‰+\-]+|[^（(“‘《〔【\[])"
_CLOSE = "[，。、；：！？）》”’%‰,.;:!?)]"
_FIRST_WORD = re.compile(rf"{_OPEN}*{_TOKEN}(?:/{_TOKEN})*{_CLOSE}*(?:{_OPEN}+{_TOKEN}{_CLOSE}*)*")


@dataclass(frozen=True, slots=True)
class Margins:
    """How the document sets its paragraphs, read from all its printed lines."""

    left: float  # where lines start, leaving out the few set further left
    right: float  # where the longest lines end, leaving out the few that overshoot
    line_gap: float  # the usual space between two lines of a paragraph
    indented: bool  # whether paragraphs open with an indented first line

    @classmethod
    def of(cls, pages: Iterable[list[TextLine]]) -> Margins:
        pages = [page for page in pages if page]
        lines = [line for page in pages for line in page]
        if not lines:
            return cls(0.0, 0.0, 0.0, False)
        starts, ends = sorted(line.x0 for line in lines), sorted(line.x1 for line in lines)
        left, right = starts[int(0.03 * len(starts))], ends[int(0.97 * len(ends))]
        gaps = Counter(round(b.top - a.bottom) for page in pages for a, b in pairwise(page) if b.top > a.bottom)
        em = Counter(round(line.size) for line in lines).most_common(1)[0][0]
        indents = sum(1 for line in lines if 1.5 * em <= line.x0 - left <= 2.5 * em)
        return cls(left, right, float(gaps.most_common(1)[0][0]) if gaps else em * 0.5,
                   indents >= 0.05 * len(lines))


def continues(previous: TextLine, line: TextLine, margins: Margins, same_page: bool) -> bool:
    """Whether ``line`` goes on with the paragraph whose last printed line is ``previous``.

    No single sign is reliable in office PDFs (an inline picture widens one line gap, a
    ragged right margin leaves room on a wrapped line, a wrapped line may open with 一、),
    so a flush-left line starts a new paragraph only when two of them agree: a wider gap
    than usual, room left on the previous line for the next line's first word, a sentence
    end, a numbered item's opening. Across a page break there is no gap to see, and one
    sign is enough; where the document indents paragraphs, the indent decides.
    """
    em = max(line.size, previous.size)
    if abs(line.size - previous.size) > 0.15 * em or _DOC_NUMBER.match(line.text) \
            or _CONTENTS_ENTRY.search(previous.text):
        return False
    gap = line.top - previous.bottom
    if same_page and not 0 <= gap <= margins.line_gap + _BLANK_LINE * em:
        return False
    width = margins.right - margins.left
    previous_centred = _centred(previous, margins, 0.5 * em)
    room = width - (previous.x1 - previous.x0) if previous_centred else margins.right - previous.x1
    if room > _SHORT_LINE * width:
        return False  # a paragraph's last line, a heading
    roomy = room >= (_first_word_width(line.text) + 0.5) * em
    ends_sentence = previous.text.endswith(_SENTENCE_END)
    opens_item = bool(_ITEM_OPENING.match(line.text))
    if abs(line.x0 - margins.left) <= 0.5 * em:
        if previous.x0 > (margins.left + margins.right) / 2:
            return False  # a right-aligned line (a signature) reaches the margin too
        spaced = same_page and gap > margins.line_gap + 0.5 * em
        signs = roomy + spaced + ends_sentence + opens_item
        if margins.indented:
            return not roomy and signs < 2
        return signs < (2 if same_page else 1)
    return (same_page and _centred(line, margins, 2 * em) and previous_centred
            and not (roomy or ends_sentence or opens_item))


def _centred(line: TextLine, margins: Margins, tolerance: float) -> bool:
    """Set with as much room on its left as on its right (an indented first line has more on its left)."""
    return abs((line.x0 - margins.left) - (margins.right - line.x1)) <= tolerance


def _first_word_width(text: str) -> float:
    """Width in font sizes of what a line break could not have split from the line's start."""
    word = _FIRST_WORD.match(text)
    return sum(1.0 if _WIDE.match(ch) else 0.55 for ch in (word.group() if word else text[:1]))


def join(text: str, more: str) -> str:
    """Two printed lines of one paragraph: Chinese runs on without a space, Latin words get one; a number
    broken by the line's end (≥500 / 0 in a narrow table cell) runs on too."""
    if _WIDE.match(text[-1:]) or _WIDE.match(more[:1]) or _SPLIT_NUMBER.match(text[-1:] + more[:1]):
        return text + more
    return f"{text} {more}"
