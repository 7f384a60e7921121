"""Ruled tables rebuilt from the lines drawn on a page.

Offices print tables from Word with every border drawn, so a table is a set of
horizontal and vertical rules that cross one another. The distinct rule positions give
the grid; a grid cell whose border to its neighbour is not drawn is merged with it, the
way Word merges cells. A merged cell's text is repeated in every grid position it covers,
marked as a repeat, as the Word reader does; a cell's text wrapped over several lines is
joined as a paragraph's is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from planwatch.ingest.pdf.lines import text_lines
from planwatch.ingest.pdf.page import Glyph, Rule
from planwatch.ingest.pdf.paragraphs import join
from planwatch.ingest.pdf_tolerances import TOLERANCES

_SNAP = TOLERANCES.snap


@dataclass(frozen=True, slots=True)
class Segment:
    at: float  # y of a horizontal rule, x of a vertical one
    start: float
    end: float

    def covers(self, low: float, high: float) -> bool:
        return self.start - _SNAP <= low and high <= self.end + _SNAP


@dataclass
class RuledTable:
    xs: list[float]  # column borders, left to right
    ys: list[float]  # row borders, top to bottom
    region: dict[tuple[int, int], tuple[int, int]]  # grid position -> top-left position of its merged cell

    @property
    def top(self) -> float:
        return self.ys[0]

    def contains(self, glyph: Glyph) -> bool:
        return self.xs[0] <= glyph.centre <= self.xs[-1] and self.ys[0] <= glyph.middle <= self.ys[-1]

    def rows(self, glyphs: Sequence[Glyph]) -> list[list[tuple[str, bool]]]:
        """Rows of (cell text, repeated from a merged cell); the lines a cell's text wraps over are joined."""
        inside: dict[tuple[int, int], list[Glyph]] = {}
        for glyph in glyphs:
            column = min(bisect_right(self.xs, glyph.centre) - 1, len(self.xs) - 2)
            row = min(bisect_right(self.ys, glyph.middle) - 1, len(self.ys) - 2)
            inside.setdefault(self.region[row, column], []).append(glyph)
        texts = {anchor: reduce(join, (line.text for line in text_lines(chars))) for anchor, chars in inside.items()}
        return [[(texts.get(self.region[r, c], ""), self.region[r, c] != (r, c)) for c in range(len(self.xs) - 1)]
                for r in range(len(self.ys) - 1)]


    def boxes(self) -> list[list[tuple[float, float, float, float]]]:
        """Each grid position's box (x0, top, x1, bottom), row by row, as :meth:`rows` gives their texts."""
        return [[(self.xs[c], self.ys[r], self.xs[c + 1], self.ys[r + 1]) for c in range(len(self.xs) - 1)]
                for r in range(len(self.ys) - 1)]


def find_tables(rules: Sequence[Rule]) -> list[RuledTable]:
    """Tables of at least two columns formed by crossing rules, top to bottom.

    One row is enough: the rest of a row that a page break cut is boxed on its own at the top of the next page.
    """
    horizontal = merge_segments([Segment(r.top, r.x0, r.x1) for r in rules if r.horizontal])
    vertical = merge_segments([Segment(r.x0, r.top, r.bottom) for r in rules if not r.horizontal])
    tables = [t for group in _crossing_groups(horizontal, vertical) if (t := _table(*group)) is not None]
    return sorted(tables, key=lambda t: t.top)


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Collinear rules that touch or overlap as one: Word draws a row's border cell by cell."""
    merged: list[Segment] = []
    for segment in sorted(segments, key=lambda s: (round(s.at / _SNAP), s.start)):
        last = merged[-1] if merged else None
        if last is not None and abs(last.at - segment.at) <= _SNAP and segment.start <= last.end + _SNAP:
            merged[-1] = Segment(last.at, last.start, max(last.end, segment.end))
        else:
            merged.append(segment)
    return merged


def _crossing_groups(horizontal: list[Segment], vertical: list[Segment]) -> list[tuple[list[Segment], list[Segment]]]:
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for h, hs in enumerate(horizontal):
        for v, vs in enumerate(vertical):
            if hs.start - _SNAP <= vs.at <= hs.end + _SNAP and vs.start - _SNAP <= hs.at <= vs.end + _SNAP:
                parent[find(h)] = find(len(horizontal) + v)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for h, segment in enumerate(horizontal):
        groups.setdefault(find(h), ([], []))[0].append(segment)
    for v, segment in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + v), ([], []))[1].append(segment)
    return list(groups.values())


def _positions(segments: list[Segment]) -> list[float]:
    positions: list[float] = []
    for at in sorted(s.at for s in segments):
        if not positions or at - positions[-1] > _SNAP:
            positions.append(at)
    return positions


def _table(horizontal: list[Segment], vertical: list[Segment]) -> RuledTable | None:
    ys, xs = _positions(horizontal), _positions(vertical)
    if len(ys) < 2 or len(xs) < 3:
        return None

    def drawn(segments: list[Segment], at: float, low: float, high: float) -> bool:
        return any(abs(s.at - at) <= _SNAP and s.covers(low + _SNAP, high - _SNAP) for s in segments)

    parent = {(r, c): (r, c) for r in range(len(ys) - 1) for c in range(len(xs) - 1)}

    def find(cell: tuple[int, int]) -> tuple[int, int]:
        while parent[cell] != cell:
            cell = parent[cell]
        return cell

    def join(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the top-left position holds the text

    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if c + 2 < len(xs) and not drawn(vertical, xs[c + 1], ys[r], ys[r + 1]):
                join((r, c), (r, c + 1))
            if r + 2 < len(ys) and not drawn(horizontal, ys[r + 1], xs[c], xs[c + 1]):
                join((r, c), (r + 1, c))
    return RuledTable(xs, ys, {cell: find(cell) for cell in parent})
