"""Plan periods and target years as plans print them.

A plan's period decides which table columns are baselines and which are targets, and
which year a goal sentence without a year refers to. Periods are printed as
``（2021—2025年）``, as a five-year-plan ordinal (“十四五” = 2021–2025), or as a single
year (2023年…工作要点).
"""

from __future__ import annotations

import re

from planwatch.numerals import parse_chinese_integer, to_halfwidth

_SPAN = re.compile(r"((?:19|20)\d{2})\s*年?\s*[—–\-~～至到]+\s*((?:19|20)\d{2})")
_FIVE_YEAR = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")


def five_year_plan_span(ordinal: int) -> tuple[int, int]:
    """The n-th five-year plan from the third on (十四五 = 14) runs from 1951 + 5n to 1955 + 5n."""
    start = 1951 + 5 * ordinal
    return start, start + 4


def period_of(title: str) -> tuple[int | None, int | None]:
    """The (start, end) years a plan title states, or (None, None)."""
    s = to_halfwidth(title)
    m = _SPAN.search(s)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _FIVE_YEAR.search(s)
    if m:
        ordinal = parse_chinese_integer("十" + m.group(1))
        assert ordinal is not None
        return five_year_plan_span(ordinal)
    years = [int(y) for y in _YEAR.findall(s)]
    if years:
        return min(years), max(years)
    return None, None


def years_in(text: str) -> list[int]:
    """Calendar years printed in a text, in Arabic or Chinese digits (二〇三五年)."""
    s = to_halfwidth(text)
    found = [int(y) for y in _YEAR.findall(s)]
    for cn in _CN_YEAR.findall(s):
        n = parse_chinese_integer(cn)
        if n is not None and 1900 <= n <= 2100:
            found.append(n)
    m = _FIVE_YEAR.search(s)
    if m and not found:
        ordinal = parse_chinese_integer("十" + m.group(1))
        if ordinal is not None:
            found.append(five_year_plan_span(ordinal)[1])
    return found
