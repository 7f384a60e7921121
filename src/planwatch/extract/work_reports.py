"""Government work reports (政府工作报告): their frame and the two plans they set.

A work report is not issued with a 发文字号: it is delivered to the people's congress.
Its frame is a title line (2026年吉林省政府工作报告 / 陕西省2026年政府工作报告), a delivery
line (——2026年1月27日在吉林省第十四届人民代表大会第五次会议上), and the address 各位代表：.
Web copies add page chrome around it and often print the title twice (page head, article
head): the article head is the one closest to the address.

A report sets two kinds of targets: the year's 主要预期目标 (plan “2026年吉林省政府工作报告”,
target year 2026) and, in the first year of a five-year period, the period's 主要目标 (plan
“吉林省国民经济和社会发展第十五个五年规划”, target year 2030). Its review of past work sets
none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planwatch.extract.layout import Line
from planwatch.extract.periods import five_year_ordinal, five_year_plan_span
from planwatch.extract.text import squeeze
from planwatch.numerals import to_chinese_integer, to_halfwidth

_TITLE = re.compile(r"^(?:(?:19|20)\d{2}年)?(?:[\u4e00-\u9fff]{1,15}?(?:省|市|区|县|州|旗|盟|自治区))?"
                    r"(?:(?:19|20)\d{2}年)?政府工作报告$")
_DELIVERY = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*在(.{2,40}?)人民代表大会")
_REGION_OF_CONGRESS = re.compile(r"^([\u4e00-\u9fff]{2,12}?[省市区县州旗])第")
_ADDRESS = re.compile(r"^各位代表[：:！!]")
_SEARCH_LINES = 40  # the frame is at the head of the file, after any page chrome


@dataclass(frozen=True, slots=True)
class WorkReportFrame:
    title_index: int
    title: str
    region: str
    year: int
    date: str | None  # the delivery date, which stands for the 成文日期


def work_report_frame(lines: Sequence[Line]) -> WorkReportFrame | None:
    """The report's article title, delivery date and region, if the file is a work report."""
    head = lines[:_SEARCH_LINES]
    address = next((k for k, line in enumerate(head) if _ADDRESS.match(squeeze(line.text))), None)
    if address is None:
        return None
    titles = [k for k in range(address) if _TITLE.match(squeeze(head[k].text))]
    if not titles:
        return None
    k = titles[-1]
    title = squeeze(head[k].text)
    delivered = None
    for line in head[k + 1: address]:
        delivered = _DELIVERY.search(to_halfwidth(squeeze(line.text)))
        if delivered:
            break
    region = _region(title, delivered.group(4) if delivered else "")
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})年", title)]
    date = None
    if delivered:
        y, m, d = (int(g) for g in delivered.groups()[:3])
        date = f"{y:04d}-{m:02d}-{d:02d}"
    year = years[0] if years else (int(date[:4]) if date else None)
    if year is None:
        return None
    return WorkReportFrame(k, title, region, year, date)


def _region(title: str, congress: str) -> str:
    """吉林省 from “2026年吉林省政府工作报告”, else from the congress (在吉林省第十四届…)."""
    region = re.sub(r"(?:19|20)\d{2}年", "", title).removesuffix("政府工作报告")
    if region:
        return region
    m = _REGION_OF_CONGRESS.match(congress)
    return m.group(1) if m else ""


def annual_plan_title(frame: WorkReportFrame) -> str:
    return f"{frame.year}年{frame.region}政府工作报告"


def five_year_plan_title(region: str, ordinal: int) -> str:
    return f"{region}国民经济和社会发展第{to_chinese_integer(ordinal)}个五年规划"


def announced_five_year_plan(frame: WorkReportFrame, lines: Sequence[Line]) -> tuple[str, int, int] | None:
    """The five-year plan whose goals the report sets: in the period's first year, a section on its goals."""
    for line in lines:
        text = squeeze(line.text)[:40]
        ordinal = five_year_ordinal(text)
        if ordinal is not None and "目标" in text:
            start, end = five_year_plan_span(ordinal)
            if start <= frame.year + 1:
                return five_year_plan_title(frame.region, ordinal), start, end
    return None
