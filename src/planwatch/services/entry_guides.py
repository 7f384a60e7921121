"""What to enter for each indicator, by the type of its target: the data the entry form and the
Excel template show beside the value cell.

A level is entered as the period's figure, a growth rate as the year's rate, an amount over
the period as the year's increment (shown with the running total of the increments approved
in earlier years, so that a clerk never has to add them up or enter the total), a target
without a number as a verdict with its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from planwatch.evaluate.targets import EntryKind, entry_hint, entry_kind, final_target_type
from planwatch.extract.records import TargetType
from planwatch.monitor.workflow import ObservationState
from planwatch.services.corrections import record_target
from planwatch.store.models import Indicator, Observation, ObservationRevision, ReportingPeriod

__all__ = ["EntryGuide", "entry_guides", "guide_of"]


@dataclass(frozen=True, slots=True)
class EntryGuide:
    """What the clerk enters for one indicator in one period, and what to show beside it."""

    indicator_id: int
    target_type: TargetType
    kind: EntryKind
    hint: str  # the sentence in Chinese; "" for a plain level
    target: str  # the final target as printed, with its year
    running_total: float | None = None  # amounts: the unit's approved increments before the period
    counted_years: tuple[int, int] | None = None  # the years they cover (first, last)

    @property
    def judged(self) -> bool:
        return self.kind is EntryKind.JUDGEMENT

    @property
    def running_total_text(self) -> str:
        """3（2026—2027年）; 0 before any increment is approved; "" for other kinds."""
        if self.kind is not EntryKind.INCREMENT:
            return ""
        if self.running_total is None or self.counted_years is None:
            return "0"
        first, last = self.counted_years
        years = f"{first}年" if first == last else f"{first}—{last}年"
        return f"{self.running_total:g}（{years}）"


def guide_of(indicator: Indicator) -> EntryGuide:
    """What to enter for ``indicator`` (its targets loaded), without the running total."""
    sentence = indicator.source_text if indicator.kind == "prose" else ""
    targets = [record_target(t, indicator.name, indicator.unit, indicator.baseline_text, sentence)
               for t in indicator.targets]
    kind_of_target = final_target_type(indicator.name, indicator.unit, targets)
    final = max(targets, key=lambda t: t.year, default=None)
    return EntryGuide(indicator.id, kind_of_target, entry_kind(indicator.name, indicator.unit, kind_of_target),
                      entry_hint(indicator.name, indicator.unit, kind_of_target),
                      f"{final.text}（{final.year}年）" if final is not None else "")


def entry_guides(session: Session, org_unit_id: int, period: ReportingPeriod,
                 indicators: Sequence[Indicator]) -> dict[int, EntryGuide]:
    """indicator id → its guide for ``org_unit_id`` reporting in ``period`` (one query for the
    running totals of all amounts)."""
    guides = {indicator.id: guide_of(indicator) for indicator in indicators}
    amounts = [i for i, guide in guides.items() if guide.kind is EntryKind.INCREMENT]
    if amounts:
        totals = session.execute(
            select(Observation.indicator_id, func.sum(ObservationRevision.value), func.min(ReportingPeriod.year),
                   func.max(ReportingPeriod.year))
            .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                            ObservationRevision.revision == Observation.current_revision))
            .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
            .where(ReportingPeriod.plan_id == period.plan_id, ReportingPeriod.quarter.is_(None),
                   ReportingPeriod.month.is_(None), ReportingPeriod.year < period.year,
                   Observation.org_unit_id == org_unit_id, Observation.indicator_id.in_(amounts),
                   Observation.state == ObservationState.APPROVED.value, Observation.sex == "",
                   Observation.area == "", Observation.age_group == "", ObservationRevision.value.is_not(None))
            .group_by(Observation.indicator_id))
        for indicator_id, total, first, last in totals:
            if total is not None:
                guides[indicator_id] = replace(guides[indicator_id], running_total=float(total),
                                               counted_years=(int(first), int(last)))
    return guides
