"""Summaries, warnings and reporting completeness for the fictional 云溪区 plan."""

from __future__ import annotations

import pytest

from planwatch.evaluate import (
    EvaluationResult,
    IndicatorSpec,
    Observation,
    PlanConfig,
    Status,
    Target,
    evaluate_plan,
)
from planwatch.evaluate.aggregate import GroupBy, completeness, summarize, warning_list
from planwatch.extract.records import Comparator as C

PLAN = "云溪区国民经济和社会发展第十四个五年规划"


def indicator(
    id: str, name: str, domain: str, attribute: str, responsible: tuple[str, ...], target: float
) -> IndicatorSpec:
    return IndicatorSpec(
        id=id,
        name=name,
        targets=(Target(2025, f"≥{target}", target, C.GE),),
        domain=domain,
        attribute=attribute,
        baseline_year=2020,
        baseline=40.0,
        responsible=responsible,
        plan=PLAN,
    )


SPECS = [
    # B=40, T=50: c=(V−40)/10, s=0.6 in 2023.
    indicator("A1", "森林覆盖率", "生态环境", "约束性", ("区林业局",), 50),  # V=46 → c=0.6 正常
    indicator(
        "A2", "城市污水处理率", "生态环境", "约束性", ("区住建局", "区水务局"), 50
    ),  # V=42 → c=0.2 严重滞后
    indicator("B1", "研发经费投入强度", "创新驱动", "预期性", ("区科技局",), 50),  # V=45 → c=0.5 正常 (−0.1)
    indicator(
        "B2", "每万人口高价值发明专利拥有量", "创新驱动", "预期性", ("区科技局",), 50
    ),  # V=41 → c=0.1 严重滞后
    indicator("B3", "数字经济核心产业增加值占比", "创新驱动", "预期性", ("区发改委",), 50),  # no data
    indicator("C1", "人均预期寿命", "民生福祉", "预期性", ("区卫健委",), 50),  # V=51 → 已完成
]
VALUES = {"A1": 46.0, "A2": 42.0, "B1": 45.0, "B2": 41.0, "C1": 51.0}


@pytest.fixture(scope="module")
def results() -> list[EvaluationResult]:
    observations = [Observation(i, 2023, v) for i, v in VALUES.items()]
    return evaluate_plan(SPECS, observations, 2023, PlanConfig(base_year=2020))


def test_statuses_behind_the_summaries(results: list[EvaluationResult]) -> None:
    # B2: c=(41−40)/10=0.1, c−s=−0.5 < −0.3 → 严重滞后 (预期性).
    assert [r.status for r in results] == [
        Status.ON_TRACK,
        Status.SERIOUSLY_BEHIND,
        Status.ON_TRACK,
        Status.SERIOUSLY_BEHIND,
        Status.NO_DATA,
        Status.COMPLETED,
    ]


def test_summary_by_domain_counts_binding_separately(results: list[EvaluationResult]) -> None:
    by_domain = {s.group: s for s in summarize(results, GroupBy.DOMAIN)}
    assert list(by_domain) == ["生态环境", "创新驱动", "民生福祉"]
    ecology = by_domain["生态环境"]
    assert ecology.total == 2 and ecology.binding_total == 2
    assert ecology.counts == {Status.ON_TRACK: 1, Status.SERIOUSLY_BEHIND: 1}
    assert ecology.binding_share(Status.SERIOUSLY_BEHIND) == 0.5
    innovation = by_domain["创新驱动"]
    assert innovation.binding_total == 0
    assert innovation.share(Status.NO_DATA) == pytest.approx(1 / 3)
    assert innovation.to_json()["counts"]["on_track"] == 1


def test_summary_by_plan_and_org_unit(results: list[EvaluationResult]) -> None:
    (plan,) = summarize(results, GroupBy.PLAN)
    assert plan.group == PLAN and plan.total == 6
    assert sum(plan.counts.values()) == 6 and plan.binding_total == 2
    by_unit = {s.group: s for s in summarize(results, GroupBy.ORG_UNIT)}
    # A2 names two units: it counts for both.
    assert by_unit["区住建局"].counts == {Status.SERIOUSLY_BEHIND: 1}
    assert by_unit["区水务局"].counts == {Status.SERIOUSLY_BEHIND: 1}
    assert by_unit["区科技局"].total == 2


def test_warning_list_is_sorted_by_severity_binding_first(results: list[EvaluationResult]) -> None:
    warnings = warning_list(results)
    # A2 and B2 are both 严重滞后 with shortfall 0.6−0.2=0.4 and 0.6−0.1=0.5; the binding A2
    # still comes first. Then the 无数据 B3. On-track and completed indicators are not listed.
    assert [w.indicator_id for w in warnings] == ["A2", "B2", "B3"]
    first = warnings[0]
    assert first.binding and first.responsible == ("区住建局", "区水务局")
    assert first.gap == pytest.approx(8.0)  # 50 − 42
    assert first.shortfall == pytest.approx(0.4)
    assert "严重滞后" in first.reason
    assert warnings[2].status == Status.NO_DATA and warnings[2].gap is None
    assert warnings[0].to_json()["status_zh"] == "严重滞后" and warnings[0].to_json()["gap"] == pytest.approx(
        8.0
    )


def test_completeness_per_unit_and_year() -> None:
    expected = [("A1", "青岭镇"), ("A2", "青岭镇"), ("A1", "溪口街道"), ("A1", "青岭镇")]
    observations = [
        Observation("A1", 2022, 45.0, "青岭镇"),
        Observation("A2", 2022, 41.0, "青岭镇"),
        Observation("A1", 2023, 46.0, "青岭镇"),
        Observation("A2", 2023, float("nan"), "青岭镇"),  # an empty cell is not a report
        Observation("A1", 2023, 47.0, "溪口街道"),
        Observation("A1", 2023, 46.5, None),  # the district total does not count for a unit
    ]
    rows = {(r.org_unit, r.year): r for r in completeness(expected, observations, [2023, 2022])}
    assert rows[("青岭镇", 2022)].share == 1.0 and rows[("青岭镇", 2022)].expected == 2
    assert rows[("青岭镇", 2023)].reported == 1 and rows[("青岭镇", 2023)].missing == ("A2",)
    assert rows[("溪口街道", 2022)].share == 0.0
    assert rows[("溪口街道", 2023)].share == 1.0
    assert [key[1] for key in rows] == [2022, 2022, 2023, 2023]
    assert rows[("青岭镇", 2023)].to_json() == {
        "org_unit": "青岭镇",
        "year": 2023,
        "expected": 2,
        "reported": 1,
        "share": 0.5,
        "missing": ["A2"],
    }
