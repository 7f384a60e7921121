"""Task division tables (重点任务分工 · 重点项目分工): who leads and who shares each task.

Plans often leave the units out of the task text and print them in an annex instead:
a table whose rows repeat the plan's task items (类别 | 任务内容 | 牵头部门 | 责任部门, or
项目内容 | 牵头单位 | 配合单位). Each row is matched to the task item it repeats — the same
title, its numbering aside — and gives that item its units; a row that repeats no item is a
task of its own (the annex assigns work the body only summarises).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from planwatch.extract.records import Task
from planwatch.extract.tasks import LEAD, RESPONSIBLE, SUPPORT, unit_names
from planwatch.extract.text import fold, squeeze

__all__ = ["DivisionRow", "division_rows", "with_divisions"]

_WORK = re.compile(r"任务|项目内容|项目名称|工作内容|工作事项|具体工作|事项|举措|措施")
_ROLE = ((LEAD, re.compile(r"牵头|主责")), (SUPPORT, re.compile(r"配合|参与|协办|协同")),
         (RESPONSIBLE, re.compile(r"责任|负责|实施")))
_CATEGORY = re.compile(r"类别|领域|分类|方面")
_NOT_DIVISION = re.compile(r"指标|投资|规模|年限")  # indicator and project tables have their own readers
_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）.、．]\s*)+")
_SAME = 0.8  # titles this alike (after folding) are the same item printed with small differences


@dataclass(frozen=True, slots=True)
class DivisionRow:
    line: int
    category: str
    work: str
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    support: tuple[str, ...]


def division_rows(rows: list[list[tuple[str, int]]]) -> list[DivisionRow]:
    """The rows of a division table (empty when ``rows`` are not one): the work, its category
    (carried down over merged cells) and its units by role."""
    columns: dict[str, int] = {}
    out: list[DivisionRow] = []
    category = ""
    for cells in rows:
        texts = [squeeze(t) for t, _ in cells]
        if not columns:
            columns = _header(texts)
            continue
        if _header(texts):
            continue  # the header repeated after a page break
        work = _cell(texts, columns.get("work"))
        category = _cell(texts, columns.get("category")) or category
        if not work or not re.search(r"[\u4e00-\u9fff]", work):
            continue
        units = {role: tuple(unit_names(_cell(texts, columns.get(role)))) for role in (LEAD, RESPONSIBLE, SUPPORT)}
        if any(units.values()):
            out.append(DivisionRow(cells[0][1], category, work, units[LEAD], units[RESPONSIBLE], units[SUPPORT]))
    return out


def _header(texts: Sequence[str]) -> dict[str, int]:
    """Column of each part when ``texts`` is a division table's header, else {}."""
    if any(_NOT_DIVISION.search(t) for t in texts):
        return {}
    columns: dict[str, int] = {}
    for k, text in enumerate(texts):
        role = next((r for r, pattern in _ROLE if pattern.search(text)), None)
        if role is not None and len(text) <= 8 and role not in columns:
            columns[role] = k
        elif _WORK.search(text) and "work" not in columns:
            columns["work"] = k
        elif _CATEGORY.search(text) and "category" not in columns:
            columns["category"] = k
    if "work" not in columns or not ({LEAD, RESPONSIBLE} & columns.keys()):
        return {}
    return columns


def _cell(texts: Sequence[str], column: int | None) -> str:
    return texts[column] if column is not None and column < len(texts) else ""


def with_divisions(tasks: Sequence[Task], rows: Sequence[DivisionRow], plan: str) -> list[Task]:
    """``tasks`` with the units their division rows give; rows repeating no task are tasks of their own."""
    out = list(tasks)
    index = {_key(t.title): n for n, t in enumerate(out)}
    for row in rows:
        n = _matching(index, _key(row.work))
        if n is None:
            number = _NUMBERING.match(row.work)
            out.append(Task(plan, row.line, _NUMBERING.sub("", row.work)[:120], row.lead, row.responsible,
                            row.support, kind="division", number=number.group().strip() if number else "",
                            section=_NUMBERING.sub("", row.category)))
            continue
        task = out[n]
        out[n] = replace(task, lead=_joined(task.lead, row.lead), responsible=_joined(task.responsible, row.responsible),
                         support=_joined(task.support, row.support))
    return out


def _key(title: str) -> str:
    return fold(_NUMBERING.sub("", title)).rstrip("。；;")


def _matching(index: dict[str, int], key: str) -> int | None:
    if key in index:
        return index[key]
    best, best_ratio = None, _SAME
    for candidate, n in index.items():
        matcher = SequenceMatcher(None, candidate, key)
        if matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio \
                and (ratio := matcher.ratio()) >= best_ratio:
            best, best_ratio = n, ratio
    return best


def _joined(first: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(u for u in more if u not in first)
