"""Key tasks, 专栏 works, major projects and meeting assignments (the plan's ledger).

The documents are fictional, in the style of a district action plan and of an executive
meeting's notes (tests/unit/genre/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.extract import extract_file
from planwatch.extract.ledger import deadline_of

GENRE = Path(__file__).parent / "genre"


@pytest.mark.parametrize(("text", "year", "expected"), [
    ("2026年底前完成", None, "2026-12"),
    ("于2025年6月底前建成", None, "2025-06"),
    ("6月底前完成储备库建设", 2026, "2026-06"),
    ("6月底前完成储备库建设", None, None),
    ("到2027年完成全部改造", 2025, None),  # a target year, not a deadline
])
def test_deadlines_as_printed(text: str, year: int | None, expected: str | None) -> None:
    assert deadline_of(text, year) == expected


def test_task_items_with_units_targets_and_deadline() -> None:
    result = extract_file(GENRE / "action_plan_ledger.txt")
    tasks = {t.title: t for t in result.tasks}
    fire = tasks["补齐消防救援短板"]
    assert (fire.kind, fire.number, fire.section) == ("task", "（一）", "重点任务")
    assert fire.lead == ("区消防救援大队",) and fire.support == ("区财政局", "区规划自然资源局")
    assert fire.deadline == "2026-12"
    assert [(t.value, t.unit, t.year) for t in fire.targets] == [(1.0, "座", 2027), (2.0, "座", 2027)]
    pipes = tasks["更新改造老旧管网"]
    assert pipes.responsible == ("区住房城乡建委",)
    assert [(t.value, t.unit) for t in pipes.targets] == [(421.0, "公里")]
    # task targets are second-tier: never in the indicator system
    assert {i.name for i in result.indicators} == {"城市安全风险监测覆盖率"}


def test_column_items_and_units_outside_task_chapters() -> None:
    tasks = {t.title: t for t in extract_file(GENRE / "action_plan_ledger.txt").tasks}
    drainage = tasks["排水防涝工程"]
    assert (drainage.kind, drainage.section) == ("column", "城市生命线工程")
    assert [(t.value, t.unit) for t in drainage.targets] == [(35.0, "公里"), (12.0, "处")]
    assert tasks["加强组织领导，建立联席会议制度"].lead == ("区应急局",)


def test_major_projects_from_a_project_table() -> None:
    projects = {p.name: p for p in extract_file(GENRE / "action_plan_ledger.txt").projects}
    assert set(projects) == {"城市生命线安全监测平台", "中心城区排水防涝提升工程"}
    platform = projects["城市生命线安全监测平台"]
    assert platform.investment == 12000.0  # 1.2 亿元 in 万元
    assert (platform.start_year, platform.end_year, platform.units) == (2025, 2026, ("区应急局",))
    assert platform.content == "建设燃气、供水、排水、桥梁监测系统"


def test_meeting_notes_assign_tasks_with_deadlines() -> None:
    result = extract_file(GENRE / "meeting_notes.txt")
    [task] = result.tasks
    assert task.kind == "assignment" and task.deadline == "2026-06"
    assert task.lead == ("区发展改革委",) and task.support == ("区财政局", "区住房城乡建委")
    assert "老旧小区改造项目储备库" in task.title
