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
from planwatch.web.i18n import Translator

__all__ = ["ChartLine", "IndicatorChart", "indicator_chart", "status_pie"]

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
        """Years on a category axis of every year in the span: a value axis would print 2020 as
        “2,020”, and the years between two points keep their place."""
        series: list[dict[str, Any]] = []
        for line in self.lines:
            single = len(line.points) == 1
            series.append({
                "name": line.label,
                "type": "scatter" if single or line.key in {"target", "baseline"} else "line",
                "data": [[str(year), value] for year, value in line.points],
                "symbolSize": 10 if line.key in {"target", "baseline"} else 6,
                "lineStyle": {"type": "dashed"} if line.key in {"required", "projection"} else {},
                "itemStyle": {"color": _COLOURS[line.key]},
            })
        years = self.years
        return {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 56, "right": 24, "top": 40, "bottom": 32},
            "xAxis": {"type": "category", "boundaryGap": False,
                      "data": [str(year) for year in range(years[0], years[-1] + 1)] if years else []},
            "yAxis": {"type": "value", "name": self.unit or "", "scale": True},
            "series": series,
        }


def indicator_chart(spec: IndicatorSpec, history: Iterable[tuple[int, float]],
                    result: EvaluationResult | None, t: Translator) -> IndicatorChart:
    """``history`` is the reported series (year, value) of the indicator's total."""
    lines = tuple(ChartLine(line.key, t(f"chart.{line.key}"), line.points)
                  for line in indicator_paths(spec, history, result))
    return IndicatorChart(lines, spec.unit)


def status_pie(counts: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    """ECharts pie of (status code, label, count); colours match the status badges in app.css."""
    colours = {"completed": "#2e7d32", "ahead": "#1565c0", "on_track": "#43a047", "behind": "#ef6c00",
               "seriously_behind": "#c62828", "no_data": "#9e9e9e", "not_quantifiable": "#78909c",
               "missing_baseline": "#8d6e63", "undetermined": "#5e35b1"}
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{
            "type": "pie", "radius": ["40%", "70%"], "avoidLabelOverlap": True,
            "data": [{"name": label, "value": count, "itemStyle": {"color": colours.get(code, "#9e9e9e")}}
                     for code, label, count in counts if count],
        }],
    }
