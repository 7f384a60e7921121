"""Plausibility flags on a submitted figure: the questions a reviewer should ask before approving.

A flag never refuses a value (a clerk may have a true figure that looks odd); it puts the
figure in front of the reviewer with a sentence saying what looks wrong. Three checks,
besides the DHIS2-style outlier rule of :mod:`planwatch.services.observations`:

* ``range`` — outside what the unit allows: a share in % above 100 or below 0, a count or an
  amount below 0, a growth or reduction rate beyond ±100 % in a year;
* ``jump`` — more than double or less than half of last year's level, or a rate more than
  :data:`JUMP_POINTS` points away from last year's;
* ``trajectory`` — far off the straight line from the baseline (or last year's value) to the
  plan's target: further than half the planned change.

The checks read the :class:`~planwatch.services.entry_context.IndicatorContext` the entry
form shows, so the clerk sees the same baseline, target and last year's value the flags use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from planwatch.evaluate.targets import RELATIVE_CODES, EntryKind, relative_targets
from planwatch.extract.records import Comparator
from planwatch.services.entry_context import IndicatorContext, PreviousValue, TargetView

__all__ = ["FLAG_CODES", "JUMP_POINTS", "JUMP_RATIO", "TRAJECTORY_SHARE", "Flag", "plausibility_flags"]

JUMP_RATIO: Final = 2.0  # a level more than double or less than half of last year's
JUMP_POINTS: Final = 10.0  # a yearly rate more than 10 percentage points from last year's
TRAJECTORY_SHARE: Final = 0.5  # off the straight line by more than half the planned change
FLAG_CODES: Final = ("range", "jump", "trajectory", "outlier")

_PERCENT = frozenset({"%", "％"})
_PER_MILLE = frozenset({"‰"})
_LEVEL_TARGETS = frozenset({Comparator.GE, Comparator.GT, Comparator.LE, Comparator.LT, Comparator.EQ,
                            Comparator.ABOUT, Comparator.RANGE})


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # one of FLAG_CODES
    message: str  # the question for the reviewer, in Chinese, with the figures


def _g(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _range_flag(context: IndicatorContext, value: float) -> Flag | None:
    unit = context.unit.strip()
    if context.kind is EntryKind.LEVEL:
        if unit in _PERCENT and not 0 <= value <= 100:
            return Flag("range", f"百分比一般在 0–100 之间，填报值为 {_g(value)}%")
        if unit in _PER_MILLE and not 0 <= value <= 1000:
            return Flag("range", f"千分比一般在 0–1000 之间，填报值为 {_g(value)}‰")
        if value < 0:
            return Flag("range", f"{context.unit or '数量'}不应为负数，填报值为 {_g(value)}")
        return None
    label = "增长率" if context.kind is EntryKind.YEARLY_GROWTH else "降低率"
    if not -100 < value <= 100:
        return Flag("range", f"{label}超过 ±100%，填报值为 {_g(value)}%，请确认是否把总量填成了{label}")
    return None


def _jump_flag(context: IndicatorContext, value: float, previous: float) -> Flag | None:
    if context.kind is not EntryKind.LEVEL:
        if abs(value - previous) > JUMP_POINTS:
            return Flag("jump", f"比上年（{_g(previous)}%）变化 {_g(value - previous)} 个百分点，"
                                f"超过 {_g(JUMP_POINTS)} 个百分点")
        return None
    if previous > 0 and value >= 0 and not previous / JUMP_RATIO <= value <= previous * JUMP_RATIO:
        change = (value - previous) / previous * 100
        return Flag("jump", f"比上年（{_g(previous)}）变化 {'+' if change > 0 else ''}{change:.0f}%，"
                            f"超过上年的 {_g(JUMP_RATIO)} 倍或不到一半，请核实单位和小数点")
    return None


def _level_of(target: TargetView, baseline: float | None) -> float | None:
    """The absolute level a level-type target asks for (a range's midpoint; a relative
    target from the baseline); None when it cannot be told."""
    if target.value is None or target.annual_average or target.cumulative:
        return None
    if target.comparator == Comparator.RANGE:
        return (target.value + target.value_high) / 2 if target.value_high is not None else None
    if target.comparator in _LEVEL_TARGETS:
        return target.value
    relative = RELATIVE_CODES.get(Comparator(target.comparator))
    if relative is None or baseline is None:
        return None
    level = relative_targets(np.array([relative]), np.array([baseline]), np.array([target.value]))
    return float(level[0])


def _trajectory_flag(context: IndicatorContext, year: int, value: float) -> Flag | None:
    if context.kind is not EntryKind.LEVEL or context.final_target is None:
        return None
    target = context.final_target
    level = _level_of(target, context.baseline)
    if level is None:
        return None
    if context.baseline is not None and context.baseline_year is not None and context.baseline_year < year:
        start_year, start, basis = context.baseline_year, context.baseline, "基期"
    elif context.previous is not None and context.previous.value is not None:
        start_year, start, basis = year - 1, context.previous.value, "上年"
    else:
        return None
    if target.year <= start_year or level == start:
        return None
    share = min(1.0, (year - start_year) / (target.year - start_year))
    expected = start + (level - start) * share
    if abs(value - expected) <= abs(level - start) * TRAJECTORY_SHARE:
        return None
    return Flag("trajectory", f"按{basis} {start_year} 年 {_g(start)} 到 {target.year} 年目标 {_g(level)} 的进度，"
                              f"{year} 年应约为 {_g(expected)}，填报值 {_g(value)} 偏离超过计划变化量的一半")


def plausibility_flags(context: IndicatorContext, year: int, value: float | None, *,
                       breakdown: PreviousValue | None = None, is_breakdown: bool = False) -> list[Flag]:
    """The flags of ``value`` reported for ``year``. For a breakdown (female, rural) pass
    ``is_breakdown`` and its own value a year earlier as ``breakdown``: the plan's targets
    and the context's last year's value are the unit's totals, so only the range and the
    jump from the breakdown's own last value apply."""
    if value is None:
        return []
    flags = [_range_flag(context, value)]
    last = breakdown if is_breakdown else context.previous
    if last is not None and last.value is not None:
        flags.append(_jump_flag(context, value, last.value))
    if not is_breakdown:
        flags.append(_trajectory_flag(context, year, value))
    return [f for f in flags if f is not None]
