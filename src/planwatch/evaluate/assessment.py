"""The annual assessment of departments and towns (综合评价和绩效考核), as plain arithmetic.

Plans ask that their targets and tasks be “纳入综合评价和绩效考核”: each responsible unit is
scored on its indicators (约束性 ones weighted apart), its tasks' progress, its projects'
investment, and the timeliness, completeness and quality of its reporting, plus bonus and
deduction items entered by hand with a reason. The scheme — weights and the points each
status earns — belongs to the plan and year and is edited by the evaluation group.

A unit is only scored on what it carries: a category with no item for the unit has its
weight shared out over the unit's other categories, so that a town without projects is not
marked down for it. Every point is an :class:`Item` naming its rule, so the breakdown
explains the score to the unit.

Every evaluation status earns a share of an indicator item's points (``indicator_points``),
whatever the target's type: on schedule (已完成, 超前, 正常 — a qualitative target judged
达到) earns all; 滞后 (未达到) half; 严重滞后 (a binding target 未达到) and 无数据 (nothing
reported or judged) nothing; and the three statuses in which the figures cannot tell whether
the unit delivered — 缺基期值 (the plan printed no baseline a level needs), 无法判断 (the
reviewers accepted that the outcome cannot be judged yet, e.g. the city's figure is not out)
and 不可量化 (a target the system cannot compare that nobody has judged) — half, neither
full marks nor a zero for what the unit could not supply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CATEGORIES", "CATEGORY_ZH", "DEFAULT_SCHEME", "GROUP_ZH", "Item", "UnitScore", "rank", "score_unit", "validate_scheme"]

# The order in which categories are shown; the weights of the default scheme add up to 100.
CATEGORIES = ("indicators", "binding_indicators", "tasks", "projects", "timeliness", "completeness", "quality")
CATEGORY_ZH = {"indicators": "预期性指标", "binding_indicators": "约束性指标", "tasks": "重点任务", "projects": "重大项目",
               "timeliness": "报送及时性", "completeness": "报送完整性", "quality": "数据质量"}
GROUP_ZH = {"departments": "部门", "towns": "镇街"}

DEFAULT_SCHEME: dict[str, Any] = {
    "weights": {"indicators": 30, "binding_indicators": 20, "tasks": 20, "projects": 10, "timeliness": 7,
                "completeness": 8, "quality": 5},
    # share of an item's points that each evaluation status earns (every status; see the module docstring)
    "indicator_points": {"completed": 1.0, "ahead": 1.0, "on_track": 1.0, "behind": 0.5, "seriously_behind": 0.0,
                         "no_data": 0.0, "missing_baseline": 0.5, "undetermined": 0.5, "not_quantifiable": 0.5},
    # share that each reported task status earns; a task not reported earns nothing
    "task_points": {"completed": 1.0, "in_progress": 0.8, "suspended": 0.5, "behind": 0.3, "not_started": 0.0},
}


@dataclass(frozen=True, slots=True)
class Item:
    """One scored item: which category, what was scored, the rule applied and the share earned (0–1)."""

    category: str
    label: str
    rule: str
    share: float


@dataclass(slots=True)
class UnitScore:
    org_unit_id: int
    name: str
    group: str  # departments | towns
    items: list[Item] = field(default_factory=list)
    adjustments: list[tuple[float, str]] = field(default_factory=list)  # (points, reason)
    weights: dict[str, float] = field(default_factory=dict)  # effective weight per category, after sharing out
    by_category: dict[str, float] = field(default_factory=dict)  # points earned per category
    total: float = 0.0
    rank: int = 0


def validate_scheme(scheme: Mapping[str, Any]) -> dict[str, Any]:
    """A complete scheme from a stored or edited one; raises ValueError naming the bad entry."""
    out: dict[str, Any] = {key: dict(DEFAULT_SCHEME[key]) for key in DEFAULT_SCHEME}
    for key in ("weights", "indicator_points", "task_points"):
        for name, value in (scheme.get(key) or {}).items():
            if key == "weights" and name not in CATEGORIES:
                raise ValueError(f"权重项「{name}」不存在")
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"「{name}」应为数字，实际为「{value}」") from None
            if not 0 <= number <= (100 if key == "weights" else 1):
                raise ValueError(f"「{name}」应在 0 到 {100 if key == 'weights' else 1} 之间")
            out[key][name] = number
    if sum(out["weights"].values()) <= 0:
        raise ValueError("各项权重之和应大于 0")
    return out


def score_unit(unit: UnitScore, scheme: Mapping[str, Any]) -> UnitScore:
    """Weigh the unit's items: each category earns its weight times the mean share of its items;
    weights of categories without items are shared out over the others in proportion."""
    weights = scheme["weights"]
    present = {item.category for item in unit.items}
    carried = sum(float(weights[c]) for c in CATEGORIES if c in present)
    total_weight = sum(float(weights[c]) for c in CATEGORIES)
    unit.weights = {c: float(weights[c]) * total_weight / carried for c in CATEGORIES if c in present} if carried else {}
    unit.by_category = {}
    for category, weight in unit.weights.items():
        shares = [item.share for item in unit.items if item.category == category]
        unit.by_category[category] = round(weight * sum(shares) / len(shares), 4)
    unit.total = round(sum(unit.by_category.values()) + sum(points for points, _ in unit.adjustments), 2)
    return unit


def rank(units: Iterable[UnitScore]) -> dict[str, list[UnitScore]]:
    """Units ranked by total within their group (departments, towns); equal totals share a rank."""
    groups: dict[str, list[UnitScore]] = {}
    for unit in units:
        groups.setdefault(unit.group, []).append(unit)
    for members in groups.values():
        members.sort(key=lambda u: (-u.total, u.name))
        for position, unit in enumerate(members, start=1):
            previous = members[position - 2] if position > 1 else None
            unit.rank = previous.rank if previous is not None and previous.total == unit.total else position
    return groups
