"""How an indicator is recognised across imports: its name without spaces, and its unit; and
how a plan's indicator system is recognised across files and formats."""

from __future__ import annotations

import re
from collections.abc import Iterable

from planwatch.extract import records as rec

__all__ = ["indicator_key", "indicator_system", "name_key"]


def name_key(name: str) -> str:
    """Wrapped table cells and prose print the same name with stray spaces or line breaks."""
    return re.sub(r"\s+", "", name)


def indicator_key(name: str, unit: str | None) -> str:
    return name_key(name) + "|" + (unit or "")


IndicatorSystem = frozenset[tuple[str, str, tuple[tuple[int, str, float | None, float | None], ...]]]


def indicator_system(indicators: Iterable[rec.Indicator]) -> IndicatorSystem:
    """What makes two readings of a plan the same plan: each indicator's name (spaces aside),
    unit and targets (year, comparison, values). The printed wording of a target (``≥ 95`` in
    a PDF, ``≥95`` in Word), the line it stands on, the source sentence and the baseline's
    text do not count: the same plan printed in another format differs in those."""
    return frozenset((name_key(i.name), i.unit or "", tuple(sorted(
        (t.year, t.comparator.value, _rounded(t.value), _rounded(t.value_high)) for t in i.targets)))
        for i in indicators)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
