"""Chart options for ECharts and the table shown when ECharts is not installed.

Both come from the same lines (:func:`planwatch.evaluate.paths.indicator_paths`, also drawn
in the Word reports) so the table is never a different story from the chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from planwatch.evaluate import EvaluationResult, IndicatorSpec
from planwatch.evaluate.paths import indicator_paths
from planwatch.evaluate.targets import EntryKind, entry_kind
from planwatch.palette import CHART_LINES, badge_colour
from planwatch.web.i18n import Translator

__all__ = ["ChartLine", "IndicatorChart", "indicator_chart", "status_pie"]

_FEW_YEARS = 4  # with fewer years on the axis the points stand inside it, not on its ends


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
        """Years on a category axis of every year in the span: a value axis would print 2020 as
        “2,020”, and the years between two points keep their place. With few years the axis
        leaves room at both ends, so a lone point does not sit on the value axis."""
        series: list[dict[str, Any]] = []
        for line in self.lines:
            single = len(line.points) == 1
            series.append({
                "name": line.label,
                "type": "scatter" if single or line.key in {"target", "baseline"} else "line",
                "data": [[str(year), value] for year, value in line.points],
                "symbolSize": 10 if line.key in {"target", "baseline"} else 6,
                "showSymbol": line.key != "target_rate",
                "lineStyle": {"type": "dashed"} if line.key in {"required", "projection", "target_rate"} else {},
                "itemStyle": {"color": CHART_LINES[line.key]},
            })
        years = self.years
        span = years[-1] - years[0] + 1 if years else 0
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 56, "right": 24, "top": 40, "bottom": 32},
            "xAxis": {"type": "category", "boundaryGap": span < _FEW_YEARS,
                      "data": [str(year) for year in range(years[0], years[-1] + 1)] if years else []},
            "yAxis": {"type": "value", "name": self.unit or "", "scale": True},
            "series": series,
        }


def indicator_chart(spec: IndicatorSpec, history: Iterable[tuple[int, float]],
                    result: EvaluationResult | None, t: Translator) -> IndicatorChart:
    """``history`` is the reported series (year, value) of the indicator's total.

    An indicator entered as the year's growth rate has its target rate drawn as a level line
    over the plan period (6.5 each year against a 年均增长 7 target): the values are rates, and
    a rate target is the line they should stay on or above."""
    history = list(history)
    lines = [ChartLine(line.key, t(f"chart.{line.key}"), line.points)
             for line in indicator_paths(spec, history, result)]
    rate = _target_rate(spec)
    if rate is not None:
        first = spec.baseline_year + 1 if spec.baseline_year is not None else min(
            (year for year, _ in history), default=rate[0])
        lines = [line for line in lines if line.key not in ("target", "required", "projection")]
        lines.append(ChartLine("target_rate", t("chart.target_rate"),
                               tuple((year, rate[1]) for year in range(min(first, rate[0]), rate[0] + 1))))
    return IndicatorChart(tuple(lines), spec.unit)


def _target_rate(spec: IndicatorSpec) -> tuple[int, float] | None:
    """(target year, rate) of a growth-rate indicator's final rate target; None for levels."""
    if entry_kind(spec.name, spec.unit) != EntryKind.YEARLY_GROWTH:
        return None
    rates = [t for t in spec.targets if t.value is not None and t.comparator.value in (">=", ">", "=", "~")]
    return (rates[-1].year, float(rates[-1].value)) if rates and rates[-1].value is not None else None


def status_pie(counts: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """ECharts pie of (status code, label, count), each slice the colour of its status badge."""
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{
            "type": "pie", "radius": ["40%", "70%"], "avoidLabelOverlap": True,
            "data": [{"name": label, "value": count, "itemStyle": {"color": badge_colour(code)}}
                     for code, label, count in counts if count],
        }],
    }
