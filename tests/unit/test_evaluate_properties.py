"""Properties the evaluation must have whatever the numbers.

Mirror symmetry: negating baseline, target and values turns a higher-is-better indicator
into a lower-is-better one with the same progress, so status and completion must not
change. Monotonicity: for a higher-is-better indicator, a larger observed value never
gives a smaller completion or a worse status.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planwatch.evaluate import Direction, IndicatorSpec, PlanConfig, Status, Target, evaluate_indicator
from planwatch.extract.records import Comparator as C

CONFIG = PlanConfig(base_year=2020)
# From worst to best: a larger observed value must not move a result to the left.
RANK = [Status.SERIOUSLY_BEHIND, Status.BEHIND, Status.ON_TRACK, Status.AHEAD, Status.COMPLETED]

values = st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False)
comparators = st.sampled_from([(C.GE, C.LE), (C.GT, C.LT), (C.EQ, C.EQ), (C.ABOUT, C.ABOUT)])
attributes = st.sampled_from(["预期性", "约束性", None])
years = st.integers(min_value=2021, max_value=2025)


def level_spec(
    comparator: C, baseline: float, target: float, direction: Direction, attribute: str | None
) -> IndicatorSpec:
    return IndicatorSpec(
        id="青川区-指标",
        name="青川区示例指标",
        targets=(Target(2025, f"{target}", target, comparator),),
        baseline=baseline,
        baseline_year=2020,
        direction=direction,
        attribute=attribute,
    )


@settings(max_examples=300, deadline=None)
@given(values, values, st.lists(values, min_size=1, max_size=4), comparators, attributes, years)
def test_mirror_symmetry_of_higher_and_lower_is_better(
    baseline: float,
    target: float,
    observed: list[float],
    pair: tuple[C, C],
    attribute: str | None,
    year: int,
) -> None:
    up, down = pair
    series = {2021 + i: v for i, v in enumerate(observed)}
    higher = evaluate_indicator(
        level_spec(up, baseline, target, Direction.HIGHER, attribute), series, year, CONFIG
    )
    mirrored = {y: -v for y, v in series.items()}
    lower = evaluate_indicator(
        level_spec(down, -baseline, -target, Direction.LOWER, attribute), mirrored, year, CONFIG
    )
    assert higher.status == lower.status
    assert (higher.completion is None) == (lower.completion is None)
    if higher.completion is not None and lower.completion is not None:
        assert abs(higher.completion - lower.completion) <= 1e-9 * max(1.0, abs(higher.completion))
    assert higher.schedule == lower.schedule
    if higher.gap is not None and lower.gap is not None:
        assert abs(higher.gap - lower.gap) <= 1e-9 * max(1.0, abs(higher.gap))
    if higher.projected_linear is not None and lower.projected_linear is not None:
        assert abs(higher.projected_linear + lower.projected_linear) <= 1e-6 * max(
            1.0, abs(higher.projected_linear)
        )


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=1, max_value=100),
    st.floats(min_value=0.5, max_value=100),
    values,
    st.floats(min_value=0, max_value=500),
    st.sampled_from([C.GE, C.GT, C.EQ, C.ABOUT]),
    attributes,
    years,
)
def test_progress_is_monotone_in_the_observed_value(
    baseline: float,
    increase: float,
    value: float,
    step: float,
    comparator: C,
    attribute: str | None,
    year: int,
) -> None:
    spec = level_spec(comparator, baseline, baseline + increase, Direction.HIGHER, attribute)
    lower = evaluate_indicator(spec, {year: value}, year, CONFIG)
    higher = evaluate_indicator(spec, {year: value + step}, year, CONFIG)
    assert lower.completion is not None and higher.completion is not None
    assert higher.completion >= lower.completion
    assert RANK.index(higher.status) >= RANK.index(lower.status)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-20, max_value=30),
    st.lists(st.floats(min_value=-20, max_value=30), min_size=1, max_size=5),
    st.floats(min_value=0, max_value=20),
)
def test_growth_progress_is_monotone_in_each_years_rate(
    rate: float, observed: list[float], step: float
) -> None:
    spec = IndicatorSpec(
        id="青川区-增速",
        name="青川区地区生产总值年均增速",
        targets=(Target(2025, f"{rate}*", rate, C.EQ, annual_average=True),),
        baseline_year=2020,
    )
    series = {2021 + i: v for i, v in enumerate(observed)}
    faster = {**series, 2021: series[2021] + step}
    slow = evaluate_indicator(spec, series, 2025, CONFIG)
    fast = evaluate_indicator(spec, faster, 2025, CONFIG)
    assert slow.observed_cagr is not None and fast.observed_cagr is not None
    assert fast.observed_cagr >= slow.observed_cagr - 1e-12
    if slow.status in RANK and fast.status in RANK and rate > 0:
        assert RANK.index(fast.status) >= RANK.index(slow.status)
