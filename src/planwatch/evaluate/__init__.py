"""Evaluation of plan indicators: status, progress, projections, warnings.

The engine works on plain data (specs and observations in, results out) so that the
database service, the CLI, reports and tests all call the same functions.
"""

from planwatch.evaluate.engine import evaluate_indicator, evaluate_plan
from planwatch.evaluate.models import (
    AverageBasis,
    CagrCategory,
    Direction,
    EvaluationResult,
    Explanation,
    IndicatorSpec,
    Observation,
    ObservationTable,
    PlanConfig,
    ProjectionVerdict,
    Status,
    Target,
    Thresholds,
)

__all__ = [
    "AverageBasis",
    "CagrCategory",
    "Direction",
    "EvaluationResult",
    "Explanation",
    "IndicatorSpec",
    "Observation",
    "ObservationTable",
    "PlanConfig",
    "ProjectionVerdict",
    "Status",
    "Target",
    "Thresholds",
    "evaluate_indicator",
    "evaluate_plan",
]
