"""The evaluation arithmetic, over arrays with one row per indicator.

Single indicators go through the same code as a batch of one, so the explainable result
and the bulk result cannot disagree. Notation follows docs/DESIGN.md "Evaluation
methods": baseline B at year t0, target T at year tT, latest value V at year t, plan length
N = tT − t0, elapsed k = t − t0.

Every mode is reduced to comparing one quantity with one target:

- LEVEL: V with T (relative targets: T derived from B);
- GROWTH: the growth factor since t0 (V/B for levels, Π(1 + g/100) for yearly rates)
  with (1 + r)^N, r the printed average annual rate, baseline 1;
- CUMULATIVE: the sum of the yearly increments after t0 with the printed total, baseline 0
  (a running total, 累计 from a printed baseline: B + the sum, baseline B);
- MEAN: the mean of the yearly values after t0 with the printed level;
- RATE: the latest yearly growth rate with the rate asked for every year (a limit, as a
  rate is not a level that accumulates progress);
- REDUCTION: the reduction since t0 in % (1 − Π(1 − d/100) of the yearly reductions d, or
  the cumulative reduction as entered) with the printed reduction, baseline 0;
- NONE: no number to compare: the reviewers' verdict of the latest judged period decides.

A target is a *goal* when it asks for change in the indicator's good direction (completion
progress is then meaningful) and a *limit* otherwise (a ceiling already respected, a band,
a level to keep): limits are only met or breached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from planwatch.errors import InputError
from planwatch.evaluate.models import IndicatorSpec, ObservationTable, PlanConfig
from planwatch.evaluate.projection import fit_trends
from planwatch.evaluate.status import COMPARATOR_CODES, EPS, Kind, judged_status, met_target, status_codes
from planwatch.evaluate.targets import (
    FROM_BASELINE,
    RELATIVE_CODES,
    Mode,
    Relative,
    ResolvedTarget,
    relative_targets,
)
from planwatch.extract.records import Comparator, TargetType

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_YEAR_KEY = 100_000  # years are keyed as index·_YEAR_KEY + year


class BaselineSource(IntEnum):
    SPEC = 0  # as printed in the plan
    OBSERVED = 1  # the observation of the baseline year
    EARLIEST = 2  # baseline missing: the earliest observation stands in
    NONE = 3


@dataclass(frozen=True, slots=True)
class Inputs:
    """Per indicator, what the specs say (arrays of length n)."""

    mode: Ints
    comparator: Ints
    relative: Ints
    value: Floats
    value_high: Floats
    target_year: Ints
    direction: Ints
    name_direction: Ints
    rates: Bools
    from_baseline: Bools  # CUMULATIVE counted on from the printed baseline (a running total)
    qualitative: Bools  # NONE because the target has no number (not a ratio the engine cannot compare)
    base_year: Ints  # −1: unknown
    baseline: Floats
    binding: Bools
    ahead: Floats
    tolerance: Floats
    serious: Floats


def inputs_of(
    specs: Sequence[IndicatorSpec], resolved: Sequence[ResolvedTarget], config: PlanConfig
) -> Inputs:
    base = -1 if config.base_year is None else config.base_year
    thresholds = [config.thresholds_for(s) for s in specs]
    return Inputs(
        mode=np.array([r.mode for r in resolved], dtype=np.int64),
        comparator=np.array([COMPARATOR_CODES[r.comparator] for r in resolved], dtype=np.int64),
        relative=np.array([r.relative for r in resolved], dtype=np.int64),
        value=np.array([r.value for r in resolved], dtype=np.float64),
        value_high=np.array([r.value_high for r in resolved], dtype=np.float64),
        target_year=np.array([r.year for r in resolved], dtype=np.int64),
        direction=np.array([r.direction for r in resolved], dtype=np.int64),
        name_direction=np.array([r.name_direction for r in resolved], dtype=np.int64),
        rates=np.array([r.rates for r in resolved], dtype=np.bool_),
        from_baseline=np.array([r.from_baseline for r in resolved], dtype=np.bool_),
        qualitative=np.array([r.target_type is TargetType.QUALITATIVE for r in resolved], dtype=np.bool_),
        base_year=np.array(
            [base if s.baseline_year is None else s.baseline_year for s in specs], dtype=np.int64
        ),
        baseline=np.array([np.nan if s.baseline is None else s.baseline for s in specs], dtype=np.float64),
        binding=np.array([s.binding for s in specs], dtype=np.bool_),
        ahead=np.array([t.ahead for t in thresholds], dtype=np.float64),
        tolerance=np.array([t.tolerance for t in thresholds], dtype=np.float64),
        serious=np.array([t.serious for t in thresholds], dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class Verdicts:
    """Per indicator, the reviewers' verdict of the latest judged period up to the evaluation
    year (code −1 none, 0 达到, 1 未达到, 2 无法判断) and that period's year (−1 none)."""

    code: Ints
    year: Ints

    @classmethod
    def none(cls, n: int) -> Verdicts:
        return cls(np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class Numbers:
    """Per indicator, everything computed (nan / −1 where it does not apply)."""

    t0: Ints
    baseline: Floats  # B as used (printed, observed or stood in)
    baseline_source: Ints
    data_year: Ints
    observations: Ints  # observations after t0 used
    current: Floats  # V_eff, the compared quantity
    base: Floats  # B_eff
    target: Floats  # T_eff (range: lower bound)
    target_high: Floats
    goal_target: Floats  # the bound a goal moves towards
    limit_low: Floats  # what a limit is compared with now
    limit_high: Floats
    direction: Ints
    kind: Ints
    met: Bools
    completion: Floats
    schedule: Floats
    progress: Floats  # progress required by now on the required path
    required_rate: Floats
    observed_cagr: Floats
    required_cagr: Floats
    cagr_ratio: Floats
    cagr_category: Ints  # −1 none, 0 on track, 1 acceleration, 2 limited, 3 deterioration
    linear: Floats  # projected compared quantity at tT
    compound: Floats
    projected: Floats
    compound_chosen: Bools
    projected_ratio: Floats
    verdict: Ints  # −1 unknown, 1 achievable, 0 unlikely
    status: Ints
    # What a reader compares: levels, totals and means as they are, growth as rates in %.
    current_display: Floats
    target_display: Floats
    projected_display: Floats
    linear_display: Floats
    compound_display: Floats
    gap: Floats  # still missing in the good direction (outside the band for bands)


def compute(
    inp: Inputs,
    resolved: Sequence[ResolvedTarget],
    table: ObservationTable,
    year: int,
    config: PlanConfig,
    verdicts: Verdicts | None = None,
) -> Numbers:
    n = len(inp.mode)
    verdicts = verdicts or Verdicts.none(n)
    idx, yr, val = _latest_revisions(table, year, n)
    mode, rates = inp.mode, inp.rates
    is_level, is_growth = mode == Mode.LEVEL, mode == Mode.GROWTH
    is_rate, is_reduction = mode == Mode.RATE, mode == Mode.REDUCTION
    # Baseline, then the observations after it, then everything per the notation above.
    t0, baseline, source = _baselines(inp, idx, yr, val, n)
    window = _window(idx, yr, val, t0, n, is_reduction)
    count, total = window.count, window.total
    data_year = np.where(mode == Mode.NONE, verdicts.year, window.data_year)
    is_total = mode == Mode.CUMULATIVE
    # a running total (累计 from a printed baseline) starts from it; an amount over the period from 0
    total_base = np.where(is_total & inp.from_baseline & np.isfinite(baseline), baseline, 0.0)
    with np.errstate(all="ignore"):
        k = data_year - t0
        plan_length = inp.target_year - t0
        valid = (count > 0) & (plan_length > 0) & (mode != Mode.NONE)
        r, r_high = inp.value / 100.0, inp.value_high / 100.0
        n_f = plan_length.astype(np.float64)
        k_f = np.minimum(k, plan_length).astype(np.float64)

        base = np.select(
            [is_level, is_growth, is_total, is_reduction, is_rate],
            [baseline, np.where(rates | np.isfinite(baseline), 1.0, np.nan), total_base, np.zeros(n),
             np.full(n, np.nan)],
            baseline,
        )
        current = np.select(
            [is_level | is_rate, is_growth, is_total, is_reduction],
            [
                window.latest,
                np.where(rates, window.rate_factor, window.latest / baseline),
                total_base + total,
                np.where(rates, (1 - window.rate_factor) * 100, window.latest),
            ],
            total / count,
        )
        target = np.select(
            [is_level, is_growth],
            [relative_targets(inp.relative, baseline, inp.value), (1 + r) ** n_f],
            inp.value,
        )
        target_high = np.where(is_growth, (1 + r_high) ** n_f, inp.value_high)

        direction, goal_target = _directions(inp, base, target, target_high)
        goal = (
            (direction != 0)
            & np.isfinite(base)
            & np.isfinite(goal_target)
            & (np.sign(goal_target - base) == direction)
        )
        limit = ~goal & np.isfinite(target) & ((direction == 0) | np.isfinite(base) | is_rate)
        kind = np.select([goal, limit], [Kind.GOAL, Kind.LIMIT], Kind.UNKNOWN)

        limit_low = np.where(limit & is_growth, (1 + r) ** k_f, target)
        limit_high = np.where(limit & is_growth, (1 + r_high) ** k_f, target_high)
        met = valid & met_target(
            current, limit_low, limit_high, inp.comparator, direction, config.about_tolerance
        )

        schedule = np.clip(k / n_f, 0.0, 1.0)
        growth_path = np.where(r != 0, ((1 + r) ** k_f - 1) / ((1 + r) ** n_f - 1), schedule)
        # The same reduction every year: the level falls by the factor q = (1 − X/100)^(1/N) a year.
        q = np.where(is_reduction & (r < 1), (1 - r) ** (1.0 / n_f), np.nan)
        reduction_path = np.where((r > 0) & (r < 1), (1 - q**k_f) / r, schedule)
        progress = np.select([is_growth, is_reduction], [growth_path, reduction_path], schedule)
        _milestone_progress(progress, resolved, goal & valid, t0, data_year, base, goal_target, inp)
        completion = np.where(goal, (current - base) / (goal_target - base), np.nan)

        # Only where the target needs one is a missing baseline a reason to ask for it.
        no_baseline = ~np.isfinite(baseline) & ~is_total
        status = status_codes(inp, valid, target, current, met, kind, completion, progress, no_baseline,
                              judged_status(inp, verdicts.code, verdicts.year))

        level_like = is_level | is_growth
        remaining = inp.target_year - data_year
        required_rate = np.where(
            goal & ~met & level_like & (remaining > 0) & (current > 0) & (goal_target > 0),
            (goal_target / current) ** (1.0 / remaining) - 1,
            np.nan,
        )
        observed_cagr = np.where(
            level_like & (base > 0) & (current > 0) & (k > 0), (current / base) ** (1.0 / k) - 1, np.nan
        )
        required_cagr = np.where(
            goal & level_like & (goal_target > 0) & (base > 0),
            (goal_target / base) ** (1.0 / n_f) - 1,
            np.nan,
        )
        cagr_ratio = np.where(required_cagr != 0, observed_cagr / required_cagr, np.nan)
        cagr_category = np.select(
            [
                ~np.isfinite(cagr_ratio),
                cagr_ratio >= config.cagr_on_track - EPS,
                cagr_ratio >= config.cagr_acceleration - EPS,
                cagr_ratio >= 0,
            ],
            [-1, 0, 1, 2],
            3,
        )

        linear, compound, compound_chosen = _projections(
            inp, window, t0, baseline, base, (level_like | is_reduction) & np.isfinite(base), valid, plan_length
        )
        # a running total's projection counts on from its baseline like the total itself
        linear, compound = linear + np.where(is_total, total_base, 0.0), compound + np.where(is_total, total_base, 0.0)
        projected = np.where(compound_chosen, compound, linear)
        projected_ratio = np.where(goal, (projected - base) / (goal_target - base), np.nan)
        achievable = met_target(
            projected, target, target_high, inp.comparator, direction, config.about_tolerance
        ) | (goal & (projected_ratio >= config.projection_on_track - EPS))
        verdict = np.where(
            valid & np.isfinite(projected) & np.isfinite(target), achievable.astype(np.int64), -1
        )

        current_display, target_display, gap = _display(
            inp, current, observed_cagr, goal_target, target_high, direction
        )
        projected_display, linear_display, compound_display = (
            np.where(is_growth, (np.where(p > 0, p, np.nan) ** (1.0 / n_f) - 1) * 100, p)
            for p in (projected, linear, compound)
        )

    return Numbers(
        t0=t0,
        baseline=baseline,
        baseline_source=source.astype(np.int64),
        data_year=data_year,
        observations=count,
        current=current,
        base=base,
        target=target,
        target_high=target_high,
        goal_target=goal_target,
        limit_low=limit_low,
        limit_high=limit_high,
        direction=direction,
        kind=kind.astype(np.int64),
        met=met,
        completion=completion,
        schedule=np.where(valid, schedule, np.nan),
        progress=np.where(valid, progress, np.nan),
        required_rate=required_rate,
        observed_cagr=observed_cagr,
        required_cagr=required_cagr,
        cagr_ratio=cagr_ratio,
        cagr_category=cagr_category.astype(np.int64),
        linear=np.where(valid, linear, np.nan),
        compound=np.where(valid, compound, np.nan),
        projected=np.where(valid, projected, np.nan),
        compound_chosen=compound_chosen,
        projected_ratio=np.where(valid, projected_ratio, np.nan),
        verdict=verdict.astype(np.int64),
        status=status,
        current_display=np.where(valid, current_display, np.nan),
        target_display=target_display,
        projected_display=np.where(valid, projected_display, np.nan),
        linear_display=np.where(valid, linear_display, np.nan),
        compound_display=np.where(valid, compound_display, np.nan),
        gap=np.where(valid, gap, np.nan),
    )


def _baselines(inp: Inputs, idx: Ints, yr: Ints, val: Floats, n: int) -> tuple[Ints, Floats, Ints]:
    """Baseline year and value per indicator: as printed, else observed, else the earliest value.

    A relative or level target needs a baseline; when the plan prints none, the observation
    of the baseline year is used, and failing that the earliest observation stands in (its
    year becomes t0) so that progress can still be measured between two observations.
    """
    count_all = np.bincount(idx, minlength=n)
    has = count_all > 0
    start = np.minimum(np.searchsorted(idx, np.arange(n)), max(len(idx) - 1, 0))
    first_year = np.where(has, yr[start] if len(idx) else -1, -1)
    first_value = np.where(has, val[start] if len(idx) else np.nan, np.nan)
    mode, rates = inp.mode, inp.rates
    level_or_growth = (mode == Mode.LEVEL) | ((mode == Mode.GROWTH) & ~rates)
    # Without a baseline year, a level's first value is its baseline; totals, means and
    # yearly rates count every observed year.
    summed = (mode == Mode.CUMULATIVE) | (mode == Mode.MEAN) | (mode == Mode.RATE) | rates
    t0 = np.where(inp.base_year < 0, np.where(summed & has, first_year - 1, first_year), inp.base_year)
    baseline = inp.baseline.copy()
    source = np.where(np.isfinite(baseline), BaselineSource.SPEC, BaselineSource.NONE)
    at_t0 = _value_at(idx, yr, val, t0, n)
    fill = ~np.isfinite(baseline) & np.isfinite(at_t0) & (level_or_growth | (mode == Mode.MEAN))
    baseline = np.where(fill, at_t0, baseline)
    source = np.where(fill, BaselineSource.OBSERVED, source)
    stand_in = ~np.isfinite(baseline) & (count_all >= 2) & level_or_growth
    t0 = np.where(stand_in, first_year, t0)
    baseline = np.where(stand_in, first_value, baseline)
    source = np.where(stand_in, BaselineSource.EARLIEST, source)
    return t0, baseline, source.astype(np.int64)


@dataclass(frozen=True, slots=True)
class _Window:
    """The observations after each indicator's baseline year, and what they add up to."""

    index: Ints
    year: Ints
    value: Floats
    count: Ints
    data_year: Ints  # −1: none
    latest: Floats
    total: Floats
    row_factor: Floats  # running Π(1 + g/100) per row, for yearly growth rates (Π(1 − d/100) for reductions)
    rate_factor: Floats  # the last running product per indicator


def _window(idx: Ints, yr: Ints, val: Floats, t0: Ints, n: int, reductions: Bools) -> _Window:
    after = yr > t0[idx]
    wi, wy, wv = idx[after], yr[after], val[after]
    data_year = np.full(n, -1, dtype=np.int64)
    latest, rate_factor = np.full(n, np.nan), np.full(n, np.nan)
    row_factor = _growth_factors(wi, np.where(reductions[wi], -wv, wv), n)
    if len(wi):
        last = np.flatnonzero(np.r_[wi[1:] != wi[:-1], True])
        data_year[wi[last]] = wy[last]
        latest[wi[last]] = wv[last]
        rate_factor[wi[last]] = row_factor[last]
    return _Window(
        index=wi,
        year=wy,
        value=wv,
        count=np.bincount(wi, minlength=n),
        data_year=data_year,
        latest=latest,
        total=np.bincount(wi, wv, minlength=n).astype(np.float64),
        row_factor=row_factor,
        rate_factor=rate_factor,
    )


def _latest_revisions(table: ObservationTable, year: int, n: int) -> tuple[Ints, Ints, Floats]:
    """Observations up to ``year``, sorted by (indicator, year), the last revision of each."""
    idx, yr, val = table.index, table.year, table.value
    if len(idx) and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise InputError("observations", f"indicator position outside 0..{n - 1}")
    keep = (yr <= year) & np.isfinite(val)
    idx, yr, val = idx[keep], yr[keep], val[keep]
    order = np.lexsort((yr, idx))
    idx, yr, val = idx[order], yr[order], val[order]
    if len(idx):
        last = np.r_[(idx[1:] != idx[:-1]) | (yr[1:] != yr[:-1]), True]
        idx, yr, val = idx[last], yr[last], val[last]
    return idx, yr, val


def _growth_factors(group: Ints, rates: Floats, n: int) -> Floats:
    """Running products Π(1 + g/100) within each group of yearly growth rates (sorted by year)."""
    factors = 1.0 + rates / 100.0
    if not len(group):
        return factors
    rank = np.arange(len(group)) - np.searchsorted(group, np.arange(n))[group]
    for r in range(1, int(rank.max()) + 1):
        at = np.flatnonzero(rank == r)
        factors[at] = factors[at - 1] * factors[at]
    return factors


def _projections(
    inp: Inputs,
    window: _Window,
    t0: Ints,
    baseline: Floats,
    base: Floats,
    with_base_point: Bools,
    valid: Bools,
    plan_length: Ints,
) -> tuple[Floats, Floats, Bools]:
    """Linear and compound trends of the compared quantity carried to the target year.

    Levels and growth factors are fitted on the baseline point and the observations;
    totals and means on the yearly values, the fitted remaining years then added to the
    observed ones. Returns both projections and where the compound one fits better.
    """
    n = len(inp.mode)
    mode, rates, is_growth = inp.mode, inp.rates, inp.mode == Mode.GROWTH
    wi, wy, wv, count, total = window.index, window.year, window.value, window.count, window.total
    k = window.data_year - t0
    n_f = plan_length.astype(np.float64)
    fit_group = np.r_[wi, np.flatnonzero(with_base_point)]
    fit_x = np.r_[wy - t0[wi], np.zeros(len(fit_group) - len(wi))].astype(np.float64)
    is_reduction = mode == Mode.REDUCTION
    row_y = np.select(
        [is_growth[wi] & rates[wi], is_growth[wi], is_reduction[wi] & rates[wi]],
        [window.row_factor, wv / baseline[wi], (1 - window.row_factor) * 100],
        wv,
    )
    fit_y = np.r_[row_y, base[fit_group[len(wi) :]]]
    trends = fit_trends(fit_group, fit_x, fit_y, n)
    linear = trends.linear_at(n_f)
    compound = trends.compound_at(n_f)
    summed = (mode == Mode.CUMULATIVE) | (mode == Mode.MEAN)
    years_ahead = np.where(valid & summed, np.maximum(plan_length - k, 0), 0)
    rest_linear, rest_compound = np.zeros(n), np.zeros(n)
    for j in range(1, int(np.max(years_ahead, initial=0)) + 1):
        ahead_x = (k + j).astype(np.float64)
        rest_linear += np.where(j <= years_ahead, trends.linear_at(ahead_x), 0.0)
        rest_compound += np.where(j <= years_ahead, trends.compound_at(ahead_x), 0.0)
    linear = _whole_period(mode, total, count, years_ahead, rest_linear, linear)
    compound = _whole_period(mode, total, count, years_ahead, rest_compound, compound)
    scale = np.bincount(fit_group, fit_y * fit_y, minlength=n).astype(np.float64)
    compound_chosen = trends.prefer_compound(is_growth, scale)
    return linear, compound, compound_chosen


def _display(
    inp: Inputs,
    current: Floats,
    observed_cagr: Floats,
    goal_target: Floats,
    target_high: Floats,
    direction: Ints,
) -> tuple[Floats, Floats, Floats]:
    """Current value, target and gap as a reader compares them: growth as rates in %.

    The gap is what is still missing in the good direction (negative once exceeded); for
    a band, the distance outside it.
    """
    is_growth = inp.mode == Mode.GROWTH
    is_range = inp.comparator == COMPARATOR_CODES[Comparator.RANGE]
    current_display = np.where(is_growth, observed_cagr * 100, current)
    growth_target = np.where(is_range & (direction < 0), inp.value_high, inp.value)
    target_display = np.where(is_growth, growth_target, goal_target)
    high_display = np.where(is_growth, inp.value_high, target_high)
    outside = np.maximum(np.maximum(target_display - current_display, current_display - high_display), 0.0)
    gap = np.where(
        direction == 0,
        np.where(is_range, outside, np.abs(current_display - target_display)),
        direction * (target_display - current_display),
    )
    return current_display, target_display, gap


def _whole_period(
    mode: Ints, total: Floats, count: Ints, years_ahead: Ints, rest: Floats, at_target_year: Floats
) -> Floats:
    """Totals and means project the observed years plus the fitted remaining years."""
    whole: Floats = np.select(
        [mode == Mode.CUMULATIVE, mode == Mode.MEAN],
        [total + rest, (total + rest) / (count + years_ahead)],
        at_target_year,
    )
    return whole


def _value_at(idx: Ints, yr: Ints, val: Floats, when: Ints, n: int) -> Floats:
    if not len(idx):
        return np.full(n, np.nan)
    keys = idx * _YEAR_KEY + yr
    wanted = np.arange(n) * _YEAR_KEY + when
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found: Floats = np.where((keys[pos] == wanted) & (when >= 0), val[pos], np.nan)
    return found


def _directions(inp: Inputs, base: Floats, target: Floats, target_high: Floats) -> tuple[Ints, Floats]:
    """+1 / −1 / 0 per indicator, and the bound a goal moves towards (a range's near end)."""
    sign = np.sign(target - base)
    derived = np.where(np.isfinite(sign), sign, inp.name_direction).astype(np.int64)
    direction = np.where(inp.direction == FROM_BASELINE, derived, inp.direction)
    is_range = inp.comparator == COMPARATOR_CODES[Comparator.RANGE]
    known = is_range & np.isfinite(base)
    range_direction = np.where(base < target, 1, np.where(base > target_high, -1, 0))
    direction = np.where(known, range_direction, np.where(is_range, 0, direction)).astype(np.int64)
    goal_target = np.where(is_range & (direction < 0), target_high, target)
    return direction, goal_target


def _milestone_progress(
    progress: Floats,
    resolved: Sequence[ResolvedTarget],
    goal: Bools,
    t0: Ints,
    data_year: Ints,
    base: Floats,
    goal_target: Floats,
    inp: Inputs,
) -> None:
    """Progress required by now on the path interpolated between the milestones.

    The path runs through (t0, B), each milestone after t0 and (tT, T) — for an amount over
    the period, through (t0, 0) and the totals the milestones set; the knots of all
    indicators sit in one sorted key array, so the segment containing year t is found for
    every indicator with a single search.
    """
    owner, years, amounts, codes = [], [], [], []
    for i, item in enumerate(resolved):
        for milestone in item.milestones:
            owner.append(i)
            years.append(milestone.year)
            amounts.append(milestone.value)
            codes.append(RELATIVE_CODES.get(milestone.comparator, Relative.NONE))
    if not owner:
        return
    m_owner = np.array(owner, dtype=np.int64)
    m_year = np.array(years, dtype=np.int64)
    m_value = relative_targets(
        np.array(codes, dtype=np.int64), base[m_owner], np.array(amounts, dtype=np.float64)
    )
    keep = goal[m_owner] & (m_year > t0[m_owner]) & (m_year < inp.target_year[m_owner])
    chosen = np.unique(m_owner[keep])
    knot_owner = np.r_[chosen, m_owner[keep], chosen]
    knot_year = np.r_[t0[chosen], m_year[keep], inp.target_year[chosen]]
    knot_value = np.r_[base[chosen], m_value[keep], goal_target[chosen]]
    order = np.lexsort((knot_year, knot_owner))
    keys = knot_owner[order] * _YEAR_KEY + knot_year[order]
    knot_year, knot_value = knot_year[order], knot_value[order]
    now = np.minimum(data_year[chosen], inp.target_year[chosen])
    high = np.searchsorted(keys, chosen * _YEAR_KEY + now)  # first knot at or after t
    low = high - 1
    share = (now - knot_year[low]) / (knot_year[high] - knot_year[low])
    path = knot_value[low] + (knot_value[high] - knot_value[low]) * share
    progress[chosen] = (path - base[chosen]) / (goal_target[chosen] - base[chosen])
