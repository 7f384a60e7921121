"""The lines an indicator chart draws, shared by the web charts and the Word reports.

The values reported, the baseline, the path from the baseline through every milestone to the
final target (the progress the plan requires), and the trend projected by the evaluation.
Only level targets are drawn (relative ones as the level the evaluation resolved); an
annual-average growth target (``5.5*``) is a rate, not a point on the value axis, and is
stated in the evaluation text instead; so is the period's reduction of an indicator
entered as yearly reductions (13.5 % over five years against 2.8 % a year). An amount over the
period is drawn as its running total (the increments added up year by year) against the
straight path from nothing at the base year to the target; a target without a number has no
line to draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from planwatch.evaluate.models import EvaluationResult, IndicatorSpec
from planwatch.evaluate.targets import EntryKind, entry_kind
from planwatch.extract.records import TargetType

__all__ = ["PATH_KEYS", "PathLine", "indicator_paths"]

PATH_KEYS = ("actual", "baseline", "target", "required", "projection")
_LEVEL_COMPARATORS = frozenset({">=", "<=", ">", "<", "=", "~"})


@dataclass(frozen=True, slots=True)
class PathLine:
    """One line: ``key`` is one of :data:`PATH_KEYS`; points are (year, value)."""

    key: str
    points: tuple[tuple[int, float], ...]


def _level_targets(spec: IndicatorSpec) -> list[tuple[int, float]]:
    return sorted((target.year, target.value) for target in spec.targets
                  if target.value is not None and not target.annual_average and not target.cumulative
                  and target.comparator.value in _LEVEL_COMPARATORS)


def indicator_paths(spec: IndicatorSpec, history: Iterable[tuple[int, float]],
                    result: EvaluationResult | None) -> tuple[PathLine, ...]:
    """``history`` is the reported series (year, value) of the indicator's total."""
    if result is not None and result.target_type == TargetType.CUMULATIVE.value:
        return _running_total_paths(history, result)
    lines: list[PathLine] = []
    actual = tuple(sorted(dict(history).items()))
    if actual:
        lines.append(PathLine("actual", actual))
    baseline = ((spec.baseline_year, spec.baseline)
                if spec.baseline_year is not None and spec.baseline is not None else None)
    if baseline is not None:
        lines.append(PathLine("baseline", (baseline,)))
    if entry_kind(spec.name, spec.unit) == EntryKind.YEARLY_REDUCTION:
        return tuple(lines)
    targets = _level_targets(spec)
    if result is not None and result.target is not None and result.target_year is not None \
            and not any(target.annual_average for target in spec.targets) \
            and result.target_year not in dict(targets):
        # a relative target (下降 X%, 提高 X 个百分点) as the level the evaluation resolved it to
        targets = sorted([*targets, (result.target_year, result.target)])
    if targets:
        lines.append(PathLine("target", tuple(targets)))
        if baseline is not None:
            path = [baseline, *(point for point in targets if point[0] > baseline[0])]
            if len(path) > 1:
                lines.append(PathLine("required", tuple(path)))
    projection = _projection(actual, result) if targets else None
    if projection:
        lines.append(PathLine("projection", projection))
    return tuple(lines)


def _running_total_paths(history: Iterable[tuple[int, float]], result: EvaluationResult) -> tuple[PathLine, ...]:
    """The running total of the increments, the target, the straight path to it and the trend."""
    lines: list[PathLine] = []
    inputs = result.explanation.inputs
    start, base = inputs.get("baseline_year"), float(inputs.get("total_base") or 0.0)
    total, running = base, []
    for year, value in sorted(dict(history).items()):
        if start is None or year > start:
            total += value
            running.append((year, total))
    if running:
        lines.append(PathLine("actual", tuple(running)))
    if result.target is not None and result.target_year is not None:
        lines.append(PathLine("target", ((result.target_year, result.target),)))
        if start is not None:
            lines.append(PathLine("required", ((int(start), base), (result.target_year, result.target))))
        projection = _projection(running, result)
        if projection:
            lines.append(PathLine("projection", projection))
    return tuple(lines)


def _projection(actual: Sequence[tuple[int, float]],
                result: EvaluationResult | None) -> tuple[tuple[int, float], ...] | None:
    if (result is None or result.projected is None or result.target_year is None or not actual
            or actual[-1][0] >= result.target_year):
        return None
    return (actual[-1], (result.target_year, result.projected))
