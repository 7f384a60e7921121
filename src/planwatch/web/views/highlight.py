"""The document viewer's marks: the original text with each extracted indicator highlighted.

Extraction traces an indicator to a line of the source; the viewer marks the indicator's
name inside that line (or the whole line when the printed name differs, e.g. wrapped in a
table cell), so a reviewer sees at a glance what was read and what was missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Mark", "Segment", "highlight_text"]


@dataclass(frozen=True, slots=True)
class Mark:
    """An indicator to highlight on a 1-based source line; ``anchor`` becomes the HTML id."""

    line: int
    text: str
    anchor: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mark: Mark | None = None


def highlight_text(line: str, marks: Sequence[Mark]) -> list[Segment]:
    """One text (a line, a table cell) as segments, ``marks`` highlighted in it."""
    if not marks:
        return [Segment(line)]
    located: list[tuple[bool, int, int, Mark]] = []
    for mark in marks:
        start = line.find(mark.text) if mark.text else -1
        if start >= 0:
            located.append((True, start, start + len(mark.text), mark))
        else:
            located.append((False, 0, len(line), mark))
    # names found in the line first, so a whole-line fallback never hides them
    located.sort(key=lambda item: (not item[0], item[1]))
    spans: list[tuple[int, int, Mark]] = []
    for _found, start, end, mark in located:
        if all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, mark))
    spans.sort(key=lambda item: item[0])
    segments: list[Segment] = []
    position = 0
    for start, end, mark in spans:
        if start > position:
            segments.append(Segment(line[position:start]))
        segments.append(Segment(line[start:end], mark))
        position = end
    if position < len(line):
        segments.append(Segment(line[position:]))
    return segments
