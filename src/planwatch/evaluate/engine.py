"""Entry points: evaluate a plan's indicators (vectorised) or one indicator (the same path).

A service loads the plan's :class:`IndicatorSpec` list and its observations (as an
:class:`ObservationTable`, or :class:`Observation` rows) and calls :func:`evaluate_plan`;
reports and the web app read the returned :class:`EvaluationResult` objects, each with
its explanation.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from math import isfinite
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from planwatch.errors import InputError
from planwatch.evaluate.compute import Numbers, Verdicts, compute, inputs_of
from planwatch.evaluate.explain import Row, explain
from planwatch.evaluate.models import (
    CagrCategory,
    EvaluationResult,
    Explanation,
    ExplanationParts,
    IndicatorSpec,
    Judgement,
    Observation,
    ObservationTable,
    PlanConfig,
    ProjectionVerdict,
    Status,
    Thresholds,
    Verdict,
)
from planwatch.evaluate.status import StatusCode
from planwatch.evaluate.targets import Mode, ResolvedTarget, resolve

_STATUSES = [Status[code.name] for code in StatusCode]  # array code → status
_CATEGORIES = list(CagrCategory)
_VERDICT_CODES = {Verdict.MET: 0, Verdict.NOT_MET: 1, Verdict.UNDETERMINED: 2}
_RATE_MODES = (Mode.GROWTH, Mode.RATE, Mode.REDUCTION)  # compared as rates in %: gaps in 百分点
_VERDICTS = {-1: ProjectionVerdict.UNKNOWN, 0: ProjectionVerdict.UNLIKELY, 1: ProjectionVerdict.ACHIEVABLE}
# Results are built positionally (keyword arguments cost a dict per result); the column
# order below comes from the dataclass itself, so it cannot drift from the field order.
_new_result = cast(Callable[..., EvaluationResult], EvaluationResult)
_ROW_FIELDS = [f for f in Row.__slots__ if f != "year"]
# The result fields filled from computed columns: those between ``status`` and ``manual_assessment``.
_RESULT_FIELDS = [f.name for f in dataclasses.fields(EvaluationResult)]
_COLUMN_FIELDS = _RESULT_FIELDS[
    _RESULT_FIELDS.index("status") + 1 : _RESULT_FIELDS.index("manual_assessment")
]


def evaluate_plan(
    specs: Sequence[IndicatorSpec],
    observations: ObservationTable | Iterable[Observation],
    year: int,
    config: PlanConfig | None = None,
    assessments: Mapping[str, str] | None = None,
    judgements: Mapping[str, Sequence[Judgement]] | None = None,
) -> list[EvaluationResult]:
    """Evaluate every indicator at evaluation year ``year``, in the order of ``specs``.

    Observations and judgements after ``year`` are ignored, so evaluating a past year gives
    what was known then. ``assessments`` maps indicator ids to a standing manual assessment
    of 不可量化 targets; ``judgements`` to the reviewed verdicts of targets without a number,
    one per judged period.
    """
    config = config or PlanConfig()
    _check_unique_ids(specs)
    table = (
        observations
        if isinstance(observations, ObservationTable)
        else ObservationTable.from_observations(specs, observations)
    )
    latest = _latest_judgements(specs, judgements or {}, year)
    with _collection_paused():
        resolved = [resolve(spec) for spec in specs]
        verdicts = Verdicts(
            np.array([_VERDICT_CODES[j.verdict] if j else -1 for j in latest], dtype=np.int64),
            np.array([j.year if j else -1 for j in latest], dtype=np.int64),
        )
        numbers = compute(inputs_of(specs, resolved, config), resolved, table, year, config, verdicts)
        return _results(specs, resolved, numbers, year, config, assessments or {}, latest)


def _latest_judgements(specs: Sequence[IndicatorSpec], judgements: Mapping[str, Sequence[Judgement]],
                       year: int) -> list[Judgement | None]:
    """Per spec, the judgement of the latest period up to ``year`` (None: none yet)."""
    return [max((j for j in judgements.get(spec.id, ()) if j.year <= year), key=_judged_year, default=None)
            for spec in specs]


def _judged_year(judgement: Judgement) -> int:
    return judgement.year


def _check_unique_ids(specs: Sequence[IndicatorSpec]) -> None:
    """Results, warnings and assessments are keyed by indicator id."""
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise InputError("indicator specs", f"indicator id {spec.id!r} occurs more than once")
        seen.add(spec.id)


def evaluate_indicator(
    spec: IndicatorSpec,
    values: Mapping[int, float] | Iterable[Observation],
    year: int,
    config: PlanConfig | None = None,
    assessment: str | None = None,
    judgements: Sequence[Judgement] = (),
) -> EvaluationResult:
    """Evaluate one indicator from its yearly totals (year → value) or observation rows."""
    observations = (
        [Observation(spec.id, y, v) for y, v in values.items()] if isinstance(values, Mapping) else values
    )
    assessments = {spec.id: assessment} if assessment else None
    return evaluate_plan([spec], observations, year, config, assessments, {spec.id: judgements})[0]


def _results(
    specs: Sequence[IndicatorSpec],
    resolved: Sequence[ResolvedTarget],
    numbers: Numbers,
    year: int,
    config: PlanConfig,
    assessments: Mapping[str, str],
    judgements: Sequence[Judgement | None],
) -> list[EvaluationResult]:
    """Results built column by column; each row's numbers stay behind its explanation."""
    statuses = [_STATUSES[code] for code in numbers.status.tolist()]
    quantified = [s not in (Status.NO_DATA, Status.NOT_QUANTIFIABLE, Status.MISSING_BASELINE, Status.UNDETERMINED)
                  for s in statuses]
    columns: dict[str, list[Any]] = {
        "data_year": [y if y >= 0 else None for y in numbers.data_year.tolist()],
        "current": _optional(numbers.current_display),
        "target": _optional(numbers.target_display),
        "target_year": [item.year or None for item in resolved],
        "completion": _optional(numbers.completion),
        "schedule": _optional(numbers.schedule),
        "required_progress": _when(quantified, _optional(numbers.progress)),
        "required_rate": _optional(numbers.required_rate),
        "observed_cagr": _optional(numbers.observed_cagr),
        "cagr_ratio": _optional(numbers.cagr_ratio),
        "cagr_category": [_CATEGORIES[c] if c >= 0 else None for c in numbers.cagr_category.tolist()],
        "projected_linear": _optional(numbers.linear_display),
        "projected_compound": _optional(numbers.compound_display),
        "projected": _optional(numbers.projected_display),
        "projection_method": [
            ("compound" if chosen else "linear") if isfinite(p) else None
            for chosen, p in zip(numbers.compound_chosen.tolist(), numbers.projected.tolist(), strict=True)
        ],
        "projected_ratio": _optional(numbers.projected_ratio),
        "projection_verdict": [_VERDICTS[code] for code in numbers.verdict.tolist()],
        "gap": _when(quantified, _optional(numbers.gap)),
        "gap_unit": _when(
            quantified,
            [
                "百分点" if item.mode in _RATE_MODES else spec.unit
                for spec, item in zip(specs, resolved, strict=True)
            ],
        ),
    }
    rows = zip(*(getattr(numbers, name).tolist() for name in _ROW_FIELDS), strict=True)
    per_result = zip(*(columns[name] for name in _COLUMN_FIELDS), strict=True)
    verdicts, categories = columns["projection_verdict"], columns["cagr_category"]
    return [
        _new_result(
            spec.id,
            spec.name,
            spec.plan,
            spec.domain,
            spec.attribute,
            spec.responsible,
            year,
            status,
            *fields,
            assessments.get(spec.id),
            item.target_type.value,
            judgement if item.mode == Mode.NONE else None,
            Explanation(
                partial(
                    _explain,
                    spec,
                    item,
                    year,
                    values,
                    status,
                    config.thresholds_for(spec),
                    category,
                    verdict,
                    assessments.get(spec.id),
                    judgement if item.mode == Mode.NONE else None,
                )
            ),
        )
        for spec, item, status, values, fields, category, verdict, judgement in zip(
            specs, resolved, statuses, rows, per_result, categories, verdicts, judgements, strict=True
        )
    ]


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large batch of acyclic results is built.

    A hundred thousand new objects trigger repeated full collections that find nothing
    to free and take half of the build time; the previous collector state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _explain(
    spec: IndicatorSpec,
    item: ResolvedTarget,
    year: int,
    values: tuple[Any, ...],
    status: Status,
    thresholds: Thresholds,
    category: CagrCategory | None,
    verdict: ProjectionVerdict,
    manual: str | None,
    judgement: Judgement | None,
) -> ExplanationParts:
    return explain(spec, item, Row(year, *values), status, thresholds, category, verdict, manual, judgement)


def _optional(column: npt.NDArray[np.float64]) -> list[float | None]:
    return [x if isfinite(x) else None for x in column.tolist()]


def _when(condition: list[bool], column: list[Any]) -> list[Any]:
    return [x if c else None for c, x in zip(condition, column, strict=True)]
