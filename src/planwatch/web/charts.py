"""Chart options for ECharts and the table shown when ECharts is not installed.

Both come from the same lines so the table is never a different story from the chart: the
values reported, the baseline, the path from the baseline through every milestone to the
final target (the progress the plan requires), and the trend projected by the evaluation.
Only level targets are drawn (relative ones as the level the evaluation resolved); an annual-average growth target (``5.5*``) is a rate, not a
point on the value axis, and is stated in the evaluation text instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from planwatch.evaluate import EvaluationResult, IndicatorSpec
from planwatch.web.i18n import Translator

__all__ = ["ChartLine", "IndicatorChart", "indicator_chart", "status_pie"]

_LEVEL_COMPARATORS = frozenset({">=", "<=", ">", "<", "=", "~"})
_COLOURS = {"actual": "#1565c0", "baseline": "#616e7c", "required": "#9e9e9e",
            "target": "#c62828", "projection": "#ef6c00"}


@dataclass(frozen=True, slots=True)
class ChartLine:
    key: str
    label: str
    points: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class IndicatorChart:
    lines: tuple[ChartLine, ...]
    unit: str | None

    @property
    def years(self) -> list[int]:
        return sorted({year for line in self.lines for year, _ in line.points})

    def table(self) -> list[tuple[int, list[float | None]]]:
        """One row per year, one column per line (None where the line has no point)."""
        columns = [dict(line.points) for line in self.lines]
        return [(year, [column.get(year) for column in columns]) for year in self.years]

    def echarts_option(self) -> dict[str, Any]:
        series: list[dict[str, Any]] = []
        for line in self.lines:
            single = len(line.points) == 1
            series.append({
                "name": line.label,
                "type": "scatter" if single or line.key in {"target", "baseline"} else "line",
                "data": [list(point) for point in line.points],
                "symbolSize": 10 if line.key in {"target", "baseline"} else 6,
                "lineStyle": {"type": "dashed"} if line.key in {"required", "projection"} else {},
                "itemStyle": {"color": _COLOURS[line.key]},
            })
        years = self.years
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 56, "right": 24, "top": 40, "bottom": 32},
            "xAxis": {"type": "value", "min": years[0] if years else None, "max": years[-1] if years else None,
                      "minInterval": 1, "axisLabel": {"formatter": "{value}"}},
            "yAxis": {"type": "value", "name": self.unit or "", "scale": True},
            "series": series,
        }


def _level_targets(spec: IndicatorSpec) -> list[tuple[int, float]]:
    return sorted((target.year, target.value) for target in spec.targets
                  if target.value is not None and not target.annual_average and not target.cumulative
                  and target.comparator.value in _LEVEL_COMPARATORS)


def indicator_chart(spec: IndicatorSpec, history: Iterable[tuple[int, float]],
                    result: EvaluationResult | None, t: Translator) -> IndicatorChart:
    """``history`` is the reported series (year, value) of the indicator's total."""
    lines: list[ChartLine] = []
    actual = tuple(sorted(dict(history).items()))
    if actual:
        lines.append(ChartLine("actual", t("chart.actual"), actual))
    baseline = ((spec.baseline_year, spec.baseline)
                if spec.baseline_year is not None and spec.baseline is not None else None)
    if baseline is not None:
        lines.append(ChartLine("baseline", t("chart.baseline"), (baseline,)))
    targets = _level_targets(spec)
    if result is not None and result.target is not None and result.target_year is not None \
            and not any(target.annual_average for target in spec.targets) \
            and result.target_year not in dict(targets):
        # a relative target (下降 X%, 提高 X 个百分点) as the level the evaluation resolved it to
        targets = sorted([*targets, (result.target_year, result.target)])
    if targets:
        lines.append(ChartLine("target", t("chart.target"), tuple(targets)))
        if baseline is not None:
            path = [baseline, *(point for point in targets if point[0] > baseline[0])]
            if len(path) > 1:
                lines.append(ChartLine("required", t("chart.required"), tuple(path)))
    projection = _projection(actual, result) if targets else None
    if projection:
        lines.append(ChartLine("projection", t("chart.projection"), projection))
    return IndicatorChart(tuple(lines), spec.unit)


def _projection(actual: Sequence[tuple[int, float]],
                result: EvaluationResult | None) -> tuple[tuple[int, float], ...] | None:
    if (result is None or result.projected is None or result.target_year is None or not actual
            or actual[-1][0] >= result.target_year):
        return None
    return (actual[-1], (result.target_year, result.projected))


def status_pie(counts: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """ECharts pie of (status code, label, count); colours match the status badges in app.css."""
    colours = {"completed": "#2e7d32", "ahead": "#1565c0", "on_track": "#43a047", "behind": "#ef6c00",
               "seriously_behind": "#c62828", "no_data": "#9e9e9e", "not_quantifiable": "#78909c"}
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{
            "type": "pie", "radius": ["40%", "70%"], "avoidLabelOverlap": True,
            "data": [{"name": label, "value": count, "itemStyle": {"color": colours.get(code, "#9e9e9e")}}
                     for code, label, count in counts if count],
        }],
    }
