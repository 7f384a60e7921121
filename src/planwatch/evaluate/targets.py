"""What kind of target an indicator has, and which way it should move.

Plans state targets as levels (≥, ≤, 左右, ranges), as changes from the baseline
(下降15%, 提高2个百分点), as average annual rates (``7.5*``), as amounts over the period
(新增5万平方米, 片区更新2个, 【累计】), without a number (完成市级下达目标) and as milestone rows
(2022 / 2024 / 2026; 2027年60%). Each target says which (its ``target_type``, set by extraction
or a correction; a target stored before types were kept is classified here, by the same
rules). The engine compares one quantity with one target, so each spec is reduced here to a
:class:`ResolvedTarget`: the evaluation mode, an absolute comparator, the printed number, and
the milestones that shape the required path.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from planwatch.errors import InputError
from planwatch.evaluate.models import AverageBasis, Direction, IndicatorSpec
from planwatch.extract.records import Comparator, Target, TargetType
from planwatch.extract.target_types import (
    classify_target,
    cumulative_counts_baseline,
    is_growth_rate_name,
    is_reduction_name,
    reduction_entered_cumulative,
)


class Mode(IntEnum):
    """The quantity compared with the target."""

    LEVEL = 0  # the latest value
    GROWTH = 1  # the growth factor since the baseline year (target: an average annual rate)
    CUMULATIVE = 2  # the sum of the yearly values since the baseline year
    MEAN = 3  # the mean of the yearly values since the baseline year
    NONE = 4  # no numeric target: 不可量化
    RATE = 5  # the latest yearly growth rate against a rate to reach every year (增长6.5%)
    REDUCTION = 6  # the reduction since the baseline year against the period's reduction target


class EntryKind(IntEnum):
    """What the clerk enters for an indicator, which decides how its values add up.

    A 增长/增速 indicator in % is entered as the year's growth rate, never as a level; a
    降低/下降 indicator in % as the year's reduction on the previous year (the figure the
    statistics bureau publishes), compounded into the reduction since the baseline year,
    unless its name says 累计, when the clerk enters that cumulative reduction directly. An
    amount over the period (cumulative target) is entered as the year's increment, summed
    into the running total; a target without a number as the period's verdict (达到/未达到/
    无法判断) with its evidence.
    """

    LEVEL = 0
    YEARLY_GROWTH = 1
    YEARLY_REDUCTION = 2
    CUMULATIVE_REDUCTION = 3
    INCREMENT = 4
    JUDGEMENT = 5


# What the entry form and the Excel template tell the clerk, for the kinds that are not levels.
ENTRY_HINTS_ZH = {
    EntryKind.YEARLY_GROWTH: "填本年比上年增长的百分比（如 6.5），不填总量；年均目标按各年增速连乘（几何平均）评估。",
    EntryKind.YEARLY_REDUCTION: "填本年比上年降低的百分比（如 2.8，降低记正数），不填累计数；"
    "系统按 1−Π(1−d/100) 复合为基期以来的累计降低率，与规划目标比较。",
    EntryKind.CUMULATIVE_REDUCTION: "填自基期年以来的累计降低百分比（如 8.4），不填当年降低率。",
    EntryKind.INCREMENT: "填本年度新完成（新增）的数量，不填累计数；系统把规划期内各年的数量相加，"
    "与规划期目标比较。本年没有新完成的填 0。",
    EntryKind.JUDGEMENT: "定性目标：选择“达到”“未达到”或“无法判断”，在备注中写明评估依据，"
    "在数据来源中注明佐证材料（文件名、文号或链接）。",
}


class Relative(IntEnum):
    """How a relative target is derived from the baseline B with the printed number X."""

    NONE = 0
    DECREASE_PCT = 1  # T = B·(1 − X/100)
    INCREASE_PCT = 2  # T = B·(1 + X/100)
    DECREASE_POINTS = 3  # T = B − X
    INCREASE_POINTS = 4  # T = B + X


# Direction codes in the vectorised path: +1 higher, −1 lower, 0 band, FROM_BASELINE decided
# by the sign of (target − baseline) once the baseline is known.
FROM_BASELINE = 2

_RELATIVE = {
    Comparator.DECREASE_BY_PCT: (Relative.DECREASE_PCT, Comparator.LE),
    Comparator.INCREASE_BY_PCT: (Relative.INCREASE_PCT, Comparator.GE),
    Comparator.DECREASE_BY_POINTS: (Relative.DECREASE_POINTS, Comparator.LE),
    Comparator.INCREASE_BY_POINTS: (Relative.INCREASE_POINTS, Comparator.GE),
}
RELATIVE_CODES = {comparator: code for comparator, (code, _) in _RELATIVE.items()}
_DIRECTION_OF = {
    Comparator.GE: 1,
    Comparator.GT: 1,
    Comparator.LE: -1,
    Comparator.LT: -1,
    Comparator.RANGE: 0,
    Comparator.EQ: FROM_BASELINE,
    Comparator.ABOUT: FROM_BASELINE,
}
_DIRECTION_CODE = {Direction.HIGHER: 1, Direction.LOWER: -1, Direction.BAND: 0}
# Words that make a plain or 左右 target lower-is-better when no baseline shows the way.
_LOWER_WORDS = re.compile("下降|降低|减少|压减|削减|控制|能耗|排放|死亡率|失业率|发生率|感染率")
_PERCENT = ("%", "％")


class ResolvedTarget(NamedTuple):
    mode: Mode
    comparator: Comparator  # absolute: >=, <=, >, <, =, ~, range
    relative: Relative
    value: float  # the printed number: level, total, rate in % or relative amount (nan if NONE)
    value_high: float  # upper bound of a range (nan otherwise)
    year: int
    direction: int  # +1, −1, 0 or FROM_BASELINE
    name_direction: int  # ±1 from the wording, used when the baseline is unknown
    rates: bool  # GROWTH from yearly growth rates rather than levels; REDUCTION from yearly reductions
    milestones: tuple[Target, ...]  # earlier numeric targets, in year order
    printed: str
    target_type: TargetType = TargetType.LEVEL  # of the final target, as given or classified
    from_baseline: bool = False  # CUMULATIVE: a running total counted on from the printed baseline


def target_type_of(target: Target, name: str, unit: str | None) -> TargetType:
    """The target's type as stored or extracted, else as the extraction rules classify it
    (targets stored before types were kept get theirs when they are evaluated)."""
    return target.target_type or classify_target(target, name, unit)


def final_target_type(name: str, unit: str | None, targets: tuple[Target, ...] | list[Target]) -> TargetType:
    """The type that decides what is entered and evaluated: the last numeric target's, or
    qualitative when no target has a number (a level while there is no target at all)."""
    numeric = sorted((t for t in targets if t.value is not None and t.target_type is not TargetType.QUALITATIVE),
                     key=_year_of)
    if not numeric:
        return TargetType.QUALITATIVE if targets else TargetType.LEVEL
    return target_type_of(numeric[-1], name, unit)


def resolve(spec: IndicatorSpec) -> ResolvedTarget:
    """Reduce the spec's targets to the one compared at the end of the plan, plus milestones."""
    numeric = [t for t in spec.targets if t.value is not None and t.target_type is not TargetType.QUALITATIVE]
    if len(numeric) > 1:
        numeric.sort(key=_year_of)
    name_direction = -1 if _LOWER_WORDS.search(spec.name) else 1
    if not numeric:
        printed = "；".join(f"{t.year}年{t.text}" for t in spec.targets)
        last_year = max((t.year for t in spec.targets), default=0)
        # A ratio (6.5:2.5:1) or a list of values is a level the engine cannot compare; only a
        # target without any number is qualitative, judged each period.
        qualitative = bool(spec.targets) and all(target_type_of(t, spec.name, spec.unit) is TargetType.QUALITATIVE
                                                 for t in spec.targets)
        return ResolvedTarget(
            Mode.NONE,
            Comparator.EQ,
            Relative.NONE,
            float("nan"),
            float("nan"),
            last_year,
            0,
            name_direction,
            False,
            (),
            printed,
            TargetType.QUALITATIVE if qualitative else TargetType.LEVEL,
        )
    final = numeric[-1]
    assert final.value is not None
    if final.comparator == Comparator.RANGE and final.value_high is None:
        raise InputError(
            f"indicator {spec.id}", f"range target {final.text!r} has no upper bound (value_high)"
        )
    kind = target_type_of(final, spec.name, spec.unit)
    relative, comparator = _RELATIVE.get(final.comparator, (Relative.NONE, final.comparator))
    mode, rates = _mode_of(spec, final, kind)
    value = final.value
    if kind is TargetType.CHANGE and relative == Relative.NONE and mode == Mode.LEVEL:
        # a change printed without 提高/下降 (corrected to a change): X in the indicator's good direction
        relative = Relative.INCREASE_POINTS if name_direction > 0 else Relative.DECREASE_POINTS
        comparator = Comparator.GE if name_direction > 0 else Comparator.LE
    if mode == Mode.CUMULATIVE and relative != Relative.NONE:
        relative = Relative.NONE  # 增加20% of an amount: the amount to add is what is compared
    if entry_kind(spec.name, spec.unit) in (EntryKind.YEARLY_REDUCTION, EntryKind.CUMULATIVE_REDUCTION):
        # The values are reductions: a larger one is better, and 降低13.5%, 【13.5】 and
        # [-13.5%] all ask for a reduction of at least 13.5.
        name_direction = 1
        value = abs(value)
        if relative != Relative.NONE:
            relative, comparator = Relative.NONE, Comparator.GE
    elif mode in (Mode.GROWTH, Mode.RATE) and relative != Relative.NONE:
        # 年均增长6% and 增长5% print the rate itself, not a change from the baseline:
        # a floor of +6 %, and 年均下降3% a ceiling of −3 %.
        relative = Relative.NONE
        if comparator == Comparator.LE:
            value = -value
    if spec.direction is not None:
        direction = _DIRECTION_CODE[spec.direction]
    elif comparator in (Comparator.EQ, Comparator.ABOUT) and mode in (Mode.GROWTH, Mode.RATE, Mode.REDUCTION):
        direction = name_direction  # a printed rate (7.5*) is a floor unless the name says it falls
    else:
        direction = _DIRECTION_OF[comparator]
    if spec.baseline_year is not None and final.year <= spec.baseline_year:
        raise InputError(
            f"indicator {spec.id}",
            f"target year {final.year} is not after the baseline year {spec.baseline_year}",
        )
    return ResolvedTarget(
        mode=mode,
        comparator=comparator,
        relative=relative,
        value=value,
        value_high=final.value_high if final.value_high is not None else float("nan"),
        year=final.year,
        direction=direction,
        name_direction=name_direction,
        rates=rates,
        milestones=tuple(numeric[:-1]) if mode in (Mode.LEVEL, Mode.CUMULATIVE) else (),
        printed=final.text,
        target_type=kind,
        from_baseline=mode == Mode.CUMULATIVE and cumulative_counts_baseline(final, spec.name),
    )


