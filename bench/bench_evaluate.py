"""Evaluation speed: 10,000 indicators × 10 years, then 100,000 × 10 (a million observations).

Targets: under 1 s and under 5 s on the project machine (2 cores). The indicators are a
synthetic mix of the target types found in real plans (levels in both directions, 左右,
ranges, 下降X%, 提高X个百分点, ``7.5*`` on levels and on yearly rates, 【累计】 totals,
milestones, ratios that cannot be quantified) with noisy trends and some missing values.
The time covers building every result; explanations are rendered when first read, and
the time to render all of them is printed separately. A sample of indicators is
also evaluated one by one to check the batch gives the same results.

Run: .venv/bin/python bench/bench_evaluate.py
"""

from __future__ import annotations

import time

import numpy as np

from planwatch.evaluate import (
    AverageBasis,
    IndicatorSpec,
    Observation,
    ObservationTable,
    PlanConfig,
    Target,
    evaluate_indicator,
    evaluate_plan,
)
from planwatch.extract.records import Comparator as C

BASE_YEAR, TARGET_YEAR, EVALUATION_YEAR = 2015, 2030, 2025
YEARS = np.arange(BASE_YEAR + 1, BASE_YEAR + 11)  # ten observed years
CONFIG = PlanConfig(base_year=BASE_YEAR)


def make_specs(n: int, rng: np.random.Generator) -> tuple[list[IndicatorSpec], np.ndarray, np.ndarray]:
    """Specs plus each indicator's starting value and yearly drift (for the observations)."""
    kinds = rng.choice(10, size=n, p=[0.3, 0.15, 0.05, 0.05, 0.08, 0.05, 0.1, 0.07, 0.1, 0.05])
    baseline = rng.uniform(10, 1000, size=n).round(2)
    drift = rng.normal(0.02, 0.03, size=n)
    specs = []
    for i in range(n):
        b = float(baseline[i])
        kind = int(kinds[i])
        attribute = "约束性" if i % 4 == 0 else "预期性"
        extra: dict[str, object] = {}
        if kind == 0:
            targets = (Target(TARGET_YEAR, f"≥{b * 1.3:.1f}", round(b * 1.3, 1), C.GE),)
        elif kind == 1:
            targets = (Target(TARGET_YEAR, f"控制在{b * 0.8:.1f}以下", round(b * 0.8, 1), C.LE),)
            drift[i] = -abs(drift[i])
        elif kind == 2:
            targets = (Target(TARGET_YEAR, f"{b * 1.2:.0f}左右", round(b * 1.2), C.ABOUT),)
        elif kind == 3:
            targets = (Target(TARGET_YEAR, "区间", round(b * 0.9, 1), C.RANGE, value_high=round(b * 1.1, 1)),)
        elif kind == 4:
            targets = (Target(TARGET_YEAR, "下降15%", 15.0, C.DECREASE_BY_PCT),)
            drift[i] = -abs(drift[i])
        elif kind == 5:
            targets = (Target(TARGET_YEAR, "提高5个百分点", 5.0, C.INCREASE_BY_POINTS),)
        elif kind == 6:
            targets = (Target(TARGET_YEAR, "6*", 6.0, C.EQ, annual_average=True),)
            extra["average_basis"] = AverageBasis.LEVEL_GROWTH
        elif kind == 7:
            targets = (Target(TARGET_YEAR, "【累计】", round(b * 15, 0), C.EQ, cumulative=True),)
        elif kind == 8:
            targets = tuple(
                Target(year, f"{b * f:.0f}", round(b * f), C.EQ)
                for year, f in ((2020, 1.1), (2025, 1.25), (2030, 1.4))
            )
        else:
            targets = (Target(TARGET_YEAR, "6.5:2.5:1", None, C.EQ),)
        specs.append(
            IndicatorSpec(
                id=f"I{i:06d}",
                name=f"示例指标{i}",
                targets=targets,
                unit="%",
                domain=f"领域{i % 7}",
                attribute=attribute,
                baseline_year=BASE_YEAR,
                baseline=b,
                responsible=(f"单位{i % 40}",),
                plan="示例区规划",
                **extra,  # type: ignore[arg-type]
            )
        )
    return specs, baseline, drift


def make_observations(baseline: np.ndarray, drift: np.ndarray, rng: np.random.Generator) -> ObservationTable:
    n = len(baseline)
    index = np.repeat(np.arange(n, dtype=np.int64), len(YEARS))
    year = np.tile(YEARS, n).astype(np.int64)
    steps = year - BASE_YEAR
    value = baseline[index] * (1 + drift[index]) ** steps * rng.normal(1.0, 0.01, size=len(index))
    value[rng.random(len(index)) < 0.03] = np.nan  # a few missing reports
    return ObservationTable(index, year, value)


def run(n: int, rng: np.random.Generator) -> None:
    specs, baseline, drift = make_specs(n, rng)
    table = make_observations(baseline, drift, rng)
    started = time.perf_counter()
    results = evaluate_plan(specs, table, EVALUATION_YEAR, CONFIG)
    seconds = time.perf_counter() - started
    observations = len(table.index)
    print(
        f"indicators={n:,}  observations={observations:,}  seconds={seconds:.3f}  "
        f"observations/s={observations / seconds:,.0f}"
    )
    started = time.perf_counter()
    rendered = sum(len(result.explanation.text_zh) for result in results)
    print(
        f"  rendering all {n:,} explanations ({rendered:,} characters): {time.perf_counter() - started:.3f} s"
    )
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status.label_zh] = statuses.get(result.status.label_zh, 0) + 1
    print("  statuses:", statuses)
    sample = rng.choice(n, size=min(n, 200), replace=False)
    for i in sample:
        rows = table.index == i
        values = [
            Observation(specs[i].id, int(y), float(v))
            for y, v in zip(table.year[rows], table.value[rows], strict=True)
        ]
        assert evaluate_indicator(specs[i], values, EVALUATION_YEAR, CONFIG) == results[i], specs[i].id
    print(f"  batch equals one-by-one evaluation for {len(sample)} sampled indicators")


def main() -> None:
    rng = np.random.default_rng(20251123)
    print(f"numpy {np.__version__}")
    run(10_000, rng)
    run(100_000, rng)


if __name__ == "__main__":
    main()
