"""The task ledger and the major projects of the real seeds and plans, counted by hand.

Each count below was checked against the file itself (the numbered items under the task
chapter, the 专栏 boxes, the indexed rows of the project tables, the rows of a division
annex), independently of the extraction; the names are a handful of those items.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.shared import scoring


def _extract(shared: Path, relative: str) -> dict[str, Any]:
    """The real command's JSON, extracted once per run with the ratchet's (tests/shared/scoring.py)."""
    return scoring.prediction(shared / relative)


@pytest.fixture(scope="module")
def hechuan(shared: Path) -> dict[str, Any]:
    return _extract(shared, "seeds/000_b78c4a5612e3a1d9.txt")


def _of(items: list[dict[str, Any]], plan_part: str) -> list[dict[str, Any]]:
    return [item for item in items if plan_part in item["plan"]]


def test_hechuan_womens_plan_tasks_get_their_units_from_the_division_annex(hechuan: dict[str, Any]) -> None:
    """合川区妇女发展规划: 8 areas (（一）…（八）) with 45 numbered tasks, 16 专栏 projects; its
    annex 1 (重点任务分工) names lead and responsible units for each of the 45 tasks."""
    tasks = _of(hechuan["tasks"], "合川区妇女发展规划")
    assert Counter(t["kind"] for t in tasks) == {"task": 53, "column": 16}
    numbered = [t for t in tasks if t["kind"] == "task" and t["number"][:1].isdigit()]
    assert len(numbered) == 45 and all(t["lead"] for t in numbered)
    by_title = {t["title"]: t for t in tasks}
    health = by_title["加强妇女健康服务体系建设"]
    assert health["lead"] == ["区卫生健康委"] and health["responsible"][:3] == ["区委编办", "区发展改革委", "区财政局"]
    assert by_title["支持妇女积极参与乡村振兴"]["lead"] == ["区农业农村委"]
    assert by_title["推动家庭家教家风在基层社会治理中发挥重要作用"]["lead"] == ["区妇联"]
    assert by_title["母婴安全保障项目"]["lead"] == ["区卫生健康委"]  # annex 2, 重点项目分工


def test_hechuan_transport_plan_projects(hechuan: dict[str, Any]) -> None:
    """综合交通运输“十四五”规划: four project tables with 17 + 23 + 17 + 11 indexed rows; the rail
    rows print their category over three cells, one more than the header gives it."""
    rows = _of(hechuan["projects"], "综合交通运输发展规划")
    assert len(rows) == 68
    projects = {p["name"]: p for p in rows}
    rail = projects["渝西高铁"]
    assert (rail["category"], rail["investment_wan_yuan"], rail["period_investment_wan_yuan"]) == ("铁路", 825000.0,
                                                                                                    412500.0)
    assert (rail["start_year"], rail["end_year"]) == (2021, 2028)
    assert projects["合安高速"]["investment_wan_yuan"] == 550000.0
    assert projects["合川通用机场"]["category"] == "民航"


def test_hechuan_smart_city_projects_with_their_units(hechuan: dict[str, Any]) -> None:
    projects = {p["name"]: p for p in _of(hechuan["projects"], "新型智慧城市")}
    approval = projects["智慧审批系统"]
    assert approval["units"] == ["区政务办"] and approval["investment_wan_yuan"] == 1400.0
    assert "数字合川云平台" in projects and projects["智慧课堂及未来课堂"]["units"] == ["区教委"]


def test_yongchuan_outline_column_works(shared: Path) -> None:
    """永川区“十四五”纲要: its 专栏 boxes list named works (专栏1: 4 areas, 专栏3: 2, 专栏5: 3)."""
    tasks = _extract(shared, "seeds/001_daddf72c7a72a405.txt")["tasks"]
    sections = Counter(t["section"] for t in tasks if t["kind"] == "column")
    assert sections["永川“双百城市”重点拓展区域"] == 4
    assert sections["城市提升重点项目"] == 2
    assert sections["园区产业基础设施建设重点项目"] == 3
    areas = {t["title"]: t for t in tasks if t["section"] == "永川“双百城市”重点拓展区域"}
    assert [(x["value"], x["unit"]) for x in areas["城东科技生态城片区"]["targets"]] == [(10.0, "平方公里")]


def test_dazu_womens_plan_tasks(shared: Path) -> None:
    """大足区妇女发展规划: 8 areas with 41 numbered tasks, 16 专栏 projects; no division annex."""
    tasks = _of(_extract(shared, "seeds/002_8b0279b877ad320c.txt")["tasks"], "大足区妇女发展规划")
    assert Counter(t["kind"] for t in tasks) == {"task": 49, "column": 16}
    assert "保障妇女孕产期健康和母婴安全" in {t["title"] for t in tasks}


def test_hechuan_emergency_plan_tasks_and_their_targets(shared: Path) -> None:
    """合川区应急管理“十四五”规划: 主要任务 has 6 areas and 26 numbered tasks; 重点工程 6 works and
    one numbered item — 39 in all. Task 17 states its own quantities (second-tier targets)."""
    tasks = _extract(shared, "seeds/004_7f1c906eabfaf395.txt")["tasks"]
    assert len(tasks) == 39 and {t["kind"] for t in tasks} == {"task"}
    supplies = next(t for t in tasks if t["title"] == "强化应急物资保障")
    assert supplies["number"] == "17．" and [x["unit"] for x in supplies["targets"]] == ["人", "人"]


@pytest.mark.parametrize(("relative", "count", "first"), [
    ("plans/gov_report_2026_shaanxi.txt", 9, "着力扩大有效需求，推动经济稳中向好"),
    ("plans/sh_huangpu_chengshigengxin_15.txt", 6, "“促发展”：优化商务商业资源"),
    ("plans/sh_huangpu_lishifengmao_14.txt", 5, "坚持高端引领，提升四大历史文化风貌区品牌影响力"),
])
def test_task_areas_of_other_provinces_plans(shared: Path, relative: str, count: int, first: str) -> None:
    """The year's work areas of a work report (not the review of last year's), a district plan's task areas."""
    tasks = _extract(shared, relative)["tasks"]
    assert len(tasks) == count and tasks[0]["title"] == first


def test_hechuan_childrens_plan_column_works_cut_by_page_breaks(hechuan: dict[str, Any]) -> None:
    """合川区儿童发展规划 专栏三: 儿童用品质量安全守护项目's text runs over a page break, and the box
    goes on to 儿童伤害防控行动项目, which annex 2 gives to 区民政局; no annex row is left unmatched."""
    tasks = _of(hechuan["tasks"], "合川区儿童发展规划")
    works = {t["title"]: t for t in tasks if t["section"] == "儿童安全提升重点工程"}
    assert set(works) == {"儿童安全宣传教育项目", "儿童用品质量安全守护项目", "儿童伤害防控行动项目"}
    assert works["儿童伤害防控行动项目"]["lead"] == ["区民政局"]
    assert not [t for t in tasks if t["kind"] == "division"]
