"""Splitting a gazette (公报) into its documents, after the GB/T 9704 layout.

An official document opens with its title (发文机关 + 关于 … 的通知/通告/批复 …), close to
its 发文字号 (合川府发〔2023〕1号) and usually followed by the 主送机关 line ending in
"："; it closes with the issuing authority and the 成文日期. A gazette also carries
short news items (…召开第N次常务会议) whose first paragraph opens with a date. The
table of contents at the front repeats titles with dot leaders and page numbers: it is
not a document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planwatch.extract.layout import Line
from planwatch.extract.text import fold, squeeze
from planwatch.extract.work_reports import WorkReportFrame, work_report_frame
from planwatch.ingest.front_matter import front_matter
from planwatch.numerals import parse_chinese_integer, to_halfwidth

_DOC_TYPES = ("通知", "通告", "公告", "批复", "意见", "决定", "决议", "办法", "规定", "报告", "复函", "函",
              "通报", "命令", "令", "实施细则", "细则", "方案", "规划", "纲要", "公报")
DOC_NUMBER = re.compile(
    r"^[\u4e00-\u9fff]{1,14}\s*[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d{1,4}\s*号$")
_TITLE_END = re.compile(r"(?:的)?(?:" + "|".join(_DOC_TYPES) + r")(?:[（(][^（）()]{1,8}[）)])?$")
_ADDRESSEE = re.compile(r"^(?!(?:时间|日期|来源|作者|编辑|字号|分享|发布|浏览|索引号|文号|主题|标题|链接|附件)"
                        r"[\u4e00-\u9fff]{0,4}[：:]$)[^。！？]{2,90}[：:]$")
_ISSUER_END = ("政府", "办公室", "委员会", "办公厅", "局", "委", "厅", "部", "管委会", "指挥部", "领导小组",
               "法院", "检察院", "人大常委会", "政协")
_DATE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE = re.compile(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_NEWS_OPENING = re.compile(r"^\d{1,2}\s*月\s*\d{1,2}\s*日")
_TOC_LEADER = re.compile(r"[·.…．]{3,}\s*\d*\s*$")
_ISSUES_PLAN = re.compile(r"(印发|转发|发布|颁布)")
_QUOTED = re.compile(r"《([^《》]{4,120})》")
_MAX_TITLE_LINE = 70
_PLAN_TITLE = re.compile(r"(规划|纲要|方案|计划|要点)(?:[（(].{4,14}[）)])?$")


@dataclass(frozen=True, slots=True)
class DocumentSpan:
    start_line: int
    end_line: int
    title: str
    doc_number: str | None
    issuer: str | None
    date: str | None
    attached_plans: tuple[str, ...]
    body_start: int  # first line after the title block (where the 主送/正文 begins)
    date_line: int | None
    work_report: WorkReportFrame | None = None


def parse_date(text: str) -> str | None:
    """A standalone 成文日期 line as an ISO date."""
    s = to_halfwidth(text).replace(" ", "")
    m = _DATE.match(s)
    if m:
        return "{:04d}-{:02d}-{:02d}".format(*(int(g) for g in m.groups()))
    m = _CN_DATE.match(s)
    if m:
        year, month, day = (parse_chinese_integer(g) for g in m.groups())
        if year and month and day:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def is_doc_number(text: str) -> bool:
    return bool(DOC_NUMBER.match(to_halfwidth(text).replace(" ", "").replace("〔", "〔")))


def _clean_doc_number(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_toc(text: str) -> bool:
    return bool(_TOC_LEADER.search(text))


def _is_short_title_part(text: str) -> bool:
    return (len(text) <= _MAX_TITLE_LINE and not _is_toc(text) and "。" not in text
            and not text.endswith(("：", ":", "；")) and not text.startswith(("《", "—", "（", "(")))


def _is_issuer(text: str) -> bool:
    t = squeeze(text)
    return 4 <= len(t) <= 30 and t.endswith(_ISSUER_END) and "关于" not in t and "，" not in t


def _confirms_document(lines: Sequence[Line], k: int) -> bool:
    """After a title: a 发文字号, a 主送机关 line, or the 印发 sentence within a few lines."""
    for line in lines[k + 1: k + 5]:
        t = line.text
        if is_doc_number(t) or (_ADDRESSEE.match(t) and len(t) <= 90) or "印发给你们" in t:
            return True
        if len(t) > _MAX_TITLE_LINE and "印发" not in t:
            return False
    return False


def _title_end_candidates(lines: Sequence[Line]) -> list[int]:
    out = []
    for k, line in enumerate(lines):
        t = squeeze(line.text)
        if not _is_short_title_part(t) or not _TITLE_END.search(t):
            continue
        if _confirms_document(lines, k) or _doc_number_before(lines, k):
            out.append(k)
    return out


def _doc_number_before(lines: Sequence[Line], k: int) -> bool:
    """Red-header layout: the 发文字号 above the title, then the title, then 主送."""
    for line in lines[max(0, k - 3): k]:
        if is_doc_number(line.text):
            return _confirms_addressee(lines, k)
    return False


def _confirms_addressee(lines: Sequence[Line], k: int) -> bool:
    return any(_ADDRESSEE.match(x.text) for x in lines[k + 1: k + 3])


def _title_start(lines: Sequence[Line], end: int, floor: int) -> int:
    """Walk up from the title's last line over its other parts and the issuer line."""
    start = end
    k = end - 1
    while k >= floor and end - k <= 4:
        t = squeeze(lines[k].text)
        if lines[end].line - lines[k].line > 6 or not _is_short_title_part(t) or parse_date(t) \
                or is_doc_number(t) or "公开发布" in t or _TITLE_END.search(t):
            break
        if _is_issuer(t) or t.startswith("关于") or (squeeze(lines[start].text).startswith(("和", "及", "的"))
                                                   or "关于" in t):
            start = k
            if _is_issuer(t):
                break
            k -= 1
            continue
        break
    return start


