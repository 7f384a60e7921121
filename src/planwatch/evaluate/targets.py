"""What kind of target an indicator has, and which way it should move.

Plans state targets as levels (≥, ≤, 左右, ranges), as changes from the baseline
(下降15%, 提高2个百分点), as average annual rates (``7.5*``), as five-year totals (【累计】)
and as milestone rows (2022 / 2024 / 2026). The engine compares one quantity with one
target, so each spec is reduced here to a :class:`ResolvedTarget`: the evaluation mode,
an absolute comparator, the printed number, and the milestones that shape the required
path.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from planwatch.errors import InputError
from planwatch.evaluate.models import AverageBasis, Direction, IndicatorSpec
from planwatch.extract.records import Comparator, Target


class Mode(IntEnum):
    """The quantity compared with the target."""

    LEVEL = 0  # the latest value
    GROWTH = 1  # the growth factor since the baseline year (target: an average annual rate)
    CUMULATIVE = 2  # the sum of the yearly values since the baseline year
    MEAN = 3  # the mean of the yearly values since the baseline year
    NONE = 4  # no numeric target: 不可量化


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
# Names whose observations are the yearly growth rates themselves (地区生产总值年均增速).
_RATE_WORDS = ("增速", "增长率", "增长速度", "增幅")


class ResolvedTarget(NamedTuple):
    mode: Mode
    comparator: Comparator  # absolute: >=, <=, >, <, =, ~, range
    relative: Relative
    value: float  # the printed number: level, total, rate in % or relative amount (nan if NONE)
    value_high: float  # upper bound of a range (nan otherwise)
    year: int
    direction: int  # +1, −1, 0 or FROM_BASELINE
    name_direction: int  # ±1 from the wording, used when the baseline is unknown
    rates: bool  # GROWTH from yearly growth rates rather than levels
    milestones: tuple[Target, ...]  # earlier numeric targets, in year order
    printed: str


def resolve(spec: IndicatorSpec) -> ResolvedTarget:
    """Reduce the spec's targets to the one compared at the end of the plan, plus milestones."""
    numeric = [t for t in spec.targets if t.value is not None]
    if len(numeric) > 1:
        numeric.sort(key=_year_of)
    name_direction = -1 if _LOWER_WORDS.search(spec.name) else 1
    if not numeric:
        printed = "；".join(f"{t.year}年{t.text}" for t in spec.targets)
        last_year = max((t.year for t in spec.targets), default=0)
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
        )
    final = numeric[-1]
    assert final.value is not None
    if final.comparator == Comparator.RANGE and final.value_high is None:
        raise InputError(
            f"indicator {spec.id}", f"range target {final.text!r} has no upper bound (value_high)"
        )
    relative, comparator = _RELATIVE.get(final.comparator, (Relative.NONE, final.comparator))
    mode, rates = _mode_of(spec, final)
    if spec.direction is not None:
        direction = _DIRECTION_CODE[spec.direction]
    elif comparator in (Comparator.EQ, Comparator.ABOUT) and mode == Mode.GROWTH:
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
        value=final.value,
        value_high=final.value_high if final.value_high is not None else float("nan"),
        year=final.year,
        direction=direction,
        name_direction=name_direction,
        rates=rates,
        milestones=tuple(numeric[:-1]) if mode == Mode.LEVEL else (),
        printed=final.text,
    )


def _year_of(target: Target) -> int:
    return target.year


def _mode_of(spec: IndicatorSpec, target: Target) -> tuple[Mode, bool]:
    if target.cumulative:
        return Mode.CUMULATIVE, False
    if not target.annual_average:
        return Mode.LEVEL, False
    basis = spec.average_basis or default_average_basis(spec.name)
    if basis == AverageBasis.MEAN_OF_YEARS:
        return Mode.MEAN, False
    return Mode.GROWTH, basis == AverageBasis.YEARLY_RATES


def default_average_basis(name: str) -> AverageBasis:
    """Guess what a ``年均`` target averages from the indicator's name.

    增速/增长率 names carry yearly growth rates; other names starting with or containing 年均
    (年均因灾直接经济损失占比) average yearly values; any other name is a level whose
    average annual growth is targeted (地区生产总值 ``5.5*``).
    """
    if any(w in name for w in _RATE_WORDS):
        return AverageBasis.YEARLY_RATES
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
