"""The outline of a plan: 第X篇 (第X部分) / 第X章 / 第X节 / 一、 / （一） / 1. / （1） and markdown headings.

Chinese plans number their headings with a fixed hierarchy of numbering styles, so a
heading's rank follows from its numbering alone; no font or style information is needed.
Numbered task items (``1．优化应急管理体制。…``) are headings of the lowest numbered rank
whose title is the lead sentence. Short unnumbered lines such as ``总体目标。`` or
``主要目标：`` are sub-headings just below the heading they appear under, so that the
numbered items after them stay inside them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planwatch.extract.layout import Line
from planwatch.extract.text import squeeze

_CN = "一二三四五六七八九十百零〇两"
_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{_CN}\d]+(?:篇|部分)\s*[：:]?\s*")),
    (2, re.compile(rf"^第[{_CN}\d]+章\s*")),
    (3, re.compile(rf"^第[{_CN}\d]+节\s*")),
    (4, re.compile(rf"^[{_CN}]+\s*[、．.]\s*")),
    (5, re.compile(rf"^[（(]\s*[{_CN}]+\s*[）)]\s*[、．.]?\s*")),
    (6, re.compile(r"^\d{1,2}\s*[．.、](?!\d)\s*")),
    (7, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*")),
)
UNNUMBERED_RANK = 8
_SECTION_RANK = 5  # 篇 … （一） are sections; 1． and （1） are items
_TARGET_WORDS = re.compile(r"达到|不超过|不低于|控制在|以上|以下|以内|左右|提高到|降至|降到|可达")
_LEAD = re.compile(r"^(.{2,40}?)[。．]")  # the lead sentence of a numbered item


@dataclass(frozen=True, slots=True)
class Heading:
    line: int
    rank: float  # 1 = 篇 … 7 = （1）; unnumbered sub-headings rank half a level below their parent
    number: str
    title: str
    index: int  # position in the line list


def heading_of(line: Line, index: int) -> Heading | None:
    """The heading a line starts, if any. The numbering decides the rank; a markdown or Word
    heading level is used only for headings without numbering (a level says little across
    documents: one author's Heading 2 is another's （一）)."""
    text = squeeze(line.text)
    stated = line.level
    numbered = _numbered(line.line, text, index)
    if numbered is not None:
        return numbered
    if stated is not None:
        return Heading(line.line, min(stated, _SECTION_RANK), "", text, index)
    if _is_unnumbered_heading(text):
        return Heading(line.line, UNNUMBERED_RANK, "", text.rstrip("。．：:"), index)
    return None


def _numbered(line: int, text: str, index: int) -> Heading | None:
    for rank, pattern in _PATTERNS:
        m = pattern.match(text)
        if m and len(text) > m.end():
            rest = text[m.end():]
            if rank >= 6 and re.match(r"^\d", rest):
                return None
            lead = _LEAD.match(rest)
            title = lead.group(1) if lead else rest.rstrip("。．")
            return Heading(line, rank, m.group().strip(), title, index)
    return None


def _is_unnumbered_heading(text: str) -> bool:
    """总体目标。/ 核心指标 — short, no numbers, no sentence punctuation, no verb of attainment."""
    if len(text) > 14 or text.startswith(("—", "“", "《", "（", "(")):
        return False
    body = text.rstrip("。．：:")
    return bool(body) and not re.search(r"[，,；;、。！？\d半]", body) and not _TARGET_WORDS.search(body) \
        and body not in ("预期性", "约束性")  # a table's attribute cell left on its own line


def headings(lines: Sequence[Line]) -> list[Heading]:
    return [h for k, line in enumerate(lines) if (h := heading_of(line, k)) is not None]


def sections(lines: Sequence[Line]) -> list[tuple[Heading, ...]]:
    """For each line, the chain of headings it falls under, outermost first (a heading is under itself)."""
    chains: list[tuple[Heading, ...]] = []
    stack: list[Heading] = []
    for k, line in enumerate(lines):
        heading = heading_of(line, k)
        if heading is not None:
            if heading.rank == UNNUMBERED_RANK and stack:
                # below the enclosing section (篇…（一）), above numbered items (1．, （1）)
                parent = next((h for h in reversed(stack) if h.rank <= _SECTION_RANK), None)
                rank = (parent.rank if parent else 0) + 0.5
                heading = Heading(heading.line, rank, heading.number, heading.title, heading.index)
            while stack and stack[-1].rank >= heading.rank:
                stack.pop()
            stack.append(heading)
        chains.append(tuple(stack))
    return chains