def _title_continues(lines: Sequence[Line], end: int) -> int:
    """A title broken before its period or doc type: …发展规划 / （2021—2025年）的通知."""
    while end + 1 < len(lines):
        t = squeeze(lines[end + 1].text)
        if len(t) > _MAX_TITLE_LINE or "。" in t or is_doc_number(t) or _ADDRESSEE.match(t) \
                or not _TITLE_END.search(t) or lines[end + 1].line - lines[end].line > 2:
            break
        end += 1
    return end


def _news_items(lines: Sequence[Line]) -> list[int]:
    out = []
    for k in range(len(lines) - 1):
        t = squeeze(lines[k].text)
        if len(t) <= 40 and not re.search(r"[。，；：:,]", t) and _NEWS_OPENING.match(lines[k + 1].text) \
                and "会议" in t and not _TITLE_END.search(t):
            out.append(k)
    return out


def split_documents(lines: Sequence[Line], last_line: int) -> list[DocumentSpan]:
    """The documents in a file, in order; a file without GB/T 9704 titles is one document.
    A scraper's wrapper (front matter, its quoted notice) belongs to no document."""
    wrapper = front_matter([line.text for line in lines])
    lines = list(lines[wrapper.end:])
    report = work_report_frame(lines)
    if report is not None:  # a work report is one document from its title to the end
        title_line = lines[report.title_index].line
        return [DocumentSpan(title_line, last_line, report.title, None, f"{report.region}人民政府", report.date,
                             (), title_line + 1, None, report)]
    starts: list[tuple[int, int]] = []  # (start index, title end index)
    floor = 0
    for end in _title_end_candidates(lines):
        if starts and end <= starts[-1][1]:
            continue
        start = _title_start(lines, end, floor)
        end = _title_continues(lines, end)
        starts.append((start, end))
        floor = end + 1
    starts.extend((k, k) for k in _news_items(lines))
    starts.sort()
    if not starts:
        return [_whole_file(lines, last_line)] if lines else []
    spans = []
    for n, (start, end) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        end_line = lines[stop].line - 1 if stop < len(lines) else last_line
        spans.append(_describe(lines, start, end, stop, end_line))
    return spans