def _year_of(target: Target) -> int:
    return target.year


def entry_kind(name: str, unit: str | None, target_type: TargetType | None = None) -> EntryKind:
    """What the clerk enters for an indicator of this name, unit and (final) target type
    (see :class:`EntryKind`); without a type, what the name and unit say."""
    if target_type is TargetType.QUALITATIVE:
        return EntryKind.JUDGEMENT
    if is_reduction_name(name, unit):
        return EntryKind.CUMULATIVE_REDUCTION if reduction_entered_cumulative(name) else EntryKind.YEARLY_REDUCTION
    if is_growth_rate_name(name, unit) or (target_type is TargetType.RATE and unit is not None
                                           and unit.strip() in _PERCENT):
        return EntryKind.YEARLY_GROWTH
    if target_type is TargetType.CUMULATIVE:
        return EntryKind.INCREMENT
    return EntryKind.LEVEL


def entry_hint(name: str, unit: str | None, target_type: TargetType | None = None) -> str:
    """The sentence telling the clerk what to enter; empty for a plain level."""
    return ENTRY_HINTS_ZH.get(entry_kind(name, unit, target_type), "")


def _mode_of(spec: IndicatorSpec, target: Target, kind: TargetType) -> tuple[Mode, bool]:
    entered = entry_kind(spec.name, spec.unit, kind)
    if entered in (EntryKind.YEARLY_REDUCTION, EntryKind.CUMULATIVE_REDUCTION) and not target.annual_average:
        return Mode.REDUCTION, entered == EntryKind.YEARLY_REDUCTION
    if kind is TargetType.CUMULATIVE:
        return Mode.CUMULATIVE, False
    if kind is TargetType.RATE and entered == EntryKind.LEVEL and not target.annual_average:
        # X增长Y% of a level (亿元, 元): Y is the level's growth rate a year
        return Mode.GROWTH, False
    if not target.annual_average:
        return (Mode.RATE, True) if entered == EntryKind.YEARLY_GROWTH else (Mode.LEVEL, False)
    basis = spec.average_basis or default_average_basis(spec.name, spec.unit)
    if basis == AverageBasis.MEAN_OF_YEARS:
        return Mode.MEAN, False
    return Mode.GROWTH, basis == AverageBasis.YEARLY_RATES


