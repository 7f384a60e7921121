"""Report charts as PNG, drawn with matplotlib's object API (no pyplot, no GUI backend, thread-safe).

matplotlib's default DejaVu font has no CJK glyphs: the family list names the open CJK
fonts the project installs (fonts-noto-cjk, WenQuanYi) so Chinese labels never turn into boxes,
and without any of them a report is refused with the font to install rather than printed with
boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FormatStrFormatter

from planwatch.errors import PlanWatchError
from planwatch.evaluate import Status
from planwatch.evaluate.paths import PathLine
from planwatch.palette import CHART_LINES, badge_colour

__all__ = ["STATUS_COLOURS", "ReportFontError", "indicator_png", "status_png"]

_CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")
STATUS_COLOURS = {status: badge_colour(status.value) for status in Status}
_LINE_STYLE: dict[str, dict[str, Any]] = {
    "actual": {"color": CHART_LINES["actual"], "marker": "o", "linestyle": "-", "label": "实际值"},
    "required": {"color": CHART_LINES["required"], "marker": "", "linestyle": "--", "label": "要求进度"},
    "projection": {"color": CHART_LINES["projection"], "marker": "", "linestyle": ":", "label": "趋势预测"},
    "baseline": {"color": CHART_LINES["baseline"], "marker": "s", "linestyle": "", "label": "基期值"},
    "target": {"color": CHART_LINES["target"], "marker": "*", "linestyle": "", "label": "目标值", "markersize": 11},
}
_DRAW_ORDER = ("required", "projection", "actual", "baseline", "target")


class ReportFontError(PlanWatchError):
    """No CJK font: the charts' Chinese would print as boxes."""


@cache
def _fonts() -> dict[Any, Any]:
    """The installed CJK families only: matplotlib warns once per glyph about a missing one."""
    return _font_settings(_CJK_FAMILIES)


def _font_settings(candidates: Sequence[str]) -> dict[Any, Any]:
    """Chart settings with the installed ``candidates``; ReportFontError when none is installed.

    matplotlib lists the system's fonts once and keeps the list in its cache folder, so fonts
    installed afterwards (apt-get install fonts-noto-cjk) stay unknown to it and Chinese turns
    into boxes. The system's font files missing from the list are added first (0.2 s for the
    CJK collections), so the list is never stale.
    """
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a damaged font file is skipped, as matplotlib does
                continue
    installed = {entry.name for entry in manager.ttflist}
    families = [family for family in candidates if family in installed]
    if not families:
        raise ReportFontError(f"报告图表需要中文字体 {' / '.join(candidates)}，本机均未安装"
                              "（Debian/Ubuntu：apt-get install fonts-noto-cjk）")
    return {"font.family": [*families, "DejaVu Sans"], "axes.unicode_minus": False, "font.size": 10}


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def status_png(counts: Sequence[tuple[Status, int]]) -> bytes:
    """Horizontal bars, one per status, with the count at the end of each bar."""
    with matplotlib.rc_context(_fonts()):
        figure = Figure(figsize=(6.0, 0.45 * max(len(counts), 3) + 0.8), layout="constrained")
        axes = figure.add_subplot()
        labels = [status.label_zh for status, _ in counts][::-1]
        values = [count for _, count in counts][::-1]
        bars = axes.barh(labels, values, color=[STATUS_COLOURS[s] for s, _ in counts][::-1])
        axes.bar_label(bars, padding=3)
        axes.set_xlabel("指标数（项）")
        axes.set_title("指标监测状态分布")
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlim(0, max([*values, 1]) * 1.15)
        return _png(figure)


def indicator_png(name: str, unit: str | None, lines: Sequence[PathLine]) -> bytes:
    """Actual values against the path the plan requires, with milestones, target and projection."""
    with matplotlib.rc_context(_fonts()):
        return _png(indicator_figure(name, unit, lines))


def indicator_figure(name: str, unit: str | None, lines: Sequence[PathLine]) -> Figure:
    """The figure :func:`indicator_png` renders (call it inside the chart font settings)."""
    by_key = {line.key: line for line in lines}
    figure = Figure(figsize=(6.0, 3.2))
    figure.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=0.1)
    axes = figure.add_subplot()
    for key in _DRAW_ORDER:
        if key not in by_key:
            continue
        years = [year for year, _ in by_key[key].points]
        values = [value for _, value in by_key[key].points]
        axes.plot(years, values, **_LINE_STYLE[key])
    axes.set_title(name, fontsize=11)
    axes.set_ylabel(unit or "")
    _year_axis(axes, sorted({year for line in lines for year, _ in line.points}))
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="best", fontsize=8, frameon=False)
    return figure


def _year_axis(axes: Any, years: Sequence[int]) -> None:
    """Whole years from the first to the last point, half a year of margin each side.

    Left to matplotlib, a single point at 2025 gets an axis from 1925 to 2125, and a long span
    gets “2.02e3”-style ticks; every fifth year is labelled when the span is long."""
    if not years:
        return
    first, last = years[0], years[-1]
    step = 1 if last - first <= 10 else 5
    axes.set_xlim(first - 0.5, last + 0.5)
    axes.xaxis.set_major_locator(FixedLocator(list(range(first, last + 1, step))))
    axes.xaxis.set_major_formatter(FormatStrFormatter("%d"))
