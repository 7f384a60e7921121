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
    ("2026年底前完成试点，2030年底前全面推广", None, "2030-12"),  # due at its last stage
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


def test_a_division_annex_gives_the_task_items_their_units() -> None:
    """重点任务分工 printed as an annex table: each row repeats a task item and names its units;
    a row that repeats no item is a task of its own."""
    tasks = {t.title: t for t in extract_file(GENRE / "plan_with_division_annex.txt").tasks}
    centre = tasks["建设街道综合养老服务中心"]
    assert (centre.kind, centre.number, centre.line) == ("task", "1.", 8)  # the item itself, not the row
    assert centre.lead == ("区民政局",) and centre.support == ("区发展改革委", "区财政局", "各街道办事处")
    assert tasks["加强养老护理员队伍建设"].lead == ("区人力社保局",)
    smart = tasks["发展智慧养老服务"]
    assert (smart.kind, smart.number, smart.section) == ("division", "3.", "提升机构养老服务质量")
    assert smart.lead == ("区经济信息委",) and smart.support == ("区民政局", "区大数据发展局")
    assert len([t for t in tasks.values() if t.kind == "division"]) == 1


def test_project_rows_whose_category_spans_extra_cells_are_read_in_their_columns() -> None:
    """机构养老 | 新建项目 | 护理院 | 1 | … under 项目类别 | | 序号 | …: the 序号 puts the row back in
    its columns; a row stopping before the header's empty last cell is read too."""
    projects = {p.name: p for p in extract_file(GENRE / "plan_with_division_annex.txt").projects}
    assert set(projects) == {"云溪区第一护理院", "云溪区社会福利中心改扩建工程", "东城街道综合养老服务中心",
                             "养老服务信息平台"}
    nursing = projects["云溪区第一护理院"]
    assert (nursing.category, nursing.investment, nursing.start_year, nursing.end_year) == ("机构养老", 18000.0,
                                                                                           2026, 2028)
    assert nursing.content == "新增护理型床位300张"
    assert projects["东城街道综合养老服务中心"].investment == 2400.0
    # the next table, with columns of its own, right after the first: read by its own header
    platform = projects["养老服务信息平台"]
    assert (platform.category, platform.content, platform.investment) == ("智慧养老", "建设全区养老服务数据库和呼叫中心",
                                                                          800.0)


def test_a_plan_without_a_notice_begins_at_its_title() -> None:
    """A plan file with no issuing notice: its first chapter (一、发展目标) is part of it."""
    result = extract_file(GENRE / "plan_with_division_annex.txt")
    assert [p.start_line for p in result.plans] == [1]
    assert {i.name for i in result.indicators} == {"养老机构护理型床位占比", "街道综合养老服务中心覆盖率"}


def test_a_column_item_cut_by_a_page_break_goes_on_in_the_next_line() -> None:
    """助餐点建设工程：新建社区老年助餐点 / 30个，覆盖全部社区。— one item, its quantity read."""
    tasks = {t.title: t for t in extract_file(GENRE / "plan_with_division_annex.txt").tasks}
    meals = tasks["助餐点建设工程"]
    assert (meals.kind, meals.section) == ("column", "居家养老服务工程")
    assert [(t.value, t.unit) for t in meals.targets] == [(30.0, "个")]
    assert [(t.value, t.unit) for t in tasks["适老化改造工程"].targets] == [(500.0, "户")]
