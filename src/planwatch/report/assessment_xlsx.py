"""The assessment of units as an Excel workbook: the ranking per group, and every scored item.

Offices pass the ranking on in Excel; the second sheet lets a unit check each point. Every
text cell is written as a string, never a formula, whatever a unit or indicator is named.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from planwatch.evaluate.assessment import CATEGORIES, CATEGORY_ZH, GROUP_ZH, UnitScore
from planwatch.spreadsheet_safety import text_row


def write_assessment(path: Path, title: str, year: int, groups: dict[str, list[UnitScore]]) -> Path:
    book = Workbook()
    ranking = book.active
    assert ranking is not None
    ranking.title = "排名"
    text_row(ranking, [f"{title} {year}年度综合评价"])
    ranking["A1"].font = Font(bold=True, size=14)
    text_row(ranking, ["类别", "名次", "单位", "总分", *(CATEGORY_ZH[c] for c in CATEGORIES), "加减分"])
    for group, members in groups.items():
        for unit in members:
            text_row(ranking, [GROUP_ZH.get(group, group), unit.rank, unit.name, unit.total,
                              *(unit.by_category.get(c) for c in CATEGORIES),
                              sum(points for points, _ in unit.adjustments)])
    details = book.create_sheet("得分明细")
    text_row(details, ["单位", "评价项目", "内容", "计分规则", "得分比例", "该项权重"])
    for unit in _all(groups):
        for item in unit.items:
            text_row(details, [unit.name, CATEGORY_ZH.get(item.category, item.category), item.label, item.rule,
                              round(item.share, 4), round(unit.weights.get(item.category, 0.0), 2)])
        for points, reason in unit.adjustments:
            text_row(details, [unit.name, "加减分", reason, "评估组录入", points, None])
    book.save(path)
    return path


def _all(groups: dict[str, list[UnitScore]]) -> Iterable[UnitScore]:
    for members in groups.values():
        yield from members
