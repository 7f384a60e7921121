"""Golden cases of the evaluation engine, one per target type and direction.

Every expected number is worked out by hand in the comment next to it (B baseline, T
target, V latest value, c completion, s time schedule, p progress required by now). The
indicators belong to the fictional 青川区 2021–2025 plan (base year 2020). Default
thresholds: 预期性 超前 ≥ +10, 正常 ≥ −10, 滞后 ≥ −30 points of completion against the
required progress; 约束性 超前 ≥ +10, 正常 ≥ −5, 滞后 ≥ −15.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from planwatch.errors import InputError
from planwatch.evaluate import (
    AverageBasis,
    CagrCategory,
    IndicatorSpec,
    PlanConfig,
    ProjectionVerdict,
    Status,
    Target,
    evaluate_indicator,
    evaluate_plan,
)
from planwatch.evaluate.from_extraction import spec_from_indicator
from planwatch.evaluate.models import Judgement, Observation, Verdict
from planwatch.evaluate.targets import Mode, resolve
from planwatch.extract.records import Comparator as C
from planwatch.extract.records import Indicator, TargetType

CONFIG = PlanConfig(base_year=2020)


@dataclass(frozen=True)
class Case:
    id: str
    spec: IndicatorSpec
    values: dict[int, float]
    expected: dict[str, Any]
    year: int = 2023
    in_text: tuple[str, ...] = ()  # numbers the explanation must show
    assessment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    judgements: tuple[Judgement, ...] = ()
    not_in_text: tuple[str, ...] = ()  # words the explanation must not use (缺基期值 where none is needed)


def spec(
    name: str,
    *targets: Target,
    baseline: float | None = None,
    baseline_year: int | None = 2020,
    attribute: str | None = "预期性",
    **kwargs: Any,
) -> IndicatorSpec:
    return IndicatorSpec(
        id=name,
        name=name,
        targets=targets,
        baseline=baseline,
        baseline_year=baseline_year,
        attribute=attribute,
        plan="青川区国民经济和社会发展第十四个五年规划",
        responsible=("区林业局",),
        **kwargs,
    )


FOREST = Target(2025, "≥60", 60.0, C.GE)
GDP_GROWTH = Target(2025, "7.5*", 7.5, C.EQ, annual_average=True)

CASES = [
    # B=45, T=60, V(2023)=54: c=(54−45)/(60−45)=9/15=0.6; s=(2023−2020)/(2025−2020)=0.6;
    # c−s=0 → 正常. Still required: (60/54)^(1/2)−1=0.0540926. Points (0,45)(1,48)(2,51)(3,54)
    # lie on 45+3x → linear at x=5: 60 (exact fit, chosen); (60−45)/(60−45)=1 → 可完成.
    # CAGR: observed (54/45)^(1/3)−1=0.062659, required (60/45)^(1/5)−1=0.059224 → 1.05800.
    # gap = 60−54 = 6.
    Case(
        "level_ge_on_track",
        spec("森林覆盖率", FOREST, baseline=45.0, unit="%"),
        {2021: 48, 2022: 51, 2023: 54},
        dict(
            status=Status.ON_TRACK,
            completion=0.6,
            schedule=0.6,
            required_progress=0.6,
            required_rate=0.0540926,
            cagr_ratio=1.05800,
            cagr_category=CagrCategory.ON_TRACK,
            projected_linear=60.0,
            projected=60.0,
            projection_method="linear",
            projected_ratio=1.0,
            projection_verdict=ProjectionVerdict.ACHIEVABLE,
            gap=6.0,
            current=54.0,
            target=60.0,
            data_year=2023,
        ),
        in_text=("(54−45)/(60−45)=60.0%", "(2023−2020)/(2025−2020)=60.0%", "正常"),
    ),
    # V=58: c=13/15=0.866667; c−s=+0.266667 ≥ 0.10 → 超前.
    Case(
        "level_ge_ahead",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2021: 50, 2022: 55, 2023: 58},
        dict(status=Status.AHEAD, completion=0.866667, schedule=0.6),
    ),
    # V=51: c=6/15=0.4; c−s=−0.2: ≥ −0.30 → 滞后 (预期性).
    Case(
        "level_ge_behind",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2023: 51},
        dict(status=Status.BEHIND, completion=0.4, gap=9.0),
    ),
    # The same numbers for a 约束性 indicator: −0.2 < −0.15 → 严重滞后.
    Case(
        "binding_stricter_serious",
        spec("森林覆盖率", FOREST, baseline=45.0, attribute="约束性"),
        {2023: 51},
        dict(status=Status.SERIOUSLY_BEHIND, completion=0.4),
    ),
    # V=52.5: c=7.5/15=0.5; c−s=−0.1 → 预期性 正常 (≥ −0.10) …
    Case(
        "expected_tolerance_edge",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2023: 52.5},
        dict(status=Status.ON_TRACK, completion=0.5),
    ),
    # … but 约束性 滞后 (−0.10 < −0.05, ≥ −0.15).
    Case(
        "binding_tolerance_edge",
        spec("森林覆盖率", FOREST, baseline=45.0, attribute="约束性"),
        {2023: 52.5},
        dict(status=Status.BEHIND, completion=0.5),
    ),
    # V=46: c=1/15=0.066667; c−s=−0.533 < −0.30 → 严重滞后.
    Case(
        "level_ge_seriously_behind",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2023: 46},
        dict(status=Status.SERIOUSLY_BEHIND, completion=0.066667),
    ),
    # Beyond the target: V=63 ≥ 60 → 已完成; c=18/15=1.2; gap=60−63=−3.
    Case(
        "value_beyond_target",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2022: 61, 2023: 63},
        dict(status=Status.COMPLETED, completion=1.2, gap=-3.0),
        in_text=("已完成",),
    ),
    # Lower is better, 控制在0.40以下: B=0.5, T=0.4, V=0.46: c=(0.46−0.5)/(0.4−0.5)=0.4;
    # c−s=−0.2 → 滞后. gap = −1·(0.4−0.46) = 0.06 still to cut.
    Case(
        "lower_le_behind",
        spec("单位地区生产总值能耗", Target(2025, "控制在0.40以下", 0.40, C.LE), baseline=0.5),
        {2023: 0.46},
        dict(status=Status.BEHIND, completion=0.4, schedule=0.6, gap=0.06),
    ),
    # 下降15%: T=40·(1−15/100)=34; V=36.4: c=(36.4−40)/(34−40)=0.6 → 正常; gap=−(34−36.4)=2.4.
    Case(
        "decrease_by_pct",
        spec("万元地区生产总值用水量", Target(2025, "下降15%", 15.0, C.DECREASE_BY_PCT), baseline=40.0),
        {2023: 36.4},
        dict(status=Status.ON_TRACK, completion=0.6, target=34.0, gap=2.4),
        in_text=("T=B·(1−X/100)=34",),
    ),
    # 提高2个百分点: T=62.5+2=64.5; V=64.8 ≥ 64.5 → 已完成; c=(64.8−62.5)/2=1.15.
    Case(
        "increase_by_points",
        spec("常住人口城镇化率", Target(2025, "提高2个百分点", 2.0, C.INCREASE_BY_POINTS), baseline=62.5),
        {2023: 64.8},
        dict(status=Status.COMPLETED, completion=1.15, target=64.5),
    ),
    # 提高10%: T=200·(1+10/100)=220; V=212: c=(212−200)/(220−200)=0.6 → 正常.
    Case(
        "increase_by_pct",
        spec("全社会研发经费支出", Target(2025, "提高10%", 10.0, C.INCREASE_BY_PCT), baseline=200.0),
        {2023: 212.0},
        dict(status=Status.ON_TRACK, completion=0.6, target=220.0),
    ),
    # 下降2个百分点: T=30−2=28; V=29.6: c=(29.6−30)/(28−30)=0.2; c−s=0.2−0.6=−0.4 < −0.30 → 严重滞后.
    Case(
        "decrease_by_points",
        spec("城镇居民恩格尔系数", Target(2025, "下降2个百分点", 2.0, C.DECREASE_BY_POINTS), baseline=30.0),
        {2023: 29.6},
        dict(status=Status.SERIOUSLY_BEHIND, completion=0.2, target=28.0, gap=1.6),
    ),
    # A plain "=" below the baseline is lower-is-better: B=10, T=8, V=8.9:
    # c=(8.9−10)/(8−10)=0.55; c−s=−0.05 ≥ −0.10 → 正常; gap=−1·(8−8.9)=0.9.
    Case(
        "plain_target_below_baseline",
        spec("化肥施用量", Target(2025, "8", 8.0, C.EQ), baseline=10.0),
        {2023: 8.9},
        dict(status=Status.ON_TRACK, completion=0.55, gap=0.9),
    ),
    # Strict ">6" reached exactly: V=6 is not > 6, so not 已完成; B=1.4 (2021):
    # c=(6−1.4)/(6−1.4)=1.0, s=(2023−2021)/(2025−2021)=0.5, c−s=+0.5 → 超前.
    Case(
        "strict_bound_reached_not_exceeded",
        spec(
            "规模以上工业营业收入利润率",
            Target(2025, ">6", 6.0, C.GT),
            baseline=1.4,
            baseline_year=2021,
        ),
        {2023: 6.0},
        dict(status=Status.AHEAD, completion=1.0, schedule=0.5),
    ),
    # Evaluated after the target year: s is capped at 1; V(2025)=58: c=13/15=0.866667,
    # c−s=−0.133 → 滞后; no years left, so no rate still required.
    Case(
        "after_the_target_year",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2024: 57, 2025: 58},
        dict(status=Status.BEHIND, completion=0.866667, schedule=1.0, required_rate=None, data_year=2025),
        year=2026,
    ),
    # A growth ceiling (年均增长控制在3%以内) on a level: B=100, V(2023)=108, F=1.08,
    # CAGR = 1.08^(1/3)−1 = 0.0259856 ≤ 0.03 → within the limit → 已完成;
    # gap = −1·(3−2.59856) = −0.40144 百分点.
    Case(
        "growth_ceiling_kept",
        spec(
            "能源消费总量",
            Target(2025, "年均增长3%以内", 3.0, C.LE, annual_average=True),
            baseline=100.0,
        ),
        {2023: 108.0},
        dict(status=Status.COMPLETED, observed_cagr=0.0259856, current=2.59856, gap=-0.40144),
    ),
    # The same ceiling broken: V=112 → CAGR = 1.12^(1/3)−1 = 0.0384988 > 0.03 → 滞后; gap = 3.84988−3 = 0.84988.
    Case(
        "growth_ceiling_broken",
        spec(
            "能源消费总量",
            Target(2025, "年均增长3%以内", 3.0, C.LE, annual_average=True),
            baseline=100.0,
        ),
        {2023: 112.0},
        dict(status=Status.BEHIND, observed_cagr=0.0384988, gap=0.84988),
    ),
    # 32左右 with the baseline in 2021 (27.3): higher since 32>27.3; met when V ≥ 32·(1−0.05)=30.4;
    # V=30.5 → 已完成; c=(30.5−27.3)/(32−27.3)=3.2/4.7=0.680851; s=(2023−2021)/(2025−2021)=0.5.
    Case(
        "about_met_within_tolerance",
        spec(
            "全口径工业增加值占地区生产总值比重",
            Target(2025, "32左右", 32.0, C.ABOUT),
            baseline=27.3,
            baseline_year=2021,
        ),
        {2022: 29.0, 2023: 30.5},
        dict(status=Status.COMPLETED, completion=0.680851, schedule=0.5),
    ),
    # Range 101—104 with B=103.37 inside: a band to keep. V=104.5 > 104 → not met → 滞后;
    # gap = 104.5−104 = 0.5 outside the band; no completion for a band.
    Case(
        "range_band_breached",
        spec(
            "出生人口性别比", Target(2025, "101.00—104.00", 101.0, C.RANGE, value_high=104.0), baseline=103.37
        ),
        {2023: 104.5},
        dict(status=Status.BEHIND, completion=None, gap=0.5),
    ),
    # Same band, V=103.9 inside → 已完成, gap 0.
    Case(
        "range_band_kept",
        spec(
            "出生人口性别比", Target(2025, "101.00—104.00", 101.0, C.RANGE, value_high=104.0), baseline=103.37
        ),
        {2023: 103.9},
        dict(status=Status.COMPLETED, gap=0.0),
    ),
    # Range approached from below: B=55 < 60 → goal towards 60; V=58: c=(58−55)/(60−55)=0.6 → 正常.
    Case(
        "range_goal_from_below",
        spec(
            "综合立体交通网主骨架能力利用率",
            Target(2025, "60%—85%", 60.0, C.RANGE, value_high=85.0),
            baseline=55.0,
        ),
        {2023: 58.0},
        dict(status=Status.ON_TRACK, completion=0.6),
    ),
    # Ceiling already respected (<5.5 with B=4.8): a limit. V=5.2 < 5.5 → 已完成 (达标);
    # gap = −1·(5.5−5.2) = −0.3 (negative: within the limit).
    Case(
        "ceiling_kept",
        spec("城镇调查失业率", Target(2025, "<5.5", 5.5, C.LT), baseline=4.8),
        {2023: 5.2},
        dict(status=Status.COMPLETED, completion=None, gap=-0.3),
    ),
    # V=5.7 ≥ 5.5 → breached: 预期性 滞后, gap = −1·(5.5−5.7) = 0.2.
    Case(
        "ceiling_breached",
        spec("城镇调查失业率", Target(2025, "<5.5", 5.5, C.LT), baseline=4.8),
        {2023: 5.7},
        dict(status=Status.BEHIND, gap=0.2),
    ),
    # … and 严重滞后 when the indicator is 约束性.
    Case(
        "ceiling_breached_binding",
        spec("城镇调查失业率", Target(2025, "<5.5", 5.5, C.LT), baseline=4.8, attribute="约束性"),
        {2023: 5.7},
        dict(status=Status.SERIOUSLY_BEHIND),
    ),
    # Target equal to baseline (≥50 with B=50, 耕地保有量): T−B=0 → a limit, no completion.
    # V=49 < 50 → breached; 约束性 → 严重滞后; gap = 50−49 = 1.
    Case(
        "target_equal_to_baseline",
        spec("耕地保有量", Target(2025, "不低于50", 50.0, C.GE), baseline=50.0, attribute="约束性"),
        {2023: 49.0},
        dict(status=Status.SERIOUSLY_BEHIND, completion=None, gap=1.0),
    ),
    # 7.5* on a level (地区生产总值): B=1000, V(2023)=1230. F=1.23;
    # observed CAGR = 1.23^(1/3)−1 = 0.0714413; target factor 1.075^5 = 1.4356293;
    # c=(1.23−1)/(1.4356293−1)=0.527972; p=(1.075^3−1)/(1.075^5−1)=0.556200; s=0.6;
    # c−p=−0.0282 → 正常. Still required: (1.4356293/1.23)^(1/2)−1 = 0.0803603.
    # CAGR ratio 0.0714413/0.075 = 0.952550 → on track. Shown as rates: current 7.14413 %, target 7.5 %,
    # gap = 7.5−7.14413 = 0.35587 百分点.
    Case(
        "annual_average_growth_of_level",
        spec("地区生产总值", GDP_GROWTH, baseline=1000.0, unit="亿元"),
        {2021: 1070, 2022: 1150, 2023: 1230},
        dict(
            status=Status.ON_TRACK,
            completion=0.527972,
            schedule=0.6,
            required_progress=0.556200,
            required_rate=0.0803603,
            observed_cagr=0.0714413,
            cagr_ratio=0.952550,
            cagr_category=CagrCategory.ON_TRACK,
            current=7.14413,
            target=7.5,
            gap=0.35587,
            gap_unit="百分点",
        ),
        in_text=("F=1230/1000=1.23", "F^(1/3)−1=7.1%", "55.6%"),
    ),
    # Yearly growth rates (人均可支配收入年均增速 7*): g = 8, 5, 6 % for 2021–2023;
    # F = 1.08·1.05·1.06 = 1.20204; CAGR = 1.20204^(1/3)−1 = 0.0632604;
    # target factor 1.07^5 = 1.4025517; c = 0.20204/0.4025517 = 0.501898;
    # p = (1.07^3−1)/(1.07^5−1) = 0.559041; c−p = −0.0571 → 正常;
    # still required ((1.4025517/1.20204)^(1/2)−1) = 0.0801896; ratio 0.0632604/0.07 = 0.903720 → 需要加速.
    Case(
        "annual_average_yearly_rates",
        spec(
            "常住居民人均可支配收入年均增速", Target(2025, "7*", 7.0, C.EQ, annual_average=True), baseline=6.7
        ),
        {2021: 8.0, 2022: 5.0, 2023: 6.0},
        dict(
            status=Status.ON_TRACK,
            completion=0.501898,
            required_progress=0.559041,
            required_rate=0.0801896,
            observed_cagr=0.0632604,
            cagr_ratio=0.903720,
            cagr_category=CagrCategory.ACCELERATION_NEEDED,
        ),
    ),
    # Negative growth against 7.5*: B=1000, V=950 → F=0.95, c=−0.05/0.4356293=−0.114776 < 0 → 严重滞后;
    # CAGR = 0.95^(1/3)−1 = −0.0169524; ratio = −0.0169524/0.075 = −0.226032 → 趋势恶化;
    # still required (1.4356293/0.95)^(1/2)−1 = 0.229304.
    Case(
        "negative_growth",
        spec("地区生产总值", GDP_GROWTH, baseline=1000.0),
        {2021: 980, 2023: 950},
        dict(
            status=Status.SERIOUSLY_BEHIND,
            completion=-0.114776,
            observed_cagr=-0.0169524,
            cagr_ratio=-0.226032,
            cagr_category=CagrCategory.DETERIORATION,
            required_rate=0.229304,
        ),
        in_text=("相反方向",),
    ),
    # 【累计】 total 2.5 over 2021–2025: S = 0.52+0.48+0.50 = 1.5; c = 1.5/2.5 = 0.6; s = 0.6 → 正常.
    # Linear fit of (1,0.52)(2,0.48)(3,0.50): slope = ((−1)(0.02)+0+(1)(0))/2 = −0.01,
    # intercept = 0.5+0.02 = 0.52 → 2024: 0.48, 2025: 0.47 → projected total 1.5+0.95 = 2.45.
    Case(
        "cumulative_total",
        spec("新增城镇就业", Target(2025, "【2.5】", 2.5, C.EQ, cumulative=True), unit="万人"),
        {2021: 0.52, 2022: 0.48, 2023: 0.50},
        dict(status=Status.ON_TRACK, completion=0.6, schedule=0.6, current=1.5, projected_linear=2.45),
        in_text=("累计值S=1.5", "S/T=1.5/2.5=60.0%"),
    ),
    # 年均…≤1% (mean of yearly values), no baseline: M = (0.8+1.3+0.6)/3 = 0.9 ≤ 1 → 已完成.
    Case(
        "mean_of_years_met",
        spec(
            "年均因自然灾害直接经济损失占地区生产总值比例",
            Target(2025, "≤1%", 1.0, C.LE, annual_average=True),
        ),
        {2021: 0.8, 2022: 1.3, 2023: 0.6},
        dict(status=Status.COMPLETED, current=0.9, completion=None),
    ),
    # M = (0.8+1.3+1.5)/3 = 1.2 > 1, no baseline → only the comparison is possible → 滞后, gap 0.2.
    Case(
        "mean_of_years_breached_without_baseline",
        spec(
            "年均因自然灾害直接经济损失占地区生产总值比例",
            Target(2025, "≤1%", 1.0, C.LE, annual_average=True),
            average_basis=AverageBasis.MEAN_OF_YEARS,
        ),
        {2021: 0.8, 2022: 1.3, 2023: 1.5},
        dict(status=Status.BEHIND, current=1.2, gap=0.2),
    ),
    # Milestones 2022: 2600, 2024: 3600, 2026: 4400 from B(2020)=2000. Required path in 2023:
    # 2600 + (3600−2600)·(2023−2022)/(2024−2022) = 3100 → p = (3100−2000)/(4400−2000) = 0.458333;
    # V=2900: c = 900/2400 = 0.375; c−p = −0.0833 ≥ −0.10 → 正常; s = (2023−2020)/(2026−2020) = 0.5.
    Case(
        "milestones",
        spec(
            "云资源规模",
            Target(2022, "2600", 2600.0, C.EQ),
            Target(2024, "3600", 3600.0, C.EQ),
            Target(2026, "4400", 4400.0, C.EQ),
            baseline=2000.0,
        ),
        {2021: 2300, 2022: 2600, 2023: 2900},
        dict(
            status=Status.ON_TRACK,
            completion=0.375,
            required_progress=0.458333,
            schedule=0.5,
            target_year=2026,
        ),
        in_text=("里程碑",),
    ),
    # A ratio target (6.5:2.5:1) is not a number → 不可量化, with the manual assessment carried.
    Case(
        "not_quantifiable",
        spec("三次产业结构", Target(2025, "6.5:2.5:1", None, C.EQ)),
        {2023: 1.0},
        dict(
            status=Status.NOT_QUANTIFIABLE,
            completion=None,
            manual_assessment="第三产业比重稳步提高，基本符合",
        ),
        assessment="第三产业比重稳步提高，基本符合",
        in_text=("人工评估",),
    ),
    # Only the baseline-year value is known → nothing after 2020 → 无数据.
    Case(
        "no_data",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2020: 45.0},
        dict(status=Status.NO_DATA, completion=None, gap=None, data_year=None),
    ),
    # Baseline missing, two observations: the earliest (2021: 200) stands in, t0 = 2021;
    # T = 244 (higher since 244 > 200); c = (220−200)/(244−200) = 0.454545;
    # s = (2023−2021)/(2025−2021) = 0.5; c−s = −0.045 → 正常.
    Case(
        "baseline_missing_stand_in",
        spec("铁路营业及在建里程", Target(2025, "达到244公里", 244.0, C.EQ), baseline_year=None),
        {2021: 200, 2023: 220},
        dict(status=Status.ON_TRACK, completion=0.454545, schedule=0.5),
        in_text=("最早观测值",),
    ),
    # Baseline missing and one observation only: "=" cannot be judged without progress; there is
    # data, so not 无数据 but 缺基期值 — someone has to enter the baseline.
    Case(
        "baseline_missing_one_observation",
        spec("铁路营业及在建里程", Target(2025, "达到244公里", 244.0, C.EQ), baseline_year=None),
        {2023: 220},
        dict(status=Status.MISSING_BASELINE, completion=None),
        in_text=("补充基期数据", "判定为缺基期值"),
    ),
    # The baseline year's value among the data is the baseline: B = V(2020) = 200, T = 244,
    # V(2023) = 226.4: c = 26.4/44 = 0.6, s = 0.6 → 正常.
    Case(
        "baseline_from_the_baseline_year_data",
        spec("铁路营业及在建里程", Target(2025, "达到244公里", 244.0, C.EQ)),
        {2020: 200, 2023: 226.4},
        dict(status=Status.ON_TRACK, completion=0.6),
        in_text=("取2020年观测值200为基期值",),
    ),
    # … while a floor (≥) can: 220 < 244 → 滞后 by comparison alone.
    Case(
        "baseline_missing_threshold",
        spec("铁路营业及在建里程", Target(2025, "244以上", 244.0, C.GE), baseline_year=None),
        {2023: 220},
        dict(status=Status.BEHIND, completion=None, gap=24.0),
    ),
    # A relative target without a baseline has no target value; the 2023 value is there → 缺基期值.
    Case(
        "relative_without_baseline",
        spec("万元地区生产总值用水量", Target(2025, "下降15%", 15.0, C.DECREASE_BY_PCT)),
        {2023: 36.4},
        dict(status=Status.MISSING_BASELINE, target=None, gap=None),
        in_text=("无法确定目标值", "缺少基期值（规划未列，2020年也没有观测值）"),
    ),
    # One observation with a baseline: the two points (0,45)(3,54) give slope 3 → 60 in 2025;
    # both fits are exact, the tie goes to the linear trend for a level target.
    Case(
        "one_observation",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2023: 54},
        dict(status=Status.ON_TRACK, completion=0.6, projected=60.0, projection_method="linear"),
    ),
    # No baseline and a single observation: nothing to fit → projection unknown.
    Case(
        "single_point_no_projection",
        spec("铁路营业及在建里程", Target(2025, "244以上", 244.0, C.GE), baseline_year=None),
        {2023: 250},
        dict(status=Status.COMPLETED, projected=None, projection_verdict=ProjectionVerdict.UNKNOWN),
    ),
    # Observations after the evaluation year are ignored: evaluating 2022 uses V(2022)=51,
    # c = 6/15 = 0.4, s = 2/5 = 0.4 → 正常.
    Case(
        "later_observations_ignored",
        spec("森林覆盖率", FOREST, baseline=45.0),
        {2021: 48, 2022: 51, 2023: 60},
        dict(status=Status.ON_TRACK, completion=0.4, schedule=0.4, data_year=2022),
        year=2022,
    ),
    # A growth indicator in % (居民人均可支配收入增长, 6.5*): the values are the yearly rates, never
    # levels (not F=6.4/6.1). g = 6.2, 6.3, 6.4 → F = 1.062·1.063·1.064 = 1.201156;
    # average = F^(1/3)−1 = 0.0630 (geometric: growth compounds); target factor 1.065^5 = 1.3700867;
    # c = 0.201156/0.3700867 = 0.543538; p = (1.065^3−1)/(1.065^5−1) = 0.561894; c−p = −0.018 → 正常.
    # Shown as rates: current 6.29997 %, target 6.5 %, gap 0.20003 百分点.
    Case(
        "growth_rate_indicator_average_target",
        spec("居民人均可支配收入增长", Target(2025, "6.5*", 6.5, C.EQ, annual_average=True), baseline=6.1,
             unit="%"),
        {2021: 6.2, 2022: 6.3, 2023: 6.4},
        dict(
            status=Status.ON_TRACK,
            completion=0.543538,
            required_progress=0.561894,
            observed_cagr=0.0629997,
            current=6.29997,
            target=6.5,
            gap=0.20003,
            gap_unit="百分点",
        ),
        in_text=("F=Π(1+g/100)=1.2012", "F^(1/3)−1=6.3%"),
    ),
    # 地区生产总值年均增长 % (年均增长5%以上): the 年均 in the name does not make it a plain mean;
    # g = 5.2, 4.8, 5.5 → F = 1.052·1.048·1.055 = 1.1631333 (the arithmetic mean 5.17 ≥ 5 would
    # say 已完成 two years early); c = 0.1631333/(1.05^5−1 = 0.2762816) = 0.590460;
    # p = (1.05^3−1)/0.2762816 = 0.570523; c−p = +0.020 → 正常; current = 1.1631333^(1/3)−1 = 5.16628 %.
    Case(
        "growth_rate_indicator_named_annual_average",
        spec("地区生产总值年均增长", Target(2025, "年均增长5%以上", 5.0, C.INCREASE_BY_PCT, annual_average=True),
             unit="%"),
        {2021: 5.2, 2022: 4.8, 2023: 5.5},
        dict(status=Status.ON_TRACK, completion=0.590460, required_progress=0.570523, current=5.16628,
             target=5.0),
    ),
    # A level with 年均增长6% (地区生产总值 亿元): the CAGR rules, 6 being the rate, not T=B·1.06.
    # B=1000, V(2023)=1190: F=1.19, CAGR = 1.19^(1/3)−1 = 0.0596985; target factor 1.06^5 = 1.3382256;
    # c = 0.19/0.3382256 = 0.561755; p = (1.06^3−1)/(1.06^5−1) = 0.564759 → 正常;
    # still required (1.3382256/1.19)^(1/2)−1 = 0.0604524; CAGR ratio 0.0596985/0.06 = 0.994975.
    Case(
        "level_with_average_growth_target",
        spec("地区生产总值", Target(2025, "年均增长6%", 6.0, C.INCREASE_BY_PCT, annual_average=True),
             baseline=1000.0, unit="亿元"),
        {2023: 1190.0},
        dict(status=Status.ON_TRACK, completion=0.561755, required_progress=0.564759,
             required_rate=0.0604524, cagr_ratio=0.994975, current=5.96985, target=6.0),
        in_text=("F=1190/1000=1.19", "按年均6%复合增长"),
    ),
    # A yearly rate target (规模以上工业增加值增长 %, 增长6%以上) is checked on the year's rate, not
    # derived from the 2020 rate (T=5·1.06=5.3 would call 5.6 已完成): 5.6 < 6 → 滞后, gap 0.4 百分点.
    Case(
        "growth_rate_indicator_yearly_target_missed",
        spec("规模以上工业增加值增长", Target(2025, "增长6%以上", 6.0, C.INCREASE_BY_PCT), baseline=5.0,
             unit="%"),
        {2021: 6.8, 2022: 6.3, 2023: 5.6},
        dict(status=Status.BEHIND, current=5.6, target=6.0, gap=0.4, gap_unit="百分点", completion=None),
        in_text=("2023年增速5.6%",),
    ),
    # … and 6.1 ≥ 6 → met this year → 已完成 (达标).
    Case(
        "growth_rate_indicator_yearly_target_met",
        spec("规模以上工业增加值增长", Target(2025, "增长6%以上", 6.0, C.INCREASE_BY_PCT), baseline=5.0,
             unit="%"),
        {2022: 5.5, 2023: 6.1},
        dict(status=Status.COMPLETED, current=6.1, gap=-0.1),
    ),
    # A reduction in % (单位地区生产总值能源消耗降低, 下降13.5% over 2021–2025), entered as each year's
    # reduction on the previous year d = 3.0, 2.5, 3.2 and compounded:
    # C = 1−0.97·0.975·0.968 = 1−0.915486 = 8.4514 % (not the sum 8.7); c = 8.4514/13.5 = 0.626030;
    # the same reduction every year: q = 0.865^(1/5), q^3 = 0.865^0.6 = 0.9166629,
    # p = (1−0.9166629)/0.135 = 0.617312; c−p = +0.009 → 正常; gap = 13.5−8.4514 = 5.0486 百分点.
    Case(
        "reduction_entered_yearly_compounded",
        spec("单位地区生产总值能源消耗降低", Target(2025, "下降13.5%", 13.5, C.DECREASE_BY_PCT), unit="%",
             attribute="约束性"),
        {2021: 3.0, 2022: 2.5, 2023: 3.2},
        dict(status=Status.ON_TRACK, current=8.4514, target=13.5, completion=0.626030,
             required_progress=0.617312, gap=5.0486, gap_unit="百分点"),
        in_text=("C=1−Π(1−d/100)=8.4514%", "(1−q^3)/0.135=61.7%"),
    ),
    # The same target printed 【13.5】 (five-year total): compounded as well, not summed (8.7).
    Case(
        "reduction_cumulative_target_compounded",
        spec("单位地区生产总值能源消耗降低", Target(2025, "【13.5】", 13.5, C.EQ, cumulative=True), unit="%",
             baseline=19.1),
        {2021: 3.0, 2022: 2.5, 2023: 3.2},
        dict(status=Status.ON_TRACK, current=8.4514, completion=0.626030),
    ),
    # A 累计降低 indicator is entered as the reduction since the base year: C(2023) = 8.4 as entered,
    # c = 8.4/13.5 = 0.622222 (not measured from the 2021 value 3.0); p = 0.617312 → 正常.
    Case(
        "reduction_entered_cumulative",
        spec("单位地区生产总值能源消耗累计降低", Target(2025, "13.5", 13.5, C.EQ), unit="%"),
        {2021: 3.0, 2022: 5.4, 2023: 8.4},
        dict(status=Status.ON_TRACK, current=8.4, completion=0.622222, required_progress=0.617312),
        in_text=("2023年填报的累计降低率C=8.4%",),
    ),
    # ---- target types as plans state them (青川区 2021–2025, base year 2020, evaluated 2023) ----
    # A level with a mid-period target: 2022年60 is a milestone on the way to 2025年80 from
    # B(2020)=40. Required path in 2023: 60 + (80−60)·(2023−2022)/(2025−2022) = 66.6667 →
    # p = (66.6667−40)/(80−40) = 0.666667; V=66: c = (66−40)/40 = 0.65; c−p = −0.0167 → 正常.
    Case(
        "type_level_mid_period_milestone",
        spec("完整社区覆盖率", Target(2022, "2022年60%", 60.0, C.EQ, target_type=TargetType.LEVEL),
             Target(2025, "80%", 80.0, C.EQ, target_type=TargetType.LEVEL), baseline=40.0, unit="%"),
        {2021: 50, 2022: 61, 2023: 66},
        dict(status=Status.ON_TRACK, completion=0.65, required_progress=0.666667, schedule=0.6, target=80.0,
             target_type="level"),
        in_text=("里程碑",),
    ),
    # The plan's only target is mid-period (2022年60%): tT = 2022; evaluated 2021:
    # s = (2021−2020)/(2022−2020) = 0.5; V=46: c = (46−40)/(60−40) = 0.3; c−s = −0.2 → 滞后.
    Case(
        "type_level_mid_period_only",
        spec("完整社区覆盖率", Target(2022, "2022年60%", 60.0, C.EQ, target_type=TargetType.LEVEL),
             baseline=40.0, unit="%"),
        {2021: 46},
        dict(status=Status.BEHIND, completion=0.3, schedule=0.5, target_year=2022),
        year=2021,
    ),
    # 提高3个百分点 from B=92: T = 92+3 = 95; V=93.2: c = 1.2/3 = 0.4; s = 0.6; c−s = −0.2 → 滞后.
    Case(
        "type_change_points",
        spec("高中阶段毛入学率", Target(2025, "提高3个百分点", 3.0, C.INCREASE_BY_POINTS,
                                     target_type=TargetType.CHANGE), baseline=92.0, unit="%"),
        {2023: 93.2},
        dict(status=Status.BEHIND, completion=0.4, target=95.0, target_type="change"),
        in_text=("T=B+X",),
    ),
    # X增长Y% of a level (亿元): a growth rate of 6 % a year. B=100, V(2023)=119.1016 = 100·1.06³:
    # F = 1.191016; target factor 1.06⁵ = 1.3382256; c = 0.191016/0.3382256 = 0.564759;
    # required on the compound path ((1.06)³−1)/((1.06)⁵−1) = 0.564759 → gap 0 → 正常;
    # achieved rate F^(1/3)−1 = 6.0 % = r → CAGR ratio 1.
    Case(
        "type_rate_of_a_level",
        spec("一般公共预算收入", Target(2025, "增长6%", 6.0, C.INCREASE_BY_PCT, target_type=TargetType.RATE),
             baseline=100.0, unit="亿元"),
        {2023: 119.1016},
        dict(status=Status.ON_TRACK, completion=0.564759, required_progress=0.564759, current=6.0,
             target=6.0, cagr_ratio=1.0, target_type="rate"),
    ),
    # An amount over the period, no baseline printed: S = 1+2+1 = 4 of T = 10 (2021–2025);
    # c = 4/10 = 0.4; s = 0.6; c−s = −0.2 → 滞后; gap 10−4 = 6. No baseline is asked for.
    Case(
        "type_cumulative_increments",
        spec("新建或改建口袋公园数量", Target(2025, "10", 10.0, C.EQ, target_type=TargetType.CUMULATIVE),
             unit="座"),
        {2021: 1, 2022: 2, 2023: 1},
        dict(status=Status.BEHIND, current=4.0, target=10.0, completion=0.4, schedule=0.6, gap=6.0,
             target_type="cumulative"),
        in_text=("累计值S=4", "S/T=4/10=40.0%", "不需基期值"),
        not_in_text=("基期值（", "缺少基期值", "缺基期值"),
    ),
    # 新建X means X over the period whatever baseline is printed (2 = the previous period's):
    # S = 1 ≥ T = 1 → 已完成, completion 1/1 = 1.
    Case(
        "type_cumulative_new_ignores_printed_baseline",
        spec("新建消防救援站", Target(2025, "1", 1.0, C.EQ, target_type=TargetType.CUMULATIVE),
             baseline=2.0, unit="座"),
        {2023: 1},
        dict(status=Status.COMPLETED, current=1.0, completion=1.0),
    ),
    # A running total 累计 from the printed baseline B(2020)=20: Σ = 15+15+18 = 48, S = 20+48 = 68;
    # c = (68−20)/(100−20) = 0.6; s = 0.6 → 正常.
    Case(
        "type_cumulative_running_total_from_baseline",
        spec("老旧住房综合修缮改造累计面积", Target(2025, "100", 100.0, C.EQ, target_type=TargetType.CUMULATIVE),
             baseline=20.0, unit="万平方米"),
        {2021: 15, 2022: 15, 2023: 18},
        dict(status=Status.ON_TRACK, current=68.0, completion=0.6, schedule=0.6),
        in_text=("S=20+48=68", "(68−20)/(100−20)=60.0%"),
    ),
    # Milestone 2022: 5 on the way to 50 (running total from 0). Path in 2023:
    # 5 + (50−5)·(2023−2022)/(2025−2022) = 20 → p = 20/50 = 0.4; S = 2+3+12 = 17 → c = 0.34;
    # c−p = −0.06 → 正常 (without the milestone p would be 0.6 and the status 滞后).
    Case(
        "type_cumulative_with_milestone",
        spec("累计数据调用量", Target(2022, "5", 5.0, C.EQ, target_type=TargetType.CUMULATIVE),
             Target(2025, "50", 50.0, C.EQ, target_type=TargetType.CUMULATIVE), unit="亿条"),
        {2021: 2, 2022: 3, 2023: 12},
        dict(status=Status.ON_TRACK, current=17.0, completion=0.34, required_progress=0.4),
        in_text=("里程碑",),
    ),
    # 约束性 amount: S = 0.5+0.8+0.9 = 2.2 of 5 → c = 0.44; s = 0.6; c−s = −0.16 < −0.15 → 严重滞后.
    Case(
        "type_cumulative_binding_seriously_behind",
        spec("新增各类绿化面积", Target(2025, "5", 5.0, C.EQ, target_type=TargetType.CUMULATIVE),
             unit="万平方米", attribute="约束性"),
        {2021: 0.5, 2022: 0.8, 2023: 0.9},
        dict(status=Status.SERIOUSLY_BEHIND, current=2.2, completion=0.44),
    ),
    # A qualitative target nobody has judged yet → 无数据 (a missing report, warned about).
    Case(
        "type_qualitative_not_judged",
        spec("细颗粒物浓度", Target(2025, "完成市下达目标", None, C.EQ, target_type=TargetType.QUALITATIVE,
                                  qualitative=True), attribute="约束性"),
        {},
        dict(status=Status.NO_DATA, judgement=None, data_year=None, target_type="qualitative"),
        in_text=("尚无经审核的评估",),
    ),
    # 达到 in 2023, before the target year 2025 → 正常; the evidence is carried to the text.
    Case(
        "type_qualitative_met_before_target_year",
        spec("地区生产总值年均增速", Target(2025, "与全市经济增速保持同步", None, C.EQ,
                                          target_type=TargetType.QUALITATIVE, qualitative=True)),
        {},
        dict(status=Status.ON_TRACK, data_year=2023, current=None, completion=None),
        judgements=(Judgement(2023, Verdict.MET, "全区增长5.6%，全市增长5.5%", "区统计局2023年统计公报"),),
        in_text=("2023年评估为“达到”", "全区增长5.6%", "区统计局2023年统计公报", "判定为正常"),
    ),
    # 达到 judged for the target year itself → 已完成.
    Case(
        "type_qualitative_met_in_target_year",
        spec("地区生产总值年均增速", Target(2025, "与全市经济增速保持同步", None, C.EQ,
                                          target_type=TargetType.QUALITATIVE, qualitative=True)),
        {},
        dict(status=Status.COMPLETED, data_year=2025),
        judgements=(Judgement(2025, Verdict.MET, "全区增长5.2%，全市增长5.0%"),),
        year=2025,
    ),
    # 未达到 of a 约束性 target → 严重滞后, like a breached binding limit.
    Case(
        "type_qualitative_not_met_binding",
        spec("单位生产总值二氧化碳排放降低", Target(2025, "完成市下达目标", None, C.EQ,
                                                  target_type=TargetType.QUALITATIVE, qualitative=True),
             unit="%", attribute="约束性"),
        {},
        dict(status=Status.SERIOUSLY_BEHIND, data_year=2023),
        judgements=(Judgement(2023, Verdict.NOT_MET, "下降2.1%，市下达年度目标下降3%"),),
        in_text=("约束性指标未达到要求",),
    ),
    # 无法判断 (the city's figure is not published yet) → 无法判断, warned like missing data.
    Case(
        "type_qualitative_undetermined",
        spec("社会消费品零售总额年均增速", Target(2025, "高于全市平均水平", None, C.EQ,
                                                target_type=TargetType.QUALITATIVE, qualitative=True)),
        {},
        dict(status=Status.UNDETERMINED, data_year=2023),
        judgements=(Judgement(2023, Verdict.UNDETERMINED, "全市数据尚未公布"),),
    ),
    # The latest judged period up to the evaluation year counts: 2022 未达到, 2023 达到 → 正常 in
    # 2023; the 2024 judgement is after the evaluation year and ignored.
    Case(
        "type_qualitative_latest_period",
        spec("区级一般公共预算收入年均增速", Target(2025, "与全市保持同步", None, C.EQ,
                                                  target_type=TargetType.QUALITATIVE, qualitative=True)),
        {},
        dict(status=Status.ON_TRACK, data_year=2023),
        judgements=(Judgement(2022, Verdict.NOT_MET, "低于全市"), Judgement(2023, Verdict.MET, "高于全市"),
                    Judgement(2024, Verdict.NOT_MET, "低于全市")),
    ),
    # A ratio target judged by the reviewers: the verdict decides as for a qualitative one.
    Case(
        "type_ratio_judged",
        spec("三次产业结构", Target(2025, "6.5:2.5:1", None, C.EQ)),
        {},
        dict(status=Status.BEHIND, target_type="level"),
        judgements=(Judgement(2023, Verdict.NOT_MET, "第三产业比重为58%，低于要求"),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden(case: Case) -> None:
    result = evaluate_indicator(case.spec, case.values, case.year, CONFIG, case.assessment, case.judgements)
    for name, expected in case.expected.items():
        actual = getattr(result, name)
        if isinstance(expected, float) and not isinstance(expected, bool):
            assert actual == pytest.approx(expected, rel=1e-5, abs=1e-6), name
        else:
            assert actual == expected, name
    for fragment in case.in_text:
        assert fragment in result.explanation.text_zh
    for fragment in case.not_in_text:
        assert fragment not in result.explanation.text_zh
    assert result.explanation.formula


def test_growth_rate_target_is_not_explained_as_relative_to_the_baseline() -> None:
    case = next(c for c in CASES if c.id == "level_with_average_growth_target")
    text = evaluate_indicator(case.spec, case.values, case.year, CONFIG).explanation.text_zh
    assert "T=B·(1+X/100)" not in text


def test_batch_gives_the_same_results_as_single_indicators() -> None:
    specs = [replace(c.spec, id=c.id) for c in CASES]
    observations = [
        Observation(s.id, y, v) for s, c in zip(specs, CASES, strict=True) for y, v in c.values.items()
    ]
    assessments = {s.id: c.assessment for s, c in zip(specs, CASES, strict=True) if c.assessment}
    judgements = {s.id: c.judgements for s, c in zip(specs, CASES, strict=True)}
    batch = {r.indicator_id: r for r in evaluate_plan(specs, observations, 2023, CONFIG, assessments, judgements)}
    for s, c in zip(specs, CASES, strict=True):
        single = evaluate_indicator(s, c.values, 2023, CONFIG, c.assessment, c.judgements)
        assert batch[s.id] == single


def test_result_json_is_a_complete_record() -> None:
    result = evaluate_indicator(CASES[0].spec, CASES[0].values, 2023, CONFIG)
    record = result.to_json()
    assert record["status"] == "on_track" and record["status_zh"] == "正常"
    assert record["completion"] == pytest.approx(0.6)
    assert record["explanation"]["inputs"]["baseline"] == 45.0
    assert "完成进度" in record["explanation"]["formula"]


def test_range_without_upper_bound_is_an_input_error() -> None:
    broken = spec("出生人口性别比", Target(2025, "101—", 101.0, C.RANGE), baseline=103.0)
    with pytest.raises(InputError, match=r"出生人口性别比: range target .*value_high"):
        evaluate_indicator(broken, {2023: 103.0}, 2023, CONFIG)


def test_observation_of_unknown_indicator_is_an_input_error() -> None:
    with pytest.raises(InputError, match="'森林'"):
        evaluate_plan([CASES[0].spec], [Observation("森林", 2023, 1.0)], 2023, CONFIG)


def test_spec_from_an_extracted_indicator() -> None:
    record = Indicator(
        file="青川区十四五规划.txt",
        line=120,
        plan="青川区国民经济和社会发展第十四个五年规划",
        name="森林覆盖率",
        unit="%",
        domain="生态环境",
        attribute="约束性",
        baseline_year=2020,
        baseline="45",
        targets=(FOREST,),
        kind="table",
        responsible=("区林业局",),
    )
    converted = spec_from_indicator(record, "F1")
    assert converted.baseline == 45.0 and converted.binding and converted.targets == (FOREST,)
    # Same numbers as level_ge_behind, but 约束性: c=0.4, s=0.6, −0.2 < −0.15 → 严重滞后.
    assert evaluate_indicator(converted, {2023: 51}, 2023, CONFIG).status == Status.SERIOUSLY_BEHIND
    ratio = replace(record, baseline="1.95:1", attribute="—")
    assert spec_from_indicator(ratio, "F2").baseline is None
    assert spec_from_indicator(ratio, "F2").attribute is None
    change = replace(record, baseline="[-15.5%]")
    assert spec_from_indicator(change, "F3").baseline is None


def test_duplicate_indicator_ids_are_an_input_error() -> None:
    first = CASES[0].spec
    with pytest.raises(InputError, match="'森林覆盖率' occurs more than once"):
        evaluate_plan([first, replace(first, name="森林蓄积量")], [], 2023, CONFIG)


def _shared() -> Path:
    return Path(os.environ.get("PLANWATCH_SHARED", Path(__file__).resolve().parents[3] / "shared"))


def _gold_indicators() -> list[Indicator]:
    gold = _shared() / "gold"
    if not gold.is_dir():
        pytest.skip(f"{gold} is not present")
    records = []
    for path in sorted(gold.glob("*.indicators.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            targets = tuple(
                Target(
                    t["year"],
                    t["text"],
                    t["value"],
                    C(t["comparator"]),
                    t.get("value_high"),
                    t.get("annual_average", False),
                    t.get("cumulative", False),
                )
                for t in item["targets"]
            )
            fields = {k: item.get(k) for k in ("file", "line", "plan", "name", "unit", "domain", "attribute")}
            records.append(
                Indicator(
                    **fields,
                    baseline_year=item.get("baseline_year"),
                    baseline=item.get("baseline"),
                    targets=targets,
                    kind=item["kind"],
                    responsible=tuple(item.get("responsible", ())),
                )
            )
    return records


@pytest.mark.shared
def test_every_target_in_the_gold_indicators_is_evaluated() -> None:
    """The real plans' targets, with invented observations: each gets a status and an explanation."""
    records = _gold_indicators()
    specs = [spec_from_indicator(r, f"{r.file}:{r.line}:{i}") for i, r in enumerate(records)]
    observations = []
    for s in specs:
        numeric = [t for t in s.targets if t.value is not None]
        if not numeric:
            continue
        final = max(numeric, key=lambda t: t.year)
        start = s.baseline if s.baseline is not None else final.value
        assert start is not None
        # Two yearly values before the final target year: 90 % and 95 % of the way from the start.
        for offset, share in ((2, 0.9), (1, 0.95)):
            observations.append(
                Observation(s.id, final.year - offset, start * share + final.value * (1 - share))
            )
    results = evaluate_plan(specs, observations, 2100, PlanConfig())
    assert len(results) == len(records) > 300
    kinds = {resolve(s).mode for s in specs}
    assert {Mode.LEVEL, Mode.GROWTH, Mode.MEAN, Mode.NONE} <= kinds
    for s, r in zip(specs, results, strict=True):
        quantifiable = any(t.value is not None for t in s.targets)
        assert (r.status == Status.NOT_QUANTIFIABLE) == (not quantifiable), s.name
        assert s.name in r.explanation.text_zh
        assert r.status in Status