def _whole_file(lines: Sequence[Line], last_line: int) -> DocumentSpan:
    """A plan without a covering notice: its title is its first top-level heading, else the first
    line naming a plan (after any cover line)."""
    head = lines[:5]
    title_line = next((x for x in head if x.level == 1 and len(x.text) <= 80), None) or next(
        (x for x in head if _PLAN_TITLE.search(squeeze(x.text).strip("《》")) and len(x.text) <= 80), lines[0])
    title = squeeze(title_line.text)
    nxt = lines.index(title_line) + 1
    if nxt < len(lines) and re.fullmatch(r"[（(]\s*(?:19|20)\d{2}.{0,12}[）)]", squeeze(lines[nxt].text)):
        title += squeeze(lines[nxt].text)  # （2021—2025年） on its own line
    return DocumentSpan(lines[0].line, last_line, title, None, None, None, (), title_line.line + 1, None)


def _describe(lines: Sequence[Line], start: int, end: int, stop: int, end_line: int) -> DocumentSpan:
    title_parts = [squeeze(x.text) for x in lines[start: end + 1]]
    title = "".join(title_parts)
    doc_number = None
    for line in list(lines[max(0, start - 3): start]) + list(lines[end + 1: min(stop, end + 6)]):
        if is_doc_number(line.text):
            doc_number = _clean_doc_number(line.text)
    date = date_line = None
    date_index = None
    for k in range(end + 1, stop):
        iso = parse_date(lines[k].text)
        if iso:
            date, date_line, date_index = iso, lines[k].line, k
            break
    issuer = None
    if date_index is not None:
        for k in range(date_index - 1, max(end, date_index - 3), -1):
            if _is_issuer(lines[k].text):
                issuer = squeeze(lines[k].text)
                break
    if issuer is None:
        head = title.split("关于")[0]
        if head and _is_issuer(head):
            issuer = head
        else:
            for k in range(end + 1, min(stop, end + 8)):
                if _is_issuer(lines[k].text):
                    issuer = squeeze(lines[k].text)
                    break
    plans = _attached_plans(title, lines[end + 1: date_index if date_index is not None else min(stop, end + 6)])
    return DocumentSpan(lines[start].line, end_line, title, doc_number, issuer, date, plans,
                        lines[end].line + 1, date_line)


def _attached_plans(title: str, notice: Sequence[Line]) -> tuple[str, ...]:
    # A title cut short by the page it was taken from (…纲要的通知) still ends like a notice;
    # its body then says what it issues (《…》…现印发给你们).
    if not (_ISSUES_PLAN.search(title) or title.endswith("的通知")) or title.endswith(("请示", "报告")):
        return ()
    for line in notice:
        if _ISSUES_PLAN.search(line.text) or "印发给你们" in line.text:
            quoted = [squeeze(q) for q in _QUOTED.findall(line.text)]
            plans = [q for q in quoted if not re.search(r"〔\d{4}〕|办法》?$", q) or "方案" in q]
            if plans:
                return tuple(dict.fromkeys(plans))
    m = re.search(r"(?:印发|转发|发布)(.+?)的?通知$", title)
    if m:
        name = re.sub(r"^[\u4e00-\u9fff]{1,10}?(?:局|委|办)(?=[\u4e00-\u9fff]{2,}区)", "", m.group(1))
        return (name.strip("《》"),)
    return ()


def title_key(title: str) -> str:
    """Plan titles as printed in the notice and at the plan's head differ in brackets, quotes and spaces."""
    return re.sub(r"[（()）“”\"《》\s]", "", fold(title))


def same_title(key_a: str, key_b: str) -> bool:
    """Two title keys name the same plan (one may lack the period printed on the next line)."""
    return bool(key_a) and bool(key_b) and (key_a == key_b or key_a.startswith(key_b) or key_b.startswith(key_a))
