"""Front matter of web-scraped plan texts: the YAML block a scraper writes above the document.

Files collected from government sites start with ``---`` / ``标题: …`` / ``文号: …`` /
``---`` and often a quoted note of the scraper (``> 本文正文由脚本自…提取``). Neither is part
of the document as published: readers show them apart (the viewer folds them away, the CLI
shows the 发文字号 from them when the printed text has none), and extraction reads the text
as printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

__all__ = ["FrontMatter", "front_matter"]

_FENCE: Final = "---"
_FIELD: Final = re.compile(r"^\s*([^:：#>\s][^:：]{0,30})[:：]\s*(.*?)\s*$")
_MAX_LINES: Final = 60  # a scraper's header is short; a longer "---" block is the document's own
_KEYS: Final = {"doc_number": ("文号", "发文字号", "字号"), "title": ("标题", "题目", "title"),
                "issuer": ("发布单位", "发文机关", "发布机构", "issuer"),
                "date": ("发布日期", "成文日期", "印发日期", "date")}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The header's fields in order, and the lines (1-based, inclusive) it and the scraper's
    quoted note take; ``end`` 0 when the text has no front matter."""

    fields: tuple[tuple[str, str], ...] = ()
    end: int = 0
    notes: tuple[str, ...] = field(default=())  # the scraper's quoted lines after the header

    def get(self, key: str) -> str:
        """A field by its meaning: doc_number, title, issuer or date."""
        names = _KEYS.get(key, (key,))
        return next((value for name, value in self.fields if name.strip().lower() in names and value), "")


def front_matter(lines: Sequence[str]) -> FrontMatter:
    """The front matter at the top of ``lines``, with the scraper's quoted note below it."""
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != _FENCE:
        return FrontMatter()
    fields: list[tuple[str, str]] = []
    for n in range(first + 1, min(len(lines), first + _MAX_LINES)):
        text = lines[n].strip()
        if text == _FENCE:
            return _with_notes(lines, tuple(fields), n + 1)
        found = _FIELD.match(text)
        if text and found is None:
            return FrontMatter()  # not a key: value block
        if found is not None:
            fields.append((found.group(1).strip(), found.group(2).strip().strip("\"'")))
    return FrontMatter()


def _with_notes(lines: Sequence[str], fields: tuple[tuple[str, str], ...], end: int) -> FrontMatter:
    """Quoted lines (``> …``) right after the header, blank lines between them, are the scraper's."""
    notes: list[str] = []
    n = end
    while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith(">")):
        if lines[n].strip():
            notes.append(lines[n].lstrip()[1:].strip())
            end = n + 1
        n += 1
    return FrontMatter(fields, end, tuple(notes))
