"""Responsibilities named in a plan's text: 牵头单位, 责任单位, 配合单位.

Plans assign each task to departments in parentheses after it —
``（责任单位：区发展改革委、区统计局）``, ``（牵头单位：区教委；配合单位：区财政局）`` or
``（区教委牵头，区财政局、区人力社保局配合）`` — so that the work can be decomposed to
departments and towns (分解落实到部门和镇街). Each such task is reported with its units
by role, for the monitoring database to turn into assignments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from planwatch.extract.layout import Line
from planwatch.extract.outline import Heading
from planwatch.extract.records import Task
from planwatch.extract.text import is_org_unit_name, squeeze

LEAD, RESPONSIBLE, SUPPORT = "牵头", "责任", "配合"
_PAREN = re.compile(r"[（(]([^（）()]{2,200})[）)]")
_LABELLED = re.compile(r"(牵头单位|牵头部门|责任单位|责任部门|主责单位|配合单位|配合部门|协办单位)\s*[：:]\s*([^；;]+)")
_SUFFIXED = re.compile(r"([^，,；;]+?)\s*(牵头|负责|配合|参与)")
_UNIT_SPLIT = re.compile(r"[、，,/\s]+|及(?=区|市|县|各)")
_ROLE_OF_LABEL = {"牵头": LEAD, "主责": LEAD, "责任": RESPONSIBLE, "配合": SUPPORT, "协办": SUPPORT}
_ROLE_OF_SUFFIX = {"牵头": LEAD, "负责": RESPONSIBLE, "配合": SUPPORT, "参与": SUPPORT}


def units_by_role(note: str) -> dict[str, list[str]]:
    """``牵头单位：区教委；配合单位：区财政局、区人力社保局`` → {牵头: [区教委], 配合: [...]}."""
    roles: dict[str, list[str]] = {}
    labelled = list(_LABELLED.finditer(note))
    pairs: Iterable[tuple[str, str]]
    if labelled:
        pairs = ((_ROLE_OF_LABEL[m.group(1)[:2]], m.group(2)) for m in labelled)
    else:
        pairs = ((_ROLE_OF_SUFFIX[m.group(2)], m.group(1)) for m in _SUFFIXED.finditer(note))
    for role, names in pairs:
        units = unit_names(names)
        if units:
            roles.setdefault(role, []).extend(units)
    return roles


def unit_names(names: str) -> list[str]:
    """``区教委、区财政局，区人力社保局`` → the names that end like an organisation's."""
    return [u for u in (squeeze(p) for p in _UNIT_SPLIT.split(names)) if u and is_org_unit_name(u)]


def _lead(text: str) -> str:
    """A task paragraph's lead sentence (数字合川云平台。依托… → 数字合川云平台)."""
    text = squeeze(text)
    head = re.match(r"^(.{2,40}?)[。．]", text)
    return head.group(1) if head else text


def tasks_in(plan: str, lines: Sequence[Line], chains: dict[int, tuple[Heading, ...]]) -> list[Task]:
    """Every line of a plan that names the units responsible for it."""
    out = []
    for line in lines:
        for m in _PAREN.finditer(line.text):
            roles = units_by_role(m.group(1))
            if not roles:
                continue
            chain = chains.get(line.line, ())
            title = chain[-1].title if chain and chain[-1].line == line.line else _lead(line.text[: m.start()])
            out.append(Task(plan, line.line, title[:120], tuple(roles.get(LEAD, ())),
                            tuple(roles.get(RESPONSIBLE, ())), tuple(roles.get(SUPPORT, ()))))
            break
    return out
