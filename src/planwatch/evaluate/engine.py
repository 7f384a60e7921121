"""Entry points: evaluate a plan's indicators (vectorised) or one indicator (the same path).

A service loads the plan's :class:`IndicatorSpec` list and its observations (as an
:class:`ObservationTable`, or :class:`Observation` rows) and calls :func:`evaluate_plan`;
reports and the web app read the returned :class:`EvaluationResult` objects, each with
its explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from planwatch.evaluate.compute import Numbers, compute, inputs_of
from planwatch.evaluate.explain import Row, explain
from planwatch.evaluate.models import (
    CagrCategory,
    EvaluationResult,
    IndicatorSpec,
    Observation,
    ObservationTable,
    PlanConfig,
    ProjectionVerdict,
    Status,
)
from planwatch.evaluate.targets import Mode, ResolvedTarget, resolve

_STATUSES = list(Status)
_CATEGORIES = list(CagrCategory)
_VERDICTS = {-1: ProjectionVerdict.UNKNOWN, 0: ProjectionVerdict.UNLIKELY, 1: ProjectionVerdict.ACHIEVABLE}
_ROW_FIELDS = [f for f in Row.__slots__ if f != "year"]


def evaluate_plan(
    specs: Sequence[IndicatorSpec],
    observations: ObservationTable | Iterable[Observation],
    year: int,
    config: PlanConfig | None = None,
    assessments: Mapping[str, str] | None = None,
) -> list[EvaluationResult]:
    """Evaluate every indicator at evaluation year ``year``, in the order of ``specs``.

    Observations after ``year`` are ignored, so evaluating a past year gives what was
    known then. ``assessments`` maps indicator ids to the manual assessment of
    不可量化 targets.
    """
    config = config or PlanConfig()
    table = (
        observations
        if isinstance(observations, ObservationTable)
        else ObservationTable.from_observations(specs, observations)
    )
    resolved = [resolve(spec) for spec in specs]
    numbers = compute(inputs_of(specs, resolved, config), resolved, table, year, config)
    return _results(specs, resolved, numbers, year, config, assessments or {})


def evaluate_indicator(
    spec: IndicatorSpec,
    values: Mapping[int, float] | Iterable[Observation],
    year: int,
    config: PlanConfig | None = None,
    assessment: str | None = None,
) -> EvaluationResult:
    """Evaluate one indicator from its yearly totals (year → value) or observation rows."""
    observations = (
        [Observation(spec.id, y, v) for y, v in values.items()] if isinstance(values, Mapping) else values
    )
    assessments = {spec.id: assessment} if assessment else None
    return evaluate_plan([spec], observations, year, config, assessments)[0]


def _results(
    specs: Sequence[IndicatorSpec],
    resolved: Sequence[ResolvedTarget],
    numbers: Numbers,
    year: int,
    config: PlanConfig,
    assessments: Mapping[str, str],
) -> list[EvaluationResult]:
    columns = {name: getattr(numbers, name).tolist() for name in _ROW_FIELDS}
    status_codes = numbers.status.tolist()
    categories = numbers.cagr_category.tolist()
    verdicts = numbers.verdict.tolist()
    results = []
    for i, (spec, item) in enumerate(zip(specs, resolved, strict=True)):
        row = Row(year, *(columns[name][i] for name in _ROW_FIELDS))
        status = _STATUSES[status_codes[i]]
        category = _CATEGORIES[categories[i]] if categories[i] >= 0 else None
        verdict = _VERDICTS[verdicts[i]]
        manual = assessments.get(spec.id)
        quantified = status not in (Status.NO_DATA, Status.NOT_QUANTIFIABLE)
        results.append(
            EvaluationResult(
                indicator_id=spec.id,
                name=spec.name,
                plan=spec.plan,
                domain=spec.domain,
                attribute=spec.attribute,
                responsible=spec.responsible,
                year=year,
                status=status,
                data_year=row.data_year if row.data_year >= 0 else None,
                current=_number(row.current_display),
                target=_number(row.target_display),
                target_year=item.year or None,
                completion=_number(row.completion),
                schedule=_number(row.schedule),
                required_progress=_number(row.progress) if quantified else None,
                required_rate=_number(row.required_rate),
                observed_cagr=_number(row.observed_cagr),
                cagr_ratio=_number(row.cagr_ratio),
                cagr_category=category,
                projected_linear=_number(row.linear_display),
                projected_compound=_number(row.compound_display),
                projected=_number(row.projected_display),
                projection_method=(
                    ("compound" if row.compound_chosen else "linear") if np.isfinite(row.projected) else None
                ),
                projected_ratio=_number(row.projected_ratio),
                projection_verdict=verdict,
                gap=_number(row.gap) if quantified else None,
                gap_unit=("百分点" if item.mode == Mode.GROWTH else spec.unit) if quantified else None,
                manual_assessment=manual,
                explanation=explain(
                    spec, item, row, status, config.thresholds_for(spec), category, verdict, manual
                ),
            )
        )
    return results


def _number(x: float) -> float | None:
    return x if np.isfinite(x) else None
