"""An indicator's chart as inline SVG: the public site needs no script and no CDN to draw it.

The same lines as the app's ECharts chart and the Word report's figure
(:func:`planwatch.evaluate.paths.indicator_paths`, colours from :mod:`planwatch.palette`):
the reported values, the baseline, the targets and milestones (the final target also as a
line across the plot) and the path the plan requires. The drawing is an image with a title;
its figures are the table printed under it, which is what screen readers read. Every
coordinate is printed with one decimal, so the same figures give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from planwatch.palette import CHART_LINES
from planwatch.web.templating import format_number

__all__ = ["ChartSeries", "indicator_svg"]

WIDTH, HEIGHT = 720, 330
LEFT, RIGHT, TOP, BOTTOM = 70, 24, 56, 40
INK: Final = "#1f2933"
GRID: Final = "#d9dee5"
_DASH: Final = {"required": "7 5", "projection": "2 5"}
_DRAW_ORDER: Final = ("required", "projection", "target", "baseline", "actual")


@dataclass(frozen=True, slots=True)
class ChartSeries:
    key: str  # one of planwatch.evaluate.paths.PATH_KEYS
    label: str
    points: tuple[tuple[int, float], ...]


def _nice_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about five grid lines over ``span``."""
    raw = span / 5 if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _digits(step: float) -> int:
    """Decimals that print every multiple of ``step`` exactly (0.025 → 3)."""
    digits = max(0, -math.floor(math.log10(step) + 1e-9))
    return digits if abs(step * 10**digits - round(step * 10**digits)) < 1e-9 else digits + 1


def _axis(values: Sequence[float]) -> tuple[float, float, list[float]]:
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    ticks = [start + n * step for n in range(round((end - start) / step) + 1)]
    return start, end, ticks


def _f(value: float) -> str:
    return f"{value:.1f}"


def indicator_svg(series: Sequence[ChartSeries], *, title: str, unit: str | None, chart_id: str) -> Markup:
    """The chart of ``series`` (empty markup when there is nothing to draw)."""
    points = [p for s in series for p in s.points]
    if not points:
        return Markup("")
    first, last = min(y for y, _ in points), max(y for y, _ in points)
    if first == last:
        first, last = first - 1, last + 1
    low, high, ticks = _axis([v for _, v in points])
    digits = _digits(ticks[1] - ticks[0]) if len(ticks) > 1 else 2
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: float) -> float:
        return LEFT + (year - first) / (last - first) * plot_w

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'aria-labelledby="{chart_id}-title" focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>']
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(tick))}" y2="{_f(y(tick))}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{_f(y(tick) + 4)}" text-anchor="end" font-size="13" '
                     f'fill="{INK}">{escape(format_number(tick, digits))}</text>')
    if unit:
        parts.append(f'<text x="{LEFT - 8}" y="{TOP - 12}" text-anchor="end" font-size="13" fill="{INK}">'
                     f'{escape(unit)}</text>')
    every = 1 if last - first <= 12 else 2
    for year in range(int(first), int(last) + 1, every):
        parts.append(f'<text x="{_f(x(year))}" y="{HEIGHT - BOTTOM + 22}" text-anchor="middle" font-size="13" '
                     f'fill="{INK}">{year}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="{INK}"/>')
    drawn = sorted(series, key=lambda s: _DRAW_ORDER.index(s.key) if s.key in _DRAW_ORDER else 0)
    for line in drawn:
        parts += _series(line, x, y)
    parts += _legend(series)
    parts.append("</svg>")
    return Markup("".join(parts))


def _series(line: ChartSeries, x: Callable[[float], float], y: Callable[[float], float]) -> list[str]:
    colour = CHART_LINES.get(line.key, INK)
    coords = [(x(year), y(value)) for year, value in line.points]
    out: list[str] = []
    if line.key == "target":
        final_y = coords[-1][1]
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(final_y)}" y2="{_f(final_y)}" '
                   f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="3 4"/>')
        for cx, cy in coords:  # milestones and the final target: diamonds
            out.append(f'<path d="M{_f(cx)} {_f(cy - 7)}L{_f(cx + 7)} {_f(cy)}L{_f(cx)} {_f(cy + 7)}'
                       f'L{_f(cx - 7)} {_f(cy)}Z" fill="{colour}"/>')
        return out
    if len(coords) > 1:
        dash = f' stroke-dasharray="{_DASH[line.key]}"' if line.key in _DASH else ""
        width = "3" if line.key == "actual" else "2"
        out.append(f'<polyline points="{" ".join(f"{_f(cx)},{_f(cy)}" for cx, cy in coords)}" fill="none" '
                   f'stroke="{colour}" stroke-width="{width}"{dash}/>')
    if line.key == "baseline":
        out += [f'<rect x="{_f(cx - 5)}" y="{_f(cy - 5)}" width="10" height="10" fill="{colour}"/>'
                for cx, cy in coords]
    elif line.key == "actual":
        out += [f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="4.5" fill="{colour}"/>' for cx, cy in coords]
    return out


def _legend(series: Sequence[ChartSeries]) -> list[str]:
    """Swatches with the lines' names above the plot, in a second row when the first is full."""
    out: list[str] = []
    left: float = LEFT
    top = 12
    for line in series:
        width = 22 + sum(13 if ord(c) > 0x2E80 else 7.5 for c in line.label) + 20
        if left + width > WIDTH - RIGHT and left > LEFT:
            left, top = LEFT, top + 20
        colour = CHART_LINES.get(line.key, INK)
        out.append(f'<rect x="{_f(left)}" y="{top}" width="16" height="10" fill="{colour}"/>')
        out.append(f'<text x="{_f(left + 22)}" y="{top + 10}" font-size="13" fill="{INK}">{escape(line.label)}</text>')
        left += width
    return out
