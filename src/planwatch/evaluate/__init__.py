"""Evaluation of plan indicators: status, progress, projections, warnings.

The engine works on plain data (specs and observations in, results out) so that the
database service, the CLI, reports and tests all call the same functions:

- :func:`evaluate_plan` (many indicators, vectorised) and :func:`evaluate_indicator`;
- :func:`summarize`, :func:`warning_list`, :func:`completeness` over the results;
- :func:`spec_from_indicator` to evaluate an extracted plan before it is stored.
"""

from planwatch.evaluate.aggregate import (
    Completeness,
    GroupBy,
    IndicatorWarning,
    StatusSummary,
    completeness,
    overall,
    summarize,
    warning_list,
)
from planwatch.evaluate.engine import evaluate_indicator, evaluate_plan
from planwatch.evaluate.from_extraction import spec_from_indicator
from planwatch.evaluate.models import (
    AverageBasis,
    CagrCategory,
    Direction,
    EvaluationResult,
    Explanation,
    IndicatorSpec,
    Judgement,
    Observation,
    ObservationTable,
    PlanConfig,
    ProjectionVerdict,
    Status,
    Target,
    Thresholds,
    Verdict,
    read_verdict,
)

__all__ = [
    "AverageBasis",
    "CagrCategory",
    "Completeness",
    "Direction",
    "EvaluationResult",
    "Explanation",
    "GroupBy",
    "IndicatorSpec",
    "IndicatorWarning",
    "Judgement",
    "Observation",
    "ObservationTable",
    "PlanConfig",
    "ProjectionVerdict",
    "Status",
    "StatusSummary",
    "Target",
    "Thresholds",
    "Verdict",
    "completeness",
    "evaluate_indicator",
    "evaluate_plan",
    "overall",
    "read_verdict",
    "spec_from_indicator",
    "summarize",
    "warning_list",
]
