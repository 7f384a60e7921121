"""From per-indicator results to what a leadership report shows.

Counts and shares by status per plan, domain or responsible unit, with 约束性 indicators
counted separately because missing them is a breach of a binding commitment; the warning
list of indicators that need attention; and how completely each unit has reported.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from planwatch.evaluate.models import EvaluationResult, Observation, Status


class GroupBy(StrEnum):
    PLAN = "plan"
    DOMAIN = "domain"
    ORG_UNIT = "org_unit"  # every responsible unit named for the indicator


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """Status counts of one group; shares are fractions of ``total``."""

    group: str | None
    total: int
    counts: dict[Status, int]
    binding_total: int
    binding_counts: dict[Status, int]

    def share(self, status: Status) -> float:
        return self.counts.get(status, 0) / self.total if self.total else 0.0

    def binding_share(self, status: Status) -> float:
        return self.binding_counts.get(status, 0) / self.binding_total if self.binding_total else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "group": self.group,
            "total": self.total,
            "counts": {s.value: self.counts.get(s, 0) for s in Status},
            "shares": {s.value: self.share(s) for s in Status},
            "binding_total": self.binding_total,
            "binding_counts": {s.value: self.binding_counts.get(s, 0) for s in Status},
        }


@dataclass(frozen=True, slots=True)
class IndicatorWarning:
    """An indicator that is off track or has no data, with who answers for it."""

    indicator_id: str
    name: str
    status: Status
    severity: int
    binding: bool
    responsible: tuple[str, ...]
    gap: float | None
    gap_unit: str | None
    shortfall: float  # required progress minus completion (0 when unknown)
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "indicator_id": self.indicator_id,
            "name": self.name,
            "status": self.status.value,
            "status_zh": self.status.label_zh,
            "severity": self.severity,
            "binding": self.binding,
            "responsible": list(self.responsible),
            "gap": self.gap,
            "gap_unit": self.gap_unit,
            "shortfall": self.shortfall,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Completeness:
    """How many of the expected indicator values one unit reported for one year."""

    org_unit: str
    year: int
    expected: int
    reported: int
    missing: tuple[str, ...] = field(default=())

    @property
    def share(self) -> float:
        return self.reported / self.expected if self.expected else 1.0

    def to_json(self) -> dict[str, object]:
        return {
            "org_unit": self.org_unit,
            "year": self.year,
            "expected": self.expected,
            "reported": self.reported,
            "share": self.share,
            "missing": list(self.missing),
        }


def summarize(results: Iterable[EvaluationResult], by: GroupBy) -> list[StatusSummary]:
    """Status counts per group, groups in order of first appearance."""
    keys: Callable[[EvaluationResult], Sequence[str | None]] = {
        GroupBy.PLAN: lambda r: (r.plan,),
        GroupBy.DOMAIN: lambda r: (r.domain,),
        GroupBy.ORG_UNIT: lambda r: r.responsible or (None,),
    }[by]
    counts: dict[str | None, dict[Status, int]] = {}
    binding: dict[str | None, dict[Status, int]] = {}
    for result in results:
        for key in keys(result):
            group = counts.setdefault(key, defaultdict(int))
            group[result.status] += 1
            binding_group = binding.setdefault(key, defaultdict(int))
            if result.binding:
                binding_group[result.status] += 1
    return [
        StatusSummary(
            group=key,
            total=sum(group.values()),
            counts=dict(group),
            binding_total=sum(binding[key].values()),
            binding_counts=dict(binding[key]),
        )
        for key, group in counts.items()
    ]


def overall(results: Iterable[EvaluationResult]) -> StatusSummary:
    """All results counted as one group (the headline figures of a dashboard or report)."""
    listed = list(results)
    counts = Counter(r.status for r in listed)
    binding = Counter(r.status for r in listed if r.binding)
    return StatusSummary(None, len(listed), dict(counts), sum(binding.values()), dict(binding))


def warning_list(results: Iterable[EvaluationResult]) -> list[IndicatorWarning]:
    """Off-track and missing-data indicators, most severe first.

    Order: severity (严重滞后, 滞后, 无数据), then 约束性 before 预期性, then the larger
    shortfall against the required progress, then indicator id for a stable list.
    """
    warnings = [
        IndicatorWarning(
            indicator_id=r.indicator_id,
            name=r.name,
            status=r.status,
            severity=r.severity,
            binding=r.binding,
            responsible=r.responsible,
            gap=r.gap,
            gap_unit=r.gap_unit,
            shortfall=r.shortfall,
            reason=r.explanation.text_zh,
        )
        for r in results
        if r.severity > 0
    ]
    warnings.sort(key=lambda w: (-w.severity, not w.binding, -w.shortfall, w.indicator_id))
    return warnings


def completeness(
    expected: Iterable[tuple[str, str]],
    observations: Iterable[Observation],
    years: Iterable[int],
) -> list[Completeness]:
    """Reported share of the expected (indicator, org unit) pairs, per unit and year.

    ``expected`` are the assignments (indicator id, org unit) that owe a value every year;
    an observation counts when it has a value for that pair and year.
    """
    by_unit: dict[str, dict[str, None]] = defaultdict(dict)
    for indicator_id, unit in expected:
        by_unit[unit][indicator_id] = None
    present = {(o.indicator_id, o.org_unit, o.year) for o in observations if math.isfinite(o.value)}
    rows = []
    for year in sorted(set(years)):
        for unit, indicators in by_unit.items():
            missing = tuple(i for i in indicators if (i, unit, year) not in present)
            rows.append(Completeness(unit, year, len(indicators), len(indicators) - len(missing), missing))
    return rows
