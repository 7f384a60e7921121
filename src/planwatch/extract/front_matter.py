"""The wrapper a scraper or a web export puts around a document: front matter and notices.

Pages taken from government sites reach us with the page's metadata on top — YAML front
matter between ``---`` lines (标题: …, 文号: …, 发布日期: …), TOML between ``+++`` lines, or
the site's own metadata block printed as ``索引号：…`` / ``发布机构：…`` lines — and often a
quoted notice of the scraper (``> 本文正文由脚本…提取``). None of it is the document: the
document begins at its own title. The wrapper still says what the page is, which is
the last resort for the title of a file whose printed frame is not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from planwatch.extract.layout import Line
from planwatch.extract.text import squeeze

_FENCES = ("---", "+++")
_FIELD = re.compile(r"^\s*([^\s:：=]{1,20})\s*[:：=]\s*(.*?)\s*$")
_FENCE_SEARCH = 60  # lines a fenced front matter may span
# Keys a site prints above a document's text: enough of them in a row is a metadata block.
_META_KEYS = ("标题", "题名", "名称", "文号", "发文字号", "索引号", "发布单位", "发布机构", "发文机关", "发布日期",
              "成文日期", "生成日期", "主题分类", "分类", "来源", "层级", "类型", "状态", "有效性", "链接", "官方链接",
              "title", "date", "source", "url", "author", "publisher", "tags", "category")
_MIN_META_RUN = 3
_EMPTY = ("", "-", "—", "--", "无", "null", "none", "~", "''", '""')
_TITLE_KEYS = ("标题", "题名", "名称", "title")
_NUMBER_KEYS = ("文号", "发文字号", "doc_number")
_ISSUER_KEYS = ("发文机关", "发布单位", "发布机构", "publisher", "issuer")
_DATE_KEYS = ("成文日期", "发布日期", "date")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The page's metadata and the last line of the wrapper (0 when there is none)."""

    fields: dict[str, str] = field(default_factory=dict)
    end_line: int = 0

    def _first(self, keys: Sequence[str]) -> str | None:
        for key in keys:
            value = self.fields.get(key)
            if value is not None and value.strip().strip("'\"").lower() not in _EMPTY:
                return value.strip().strip("'\"")
        return None

    @property
    def title(self) -> str | None:
        return self._first(_TITLE_KEYS)

    @property
    def doc_number(self) -> str | None:
        return self._first(_NUMBER_KEYS)

    @property
    def issuer(self) -> str | None:
        return self._first(_ISSUER_KEYS)

    @property
    def date(self) -> str | None:
        return self._first(_DATE_KEYS)


def front_matter(lines: Sequence[Line]) -> FrontMatter:
    """The wrapper at the head of a file, if any, read whatever its keys and brackets are."""
    if not lines:
        return FrontMatter()
    fields: dict[str, str] = {}
    end = 0
    k = 0
    if lines[0].text.strip() in _FENCES:
        fence = lines[0].text.strip()
        close = next((j for j in range(1, min(len(lines), _FENCE_SEARCH))
                      if lines[j].text.strip() == fence), None)
        if close is None:
            return FrontMatter()
        fields = _fields(lines[1:close])
        end, k = lines[close].line, close + 1
    else:
        run = 0
        while run < len(lines) and (m := _FIELD.match(lines[run].text)) and _is_meta_key(m.group(1)):
            run += 1
        if run >= _MIN_META_RUN:
            fields = _fields(lines[:run])
            end, k = lines[run - 1].line, run
    if not end:
        return FrontMatter()
    while k < len(lines) and lines[k].text.lstrip().startswith(">"):  # the scraper's quoted notice
        end = lines[k].line
        k += 1
    return FrontMatter(fields, end)


def _is_meta_key(key: str) -> bool:
    return key.lower() in _META_KEYS


def _fields(lines: Sequence[Line]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        m = _FIELD.match(line.text)
        if m:
            out.setdefault(m.group(1).lower(), squeeze(m.group(2)))
    return out
