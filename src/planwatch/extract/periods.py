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
_FIVE_YEAR = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?|第(十[一二三四五六七八九]|[一二三四五六七八九])个五年")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")


def five_year_plan_span(ordinal: int) -> tuple[int, int]:
    """The n-th five-year plan from the third on (十四五 = 14) runs from 1951 + 5n to 1955 + 5n."""
    start = 1951 + 5 * ordinal
    return start, start + 4


def five_year_ordinal(text: str) -> int | None:
    """14 for “十四五” or 第十四个五年规划: the five-year plan a text names."""
    m = _FIVE_YEAR.search(to_halfwidth(text))
    if not m:
        return None
    return parse_chinese_integer("十" + m.group(1)) if m.group(1) else parse_chinese_integer(m.group(2))


def period_of(title: str) -> tuple[int | None, int | None]:
    """The (start, end) years a plan title states, or (None, None)."""
    s = to_halfwidth(title)
    m = _SPAN.search(s)
    if m:
        return int(m.group(1)), int(m.group(2))
    ordinal = five_year_ordinal(s)
    if ordinal is not None:
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
    ordinal = five_year_ordinal(s)
    if ordinal is not None and not found:
        found.append(five_year_plan_span(ordinal)[1])
    return found


_PLAN_PERIOD = re.compile(r"规划(?:期|期限|时限|年限)(?:为|是|至)?\s*[:：]?\s*((?:19|20)\d{2})\s*年?\s*[—–\-~～至到]+\s*((?:19|20)\d{2})")
_HORIZON = re.compile(r"到\s*((?:19|20)\d{2})\s*年")


def period_in_body(texts: list[str]) -> tuple[int | None, int | None]:
    """A plan titled without its period states it in the text: 规划期为2024—2027年, else its horizon
    (the year most often aimed at with 到…年). Never the publication year, which is no target year."""
    horizons: dict[int, int] = {}
    for text in texts:
        s = to_halfwidth(text)
        m = _PLAN_PERIOD.search(s)
        if m:
            return int(m.group(1)), int(m.group(2))
        for year in _HORIZON.findall(s):
            horizons[int(year)] = horizons.get(int(year), 0) + 1
    if not horizons:
        return None, None
    end = max(horizons, key=lambda y: (horizons[y], -y))
    return None, end
