"""The wrapper a scraper or a web export puts around a document: front matter and notices.

Pages taken from government sites reach us with the page's metadata on top — YAML front
matter between ``---`` lines (标题: …, 文号: …, 发布日期: …), TOML between ``+++`` lines, or
the site's own metadata block printed as ``索引号：…`` / ``发布机构：…`` lines — and often a
quoted notice of the scraper (``> 本文正文由脚本…提取``). None of it is the document as
published: extraction reads the text from its own title on, the viewer folds the wrapper
away, and the CLI shows the 发文字号 from it when the printed text has none. The wrapper
still says what the page is: the last resort for the title of a file whose printed frame is
not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["FrontMatter", "front_matter"]

_FENCES: Final = ("---", "+++")
_FIELD: Final = re.compile(r"^\s*([^\s:：=#>\-][^:：=]{0,30}?)\s*[:：=]\s*(.*?)\s*$")
# Inside a fence, lines a YAML or TOML header may hold besides key: value (list items, comments).
_CONTINUATION: Final = re.compile(r"^\s*(?:[-#]|\s)")
_FENCE_SEARCH: Final = 60  # lines a fenced header may span: a longer "---" block is the document's own
# Keys a site prints above a document's text: enough of them in a row is a metadata block.
_META_KEYS: Final = frozenset({
    "标题", "题名", "名称", "文号", "发文字号", "索引号", "发布单位", "发布机构", "发文机关", "发布日期", "成文日期",
    "生成日期", "主题分类", "分类", "来源", "层级", "类型", "状态", "有效性", "链接", "官方链接",
    "title", "date", "source", "url", "author", "publisher", "tags", "category"})
_MIN_META_RUN: Final = 3
_EMPTY: Final = ("", "-", "—", "--", "无", "null", "none", "~", "''", '""')
_KEYS: Final = {"title": ("标题", "题名", "名称", "题目", "title"),
                "doc_number": ("文号", "发文字号", "字号", "doc_number"),
                "issuer": ("发文机关", "发布单位", "发布机构", "publisher", "issuer"),
                "date": ("成文日期", "发布日期", "印发日期", "date")}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The header's fields in order, how many leading lines the wrapper takes (0: none) and
    the scraper's quoted notes after it."""

    fields: tuple[tuple[str, str], ...] = ()
    end: int = 0
    notes: tuple[str, ...] = ()

    def get(self, meaning: str) -> str:
        """A field by its meaning (title, doc_number, issuer, date), "" when not given."""
        names = _KEYS.get(meaning, (meaning,))
        for name in names:
            for key, value in self.fields:
                shown = value.strip().strip("'\"")
                if key.lower() == name and shown.lower() not in _EMPTY:
                    return shown
        return ""

    @property
    def title(self) -> str | None:
        return self.get("title") or None

    @property
    def doc_number(self) -> str | None:
        return self.get("doc_number") or None

    @property
    def issuer(self) -> str | None:
        return self.get("issuer") or None

    @property
    def date(self) -> str | None:
        return self.get("date") or None


def front_matter(lines: Sequence[str]) -> FrontMatter:
    """The wrapper at the head of ``lines`` (blank lines before it skipped), whatever its keys
    and brackets are, with the scraper's quoted notes below it."""
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return FrontMatter()
    if lines[first].strip() in _FENCES:
        fence = lines[first].strip()
        close = next((n for n in range(first + 1, min(len(lines), first + _FENCE_SEARCH))
                      if lines[n].strip() == fence), None)
        body = lines[first + 1:close] if close is not None else ()
        if close is None or any(line.strip() and not _FIELD.match(line) and not _CONTINUATION.match(line)
                                for line in body):
            return FrontMatter()  # not a key: value header
        return _with_notes(lines, _fields(body), close + 1)
    run = first
    while run < len(lines) and (found := _FIELD.match(lines[run])) and found.group(1).lower() in _META_KEYS:
        run += 1
    if run - first < _MIN_META_RUN:
        return FrontMatter()
    return _with_notes(lines, _fields(lines[first:run]), run)


def _fields(lines: Sequence[str]) -> tuple[tuple[str, str], ...]:
    found = (_FIELD.match(line) for line in lines)
    return tuple((m.group(1).strip(), " ".join(m.group(2).split()).strip("\"'")) for m in found if m)


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
