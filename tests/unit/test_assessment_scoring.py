"""The assessment's arithmetic, worked by hand (综合评价和绩效考核)."""

from __future__ import annotations

import pytest

from planwatch.evaluate import Status
from planwatch.evaluate.assessment import DEFAULT_SCHEME, Item, UnitScore, rank, score_unit, validate_scheme


def test_default_weights_add_up_to_100() -> None:
    assert sum(DEFAULT_SCHEME["weights"].values()) == 100


def test_a_unit_is_scored_only_on_what_it_carries() -> None:
    """Default weights: indicators 30, binding 20, tasks 20, projects 10, timeliness 7, completeness 8,
    quality 5. This unit has indicators (shares 1 and 0.5 → mean 0.75), binding (0 → 0) and
    tasks (0.8): 70 of the 100 weight points. Shared out: ×100/70. Indicators 30×100/70×0.75 =
    32.1429; binding 20×100/70×0 = 0; tasks 20×100/70×0.8 = 22.8571 → 55.0, then +2 bonus = 57.0."""
    unit = UnitScore(1, "区教委", "departments", items=[
        Item("indicators", "学前教育毛入园率", "已完成", 1.0), Item("indicators", "高中毛入学率", "滞后", 0.5),
        Item("binding_indicators", "义务教育巩固率", "严重滞后", 0.0), Item("tasks", "建设县域医共体", "推进中", 0.8)],
        adjustments=[(2.0, "获评市级示范")])
    score_unit(unit, validate_scheme(DEFAULT_SCHEME))
    assert unit.weights == pytest.approx({"indicators": 300 / 7, "binding_indicators": 200 / 7,
                                          "tasks": 200 / 7})
    assert unit.by_category["indicators"] == pytest.approx(32.1429, abs=1e-4)
    assert unit.by_category["binding_indicators"] == 0
    assert unit.by_category["tasks"] == pytest.approx(22.8571, abs=1e-4)
    assert unit.total == 57.0


def test_ranking_per_group_with_ties() -> None:
    units = [UnitScore(n, name, group, total=total) for n, (name, group, total) in enumerate([
        ("甲镇", "towns", 80.0), ("乙街道", "towns", 91.5), ("丙镇", "towns", 80.0), ("区统计局", "departments", 70.0)])]
    groups = rank(units)
    assert [(u.name, u.rank) for u in groups["towns"]] == [("乙街道", 1), ("丙镇", 2), ("甲镇", 2)]
    assert [(u.name, u.rank) for u in groups["departments"]] == [("区统计局", 1)]


@pytest.mark.parametrize(("scheme", "message"), [
    ({"weights": {"tasks": "三十"}}, "应为数字"),
    ({"weights": {"tasks": 120}}, "0 到 100"),
    ({"weights": {"luck": 5}}, "不存在"),
    ({"task_points": {"behind": 1.5}}, "0 到 1"),
    ({"weights": dict.fromkeys(DEFAULT_SCHEME["weights"], 0)}, "之和"),
])
def test_bad_schemes_are_refused_with_the_entry_named(scheme: dict[str, dict[str, object]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_scheme(scheme)


def test_every_evaluation_status_earns_its_documented_share() -> None:
    """The README's rule: on schedule all, 滞后 half, 严重滞后 and 无数据 nothing, and the
    statuses in which the figures cannot tell (缺基期值, 无法判断, 不可量化) half."""
    points = validate_scheme({})["indicator_points"]
    assert set(points) == {status.value for status in Status}
    assert points == {"completed": 1.0, "ahead": 1.0, "on_track": 1.0, "behind": 0.5, "seriously_behind": 0.0,
                      "no_data": 0.0, "missing_baseline": 0.5, "undetermined": 0.5, "not_quantifiable": 0.5}