def default_average_basis(name: str, unit: str | None = None) -> AverageBasis:
    """Guess what a ``年均`` target averages from the indicator's name and unit.

    增速/增长率 names, and 增长 names in % (地区生产总值年均增长 %), carry yearly growth rates,
    which compound; other names containing 年均 (年均因灾直接经济损失占比) average yearly
    values; any other name is a level whose average annual growth is targeted
    (地区生产总值 亿元 ``5.5*``).
    """
    entered = entry_kind(name, unit)
    if entered == EntryKind.YEARLY_GROWTH:
        return AverageBasis.YEARLY_RATES
    if entered == EntryKind.YEARLY_REDUCTION:
        return AverageBasis.MEAN_OF_YEARS
    if "年均" in name:
        return AverageBasis.MEAN_OF_YEARS
    return AverageBasis.LEVEL_GROWTH


def relative_targets(
    relative: npt.NDArray[np.int64], baseline: npt.NDArray[np.float64], amount: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The absolute targets relative ones imply (nan where the baseline is unknown)."""
    return np.select(
        [
            relative == Relative.DECREASE_PCT,
            relative == Relative.INCREASE_PCT,
            relative == Relative.DECREASE_POINTS,
            relative == Relative.INCREASE_POINTS,
        ],
        [baseline * (1 - amount / 100), baseline * (1 + amount / 100), baseline - amount, baseline + amount],
        amount,
    )