def test_totals_and_means_count_every_year_when_no_baseline_year_is_known() -> None:
    # Neither plan nor indicator names a baseline year: all three years count.
    # M = (0.8+1.3+0.6)/3 = 0.9; S = 0.52+0.48+0.50 = 1.5, c = 1.5/2.5 = 0.6, s = (2023−2020)/(2025−2020) = 0.6.
    mean = spec(
        "年均因自然灾害直接经济损失占地区生产总值比例", Target(2025, "≤1%", 1.0, C.LE, annual_average=True)
    )
    total = spec("新增城镇就业", Target(2025, "【2.5】", 2.5, C.EQ, cumulative=True))
    no_base = PlanConfig()
    mean_result = evaluate_indicator(
        replace(mean, baseline_year=None), {2021: 0.8, 2022: 1.3, 2023: 0.6}, 2023, no_base
    )
    assert mean_result.current == pytest.approx(0.9) and mean_result.status == Status.COMPLETED
    total_result = evaluate_indicator(
        replace(total, baseline_year=None), {2021: 0.52, 2022: 0.48, 2023: 0.5}, 2023, no_base
    )
    assert total_result.current == pytest.approx(1.5)
    assert total_result.completion == pytest.approx(0.6) and total_result.schedule == pytest.approx(0.6)
    assert "2021—2023年各年数值之和（3个年度）" in total_result.explanation.text_zh
